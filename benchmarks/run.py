"""Time `celery-checklist check` on generated projects and report files per second.

    python benchmarks/run.py --files 1000 2000 4000 --repeat 5

Runs the installed console script (cold process, as a user or pre-commit would), the given
number of times per size, and prints the median and min/max wall time and files per second.
The full comparison with peer tools comes with the performance work (issue 6).
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, nargs="+", default=[1000, 2000, 4000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    executable = shutil.which("celery-checklist")
    command = [executable] if executable else [sys.executable, "-m", "checker"]
    command += ["check", ".", "--quiet"]
    if args.jobs:
        command += ["--jobs", str(args.jobs)]
    print(f"{'files':>6}  {'median s':>9}  {'min s':>7}  {'max s':>7}  {'files/s':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.files:
            root = Path(tmp) / f"project-{size}"
            generate(root, size)
            count = sum(1 for _ in root.rglob("*.py"))
            _time(command, root)  # warm the OS file cache
            times = [_time(command, root) for _ in range(args.repeat)]
            median = statistics.median(times)
            print(
                f"{count:>6}  {median:>9.3f}  {min(times):>7.3f}  {max(times):>7.3f}  {count / median:>8.0f}"
            )


if __name__ == "__main__":
    main()
