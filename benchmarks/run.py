"""Time `celery-checklist check` on generated projects: cold, warm, and pre-commit mode.

    python benchmarks/run.py --files 1000 2000 5000 --repeat 5

For each size it generates a project and runs the installed console script in a new process
each time (as a user or pre-commit runs it):

- cold: `check . --no-cache` (nothing reused);
- warm: `check .` with the cache filled by a previous run and nothing changed;
- hook: `check <one task module>` with a warm cache, as pre-commit runs it for one staged file
  (the whole project is still read for cross-file facts; target: at most 0.5 s at 5,000 files).

It prints the median, min and max wall time of each, and files per second for the cold run.
The comparison with peer tools comes with the performance work (issue 6).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate


def _time(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def _row(label: str, files: int, times: list[float], rate: bool = False) -> str:
    median = statistics.median(times)
    per_second = f"{files / median:>8.0f}" if rate else f"{'':>8}"
    return f"{label:<6} {files:>6}  {median:>9.3f}  {min(times):>7.3f}  {max(times):>7.3f}  {per_second}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, nargs="+", default=[1000, 2000, 5000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    executable = shutil.which("celery-checklist")
    base = [executable] if executable else [sys.executable, "-m", "checker"]
    print(f"{'run':<6} {'files':>6}  {'median s':>9}  {'min s':>7}  {'max s':>7}  {'files/s':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.files:
            root = Path(tmp) / f"project-{size}"
            generate(root, size)
            (root / ".git").mkdir()  # a project root, as in a real checkout
            count = sum(1 for _ in root.rglob("*.py"))
            staged = str(next(root.rglob("tasks.py")).relative_to(root))
            cold = [*base, "check", ".", "--quiet", "--no-cache"]
            warm = [*base, "check", ".", "--quiet"]
            hook = [*base, "check", staged, "--quiet"]
            _time(cold, root)  # warm the OS file cache
            print(_row("cold", count, [_time(cold, root) for _ in range(args.repeat)], rate=True))
            _time(warm, root)  # fill the result cache
            print(_row("warm", count, [_time(warm, root) for _ in range(args.repeat)]))
            print(_row("hook", count, [_time(hook, root) for _ in range(args.repeat)]))


if __name__ == "__main__":
    main()
