"""Time celery-checklist and its peers side by side, on a real checkout or a generated project.

    python benchmarks/peers.py --project ~/src/saleor --repeat 5 --scaling
    python benchmarks/peers.py --files 5000 --repeat 5 --scaling
    python benchmarks/peers.py --project ~/src/saleor --repeat 1 --skip-peers   # ours only

`--project DIR` is copied into a temporary directory first (without `.git`, caches and
virtual environments; an empty `.git` makes the copy a project root), so that nothing is
written into DIR. Without it a project of `--files` Python files is generated (`generate.py`).

The peers (semgrep, flake8 with flake8-pie, ruff) are installed into a virtual environment of
their own (`--peers-venv`, created on first use from the package registry). After one untimed
run of each (which fills the OS file cache and our cache), `--repeat` rounds run, each timing
every command once, in alternation, so that machine noise hits everyone alike:

- ours cold: `check . --quiet --no-cache`;
- ours warm: `check . --quiet`, the cache filled and nothing changed;
- ours hook: `check <task module> --quiet` with the cache warm, as pre-commit runs it for one
  staged file (`--hook-file REL`, default: the first file defining a task, tests left out),
  nothing changed since the last run (the whole result is reused);
- ours hook, edited: the same, but the staged file was edited since the last run, as it is when
  someone commits it (a comment line is appended before each run, untimed; the copy is edited,
  never DIR);
- ours hook, plain: the same for a staged module that holds no Celery code (the first one in
  path order, tests left out), edited before each run: a commit that touches no Celery code;
- semgrep with one Celery rule (`celery-rule.yaml`);
- flake8 with flake8-pie's Celery rules (PIE783, PIE784, PIE785);
- `ruff check --no-cache --select PIE` (checks nothing about Celery: the floor).

Then it measures our peak memory in fresh runs (cold, warm, hook): on Linux the peak of the sum
of VmRSS over our process and all its descendants (the worker processes), sampled every few
milliseconds; elsewhere `ru_maxrss` of the children (the largest single process). With
`--scaling` it times ours cold on one copy and on four copies of the project side by side under
one root (`a/ b/ c/ d/`, one `.git`), in alternation. Last, it prints the issue-13 targets.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from projects import (
    add_project_arguments,
    make_copies,
    make_project,
    ours,
    plain_module,
    python_files,
    size_mb,
    task_module,
)

HERE = Path(__file__).parent
PACKAGES = ["semgrep", "flake8", "flake8-pie", "ruff"]
PEERS = ("semgrep", "flake8-pie", "ruff")
SAMPLE_SECONDS = 0.005


def _peers(venv: Path) -> Path:
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    if not all((bin_dir / name).exists() for name in ("semgrep", "flake8", "ruff")):
        print(f"installing {', '.join(PACKAGES)} into {venv} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
    return bin_dir


def _version(command: list[str]) -> str:
    done = subprocess.run([*command, "--version"], capture_output=True, text=True, check=False)
    return " ".join(done.stdout.split()) or "?"


def _run(command: list[str], cwd: Path, edit: Path | None = None) -> float:
    if edit is not None:  # the staged file changed since the last run (untimed)
        with edit.open("a") as handle:
            handle.write(f"# edited {time.time_ns()}\n")
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def _first_run(name: str, command: list[str], cwd: Path) -> int:
    """The untimed run; says so when a tool fails (exit status 2 or more, or killed)."""
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    if done.returncode not in (0, 1):
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-5:]
        print(f"warning: {name} exited with status {done.returncode}:", *tail, sep="\n  ", file=sys.stderr)
    return done.returncode


# -- peak memory --------------------------------------------------------------------------------


def _children_of(pid: int) -> list[int]:
    children: list[int] = []
    try:
        for thread in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{thread}/children") as handle:
                children.extend(int(child) for child in handle.read().split())
    except (OSError, ValueError):
        pass
    return children


def _children_by_scan(pid: int) -> list[int]:
    """Without /proc/<pid>/task/<tid>/children: every process whose parent is ``pid``."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parent = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if parent == pid:
                children.append(int(entry))
    return children


def _field_kb(path: str, field: str) -> int:
    try:
        with open(path) as handle:
            for line in handle:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree_peaks_mb(command: list[str], cwd: Path) -> tuple[float, float]:
    """The peaks of the sum of VmRSS and of the sum of Pss (0 when unreadable) over ``command``'s
    process and its descendants. RSS counts the pages a worker shares with its parent in each
    process (an upper bound); PSS divides them among the processes sharing them."""
    children = (
        _children_of
        if os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
        else _children_by_scan
    )
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak_rss = peak_pss = 0
    while process.poll() is None:
        tree, index = [process.pid], 0
        while index < len(tree):
            tree.extend(children(tree[index]))
            index += 1
        peak_rss = max(peak_rss, sum(_field_kb(f"/proc/{pid}/status", "VmRSS:") for pid in tree))
        peak_pss = max(peak_pss, sum(_field_kb(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in tree))
        time.sleep(SAMPLE_SECONDS)
    return peak_rss / 1024, peak_pss / 1024


_MAXRSS = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _maxrss_mb(command: list[str], cwd: Path) -> float:
    """The largest single process among ``command`` and its children (run from a fresh
    process, so that no other tool's run counts)."""
    out = subprocess.run([sys.executable, "-c", _MAXRSS, *command], cwd=cwd, capture_output=True, text=True)
    value = int(out.stdout.strip() or 0)
    return value / 1024 / 1024 if sys.platform == "darwin" else value / 1024  # bytes on macOS, else KB


def peak_memory_mb(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """The peak memory of ``command`` and its worker processes, the peak of their PSS (0 when
    unknown), and how they were measured."""
    if sys.platform.startswith("linux") and os.path.exists(f"/proc/{os.getpid()}/status"):
        method = (
            f"peak of the sum of VmRSS over the process and its descendants, sampled every "
            f"{SAMPLE_SECONDS * 1000:.0f} ms"
        )
        return (*_tree_peaks_mb(command, cwd), method)
    return _maxrss_mb(command, cwd), 0.0, "ru_maxrss of the children: the largest single process, not a sum"


# -- report -------------------------------------------------------------------------------------


def _stats(times: list[float]) -> str:
    return f"{statistics.median(times):8.3f}  {min(times):7.3f}  {max(times):7.3f}"


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _target(label: str, value: str, target: str, ok: bool | None) -> None:
    verdict = "" if ok is None else _verdict(ok)
    print(f"{label:<30}{value:>10}  (target {target})  {verdict}".rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_project_arguments(parser, 5, "timed rounds")
    parser.add_argument("--hook-file", help="the staged file of the hook run, relative to the project")
    parser.add_argument("--scaling", action="store_true", help="also time ours cold on 1 and on 4 copies")
    parser.add_argument(
        "--peers",
        default=",".join(PEERS),
        help=f"comma-separated peers to time (default: {','.join(PEERS)})",
    )
    parser.add_argument("--skip-peers", action="store_true", help="time ours only (same as --peers '')")
    parser.add_argument(
        "--command", help="our analyser's executable (default: the installed celery-checklist)"
    )
    parser.add_argument(
        "--peers-venv", type=Path, default=Path(tempfile.gettempdir()) / "celery-checklist-peers"
    )
    args = parser.parse_args()
    peers = [] if args.skip_peers else [name for name in args.peers.split(",") if name]
    unknown = set(peers) - set(PEERS)
    if unknown:
        parser.error(f"unknown peers: {', '.join(sorted(unknown))} (known: {', '.join(PEERS)})")

    bin_dir = _peers(args.peers_venv) if peers else Path()
    ours_command = ours(args.command)
    with tempfile.TemporaryDirectory(prefix="celery-checklist-bench-") as tmp:
        root = Path(tmp) / "project"
        make_project(root, args.project, args.files)
        files = python_files(root)
        hook_file = task_module(root, args.hook_file)
        commands = {
            "ours cold": [*ours_command, "check", ".", "--quiet", "--no-cache"],
            "ours warm": [*ours_command, "check", ".", "--quiet"],
            "ours hook": [*ours_command, "check", hook_file, "--quiet"],
            "ours hook, edited": [*ours_command, "check", hook_file, "--quiet"],
        }
        edits = {"ours hook, edited": root / hook_file}
        plain = plain_module(root)
        if plain is not None:
            commands["ours hook, plain"] = [*ours_command, "check", plain, "--quiet"]
            edits["ours hook, plain"] = root / plain
        if "semgrep" in peers:
            commands["semgrep"] = [
                str(bin_dir / "semgrep"),
                "scan",
                "--config",
                str(HERE / "celery-rule.yaml"),
                "--metrics=off",
                "--disable-version-check",
                "--quiet",
                "--jobs",
                str(os.cpu_count() or 1),
                ".",
            ]
        if "flake8-pie" in peers:
            commands["flake8-pie"] = [str(bin_dir / "flake8"), "--select", "PIE783,PIE784,PIE785", "."]
        if "ruff" in peers:
            commands["ruff PIE"] = [str(bin_dir / "ruff"), "check", "--no-cache", "--select", "PIE", "."]

        what = f"{args.project} (a copy)" if args.project else f"generated, --files {args.files}"
        print(f"project: {what}")
        print(
            f"{len(files)} Python files, {size_mb(files):.1f} MB; {os.cpu_count()} CPUs; "
            f"{args.repeat} timed run(s) each, in alternation"
        )
        print(f"ours: {' '.join(ours_command)} ({_version(ours_command)}); hook file: {hook_file}")
        print(f"plain module (no Celery code): {plain or 'none'}")
        versions = {
            "semgrep": lambda: _version([str(bin_dir / "semgrep")]),
            "flake8-pie": lambda: _version([str(bin_dir / "flake8")]),
            "ruff": lambda: _version([str(bin_dir / "ruff")]),
        }
        for name in peers:
            print(f"{name}: {versions[name]()}")
        print(flush=True)

        failed: dict[str, int] = {}
        for name, command in list(commands.items()):  # warm the OS file cache, fill our result cache
            status = _first_run(name, command, root)
            if name == "ruff PIE" and status not in (0, 1):
                # e.g. a configuration file ruff cannot read (a symlink extracted as a text file)
                isolated = [*command[:2], "--isolated", *command[2:]]
                status = _first_run(f"{name} --isolated", isolated, root)
                if status in (0, 1):
                    commands[name] = isolated
                    print("note: ruff failed on the project's configuration; timed with --isolated")
            if status not in (0, 1):
                failed[name] = status
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, command in commands.items():
                times[name].append(_run(command, root, edits.get(name)))
        print(f"{'tool':<17} {'median s':>8}  {'min s':>7}  {'max s':>7}")
        for name, values in times.items():
            status = f"  FAILED (exit status {failed[name]})" if name in failed else ""
            print(f"{name:<17} {_stats(values)}{status}")
        median = {name: statistics.median(values) for name, values in times.items() if name not in failed}
        if any(name.startswith("ours") for name in failed):
            sys.exit("our analyser failed (see the warnings above): the targets cannot be measured")

        memory: dict[str, float] = {}
        pss: dict[str, float] = {}
        method = ""
        for name in ("ours cold", "ours warm", "ours hook"):
            memory[name], pss[name], method = peak_memory_mb(commands[name], root)

        scaling: dict[int, list[float]] = {}
        if args.scaling:
            for copies in (1, 4):
                make_copies(Path(tmp) / f"copies-{copies}", args.project, args.files, copies)
            print(flush=True)
            for copies in (1, 4):  # untimed: warm the OS file cache
                _first_run(
                    f"ours cold on {copies} copies", commands["ours cold"], Path(tmp) / f"copies-{copies}"
                )
            scaling = {1: [], 4: []}
            for _ in range(args.repeat):
                for copies in (1, 4):
                    scaling[copies].append(_run(commands["ours cold"], Path(tmp) / f"copies-{copies}"))
            print(f"{'scaling':<36} {'median s':>8}  {'min s':>7}  {'max s':>7}")
            for copies, values in scaling.items():
                count = len(python_files(Path(tmp) / f"copies-{copies}"))
                label = f"ours cold, {copies} {'copy' if copies == 1 else 'copies'} ({count} files)"
                print(f"{label:<36} {_stats(values)}")

    print("\nissue-13 targets (medians)")
    cold = median["ours cold"]
    if "semgrep" in median:
        ratio = median["semgrep"] / cold
        _target("semgrep / ours cold:", f"{ratio:.1f}x", ">= 3x", ratio >= 3)
    else:
        _target("semgrep / ours cold:", "n/a", ">= 3x", None)
    if "flake8-pie" in median:
        ratio = median["flake8-pie"] / cold
        _target("flake8-pie / ours cold:", f"{ratio:.1f}x", ">= 30x", ratio >= 30)
    else:
        _target("flake8-pie / ours cold:", "n/a", ">= 30x", None)
    if "ruff PIE" in median:
        ratio = median["ours warm"] / median["ruff PIE"]
        _target("ours warm / ruff PIE:", f"{ratio:.2f}x", "<= 1.5x", ratio <= 1.5)
    else:
        _target("ours warm / ruff PIE:", "n/a", "<= 1.5x", None)
    _target("ours hook:", f"{median['ours hook']:.3f} s", "<= 0.3 s", median["ours hook"] <= 0.3)
    edited = median["ours hook, edited"]
    _target("ours hook, staged file edited:", f"{edited:.3f} s", "<= 0.3 s", edited <= 0.3)
    if "ours hook, plain" in median:
        plain_time = median["ours hook, plain"]
        _target("ours hook, plain module edited:", f"{plain_time:.3f} s", "<= 0.3 s", plain_time <= 0.3)
    peak = max(memory.values())
    _target("ours peak memory:", f"{peak:.0f} MB", "<= 150 MB", peak <= 150)
    print(
        f"  ({method}; the peak of cold, warm and hook runs: cold {memory['ours cold']:.0f} MB, "
        f"warm {memory['ours warm']:.0f} MB, hook {memory['ours hook']:.0f} MB)"
    )
    if all(pss.values()):
        print(
            f"  (sum of PSS, shared pages divided among the processes: cold {pss['ours cold']:.0f} MB, "
            f"warm {pss['ours warm']:.0f} MB, hook {pss['ours hook']:.0f} MB)"
        )
    if scaling:
        ratio = statistics.median(scaling[4]) / statistics.median(scaling[1])
        _target("ours cold, 4 copies / 1 copy:", f"{ratio:.2f}x", "<= 4.5x", ratio <= 4.5)
    else:
        _target("ours cold, 4 copies / 1 copy:", "n/a", "<= 4.5x; run with --scaling", None)


if __name__ == "__main__":
    main()
