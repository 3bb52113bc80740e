"""Run celery-checklist and its peers side by side on generated projects.

    python benchmarks/peers.py --files 5000 --repeat 5

Installs the peers (semgrep, flake8 with flake8-pie, ruff) into a virtual environment of their
own (``--peers-venv``, created on first use from the package registry), generates a project,
then times, in alternation so that machine noise hits everyone alike:

- ours cold (``--no-cache``) and warm (cache filled, nothing changed);
- semgrep with one Celery rule (``celery-rule.yaml``);
- flake8 with flake8-pie's Celery rules (PIE783, PIE784, PIE785);
- ``ruff check --no-cache --select PIE`` (checks nothing about Celery: the floor).

It prints medians, min/max, the ratios the performance targets are stated in, our peak memory,
and our cold time at 1x, 2x and 4x the size (``--scaling``) to show it grows linearly.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate

HERE = Path(__file__).parent
PEERS = ["semgrep", "flake8", "flake8-pie", "ruff"]


def _peers(venv: Path) -> Path:
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    if not (bin_dir / "semgrep").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "--quiet", *PEERS], check=True)
    return bin_dir


def _run(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


_MEASURE = (
    "import resource, subprocess, sys; "
    "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
)


def _peak_memory_mb(command: list[str], cwd: Path) -> float:
    """Peak resident memory of ``command`` and its worker processes (measured in a fresh
    process, so that no other tool's run counts)."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, *command], cwd=cwd, capture_output=True, text=True)
    return int(out.stdout.strip() or 0) / 1024  # kilobytes on Linux


def _stats(times: list[float]) -> str:
    return f"{statistics.median(times):8.3f}  {min(times):7.3f}  {max(times):7.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--peers-venv", type=Path, default=Path(tempfile.gettempdir()) / "celery-checklist-peers"
    )
    parser.add_argument("--scaling", action="store_true", help="also time ours cold at 1x, 2x and 4x")
    args = parser.parse_args()

    bin_dir = _peers(args.peers_venv)
    ours = shutil.which("celery-checklist")
    ours_command = [ours] if ours else [sys.executable, "-m", "checker"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "project"
        generate(root, args.files)
        (root / ".git").mkdir()
        count = sum(1 for _ in root.rglob("*.py"))
        commands = {
            "ours cold": [*ours_command, "check", ".", "--quiet", "--no-cache"],
            "ours warm": [*ours_command, "check", ".", "--quiet"],
            "semgrep": [
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
            ],
            "flake8-pie": [str(bin_dir / "flake8"), "--select", "PIE783,PIE784,PIE785", "."],
            "ruff PIE": [str(bin_dir / "ruff"), "check", "--no-cache", "--select", "PIE", "."],
        }
        for command in commands.values():  # warm the OS file cache, fill our result cache
            _run(command, root)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.repeat):
            for name, command in commands.items():
                times[name].append(_run(command, root))
        print(f"{count} files, {os.cpu_count()} CPUs, {args.repeat} runs each, in alternation\n")
        print(f"{'tool':<12} {'median s':>8}  {'min s':>7}  {'max s':>7}")
        for name, values in times.items():
            print(f"{name:<12} {_stats(values)}")
        median = {name: statistics.median(values) for name, values in times.items()}
        print()
        print(f"semgrep / ours cold:    {median['semgrep'] / median['ours cold']:6.1f}x  (target >= 2.5x)")
        print(f"flake8-pie / ours cold: {median['flake8-pie'] / median['ours cold']:6.1f}x  (target >= 25x)")
        print(f"ours warm / ruff PIE:   {median['ours warm'] / median['ruff PIE']:6.2f}x  (target <= 2x)")
        print(f"ours cold:              {median['ours cold']:6.3f} s (target <= 1.0 s)")
        print(
            f"ours peak memory:       {_peak_memory_mb(commands['ours cold'], root):6.0f} MB (target <= 250 MB)"
        )
        if args.scaling:
            print()
            for factor in (1, 2, 4):
                scaled = Path(tmp) / f"scaled-{factor}"
                generate(scaled, args.files * factor)
                (scaled / ".git").mkdir()
                _run(commands["ours cold"], scaled)
                values = [_run(commands["ours cold"], scaled) for _ in range(args.repeat)]
                print(f"ours cold at {factor}x ({args.files * factor} files): {_stats(values)}")


if __name__ == "__main__":
    main()
