"""Time `celery-checklist check` on generated projects or real checkouts: cold, warm, hook.

    python benchmarks/run.py --files 1000 2000 5000 --repeat 5
    python benchmarks/run.py --project ~/src/saleor --project ~/src/readthedocs --repeat 5

For each generated size (`--files`) and each real checkout (`--project DIR`, copied into a
temporary directory first, without `.git` and caches, so that nothing is written into DIR; an
empty `.git` makes the copy a project root) it runs the installed console script in a new
process each time, as a user or pre-commit runs it:

- cold: `check . --quiet --no-cache` (nothing reused);
- warm: `check . --quiet` with the cache filled by a previous run and nothing changed;
- hook: `check <one task module> --quiet` with a warm cache, as pre-commit runs it for one
  staged file (`--hook-file REL`, default: the first file defining a task, tests left out;
  target: at most 0.3 s).

It prints the median, min and max wall time of each, and files per second for the cold run.
`peers.py` times the same runs against the peer tools and prints the issue-13 targets.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from projects import make_project, ours, python_files, task_module


def _time(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def _row(label: str, name: str, files: int, times: list[float], rate: bool = False) -> str:
    median = statistics.median(times)
    per_second = f"{files / median:>8.0f}" if rate else f"{'':>8}"
    return f"{label:<5} {name:<20} {files:>6}  {median:>9.3f}  {min(times):>7.3f}  {max(times):>7.3f}  {per_second}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, nargs="*", help="generated sizes (default: 1000 2000 5000)")
    parser.add_argument(
        "--project", type=Path, action="append", default=[], help="a real checkout (repeatable)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--hook-file", help="the staged file of the hook run, relative to the project")
    parser.add_argument(
        "--command", help="our analyser's executable (default: the installed celery-checklist)"
    )
    args = parser.parse_args()
    sizes = args.files if args.files is not None else ([] if args.project else [1000, 2000, 5000])
    base = ours(args.command)
    print(
        f"{'run':<5} {'project':<20} {'files':>6}  {'median s':>9}  {'min s':>7}  {'max s':>7}  {'files/s':>8}"
    )
    with tempfile.TemporaryDirectory(prefix="celery-checklist-bench-") as tmp:
        subjects: list[tuple[str, Path | None, int]] = [(f"generated-{n}", None, n) for n in sizes]
        subjects += [(path.resolve().name, path, 0) for path in args.project]
        for index, (name, project, size) in enumerate(subjects):
            root = Path(tmp) / f"{index}-{name}"
            make_project(root, project, size)
            count = len(python_files(root))
            staged = task_module(root, args.hook_file)
            cold = [*base, "check", ".", "--quiet", "--no-cache"]
            warm = [*base, "check", ".", "--quiet"]
            hook = [*base, "check", staged, "--quiet"]
            _time(cold, root)  # warm the OS file cache
            print(_row("cold", name, count, [_time(cold, root) for _ in range(args.repeat)], rate=True))
            _time(warm, root)  # fill the result cache
            print(_row("warm", name, count, [_time(warm, root) for _ in range(args.repeat)]))
            print(_row("hook", name, count, [_time(hook, root) for _ in range(args.repeat)]), flush=True)


if __name__ == "__main__":
    main()
