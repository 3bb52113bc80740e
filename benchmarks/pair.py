"""Time two commands in alternation and compare them pair by pair (a speed-up, a regression).

    python benchmarks/pair.py -n 7 \
        --a "/tmp/new/bin/celery-checklist check . --no-cache --format json --output /dev/null" \
        --b "/tmp/old/bin/celery-checklist check . --no-cache --format json --output /dev/null" \
        --cwd ~/corpus/saleor

Each command runs once untimed (filling the OS file cache), then `-n` times each as A B A B ...,
so that a drift of the machine's speed hits both alike; the ratio A/B is taken for each pair and
its median reported. A run is a whole process, its start included: wall seconds from start to
exit, CPU seconds (user + system, the worker processes it waited for included) and the peak
resident memory of its largest process, all from `os.wait4` (on Linux that peak cannot read below
this script's own size, about 13 MiB). Output goes to /dev/null.
`--before-a`/`--before-b` run a command before each timed run, untimed (an edit of the staged
file before a pre-commit run, say). Unix only.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time


def _run(command: list[str], cwd: str | None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak MiB of one run of ``command``."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = 0  # reaped here: Popen must not wait for it again
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _untimed(command: str, cwd: str | None) -> None:
    if command:
        subprocess.run(shlex.split(command), cwd=cwd, check=False, stdout=subprocess.DEVNULL)


def _row(label: str, values: list[float]) -> str:
    return f"{label:14s} {min(values):10.3f} {statistics.median(values):10.3f} {max(values):10.3f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--a", required=True, help="the command measured (one string, split as a shell does)")
    parser.add_argument("--b", required=True, help="the baseline")
    parser.add_argument("-n", type=int, default=5, help="timed runs of each (default 5)")
    parser.add_argument("--cwd", help="where both run")
    parser.add_argument("--before-a", default="", help="an untimed command before each run of A")
    parser.add_argument("--before-b", default="", help="an untimed command before each run of B")
    args = parser.parse_args(argv)
    a, b = shlex.split(args.a), shlex.split(args.b)
    _untimed(args.before_a, args.cwd)
    _run(a, args.cwd)
    _untimed(args.before_b, args.cwd)
    _run(b, args.cwd)
    runs: dict[str, list[tuple[float, float, float]]] = {"A": [], "B": []}
    for _ in range(args.n):
        for name, command, before in (("A", a, args.before_a), ("B", b, args.before_b)):
            _untimed(before, args.cwd)
            runs[name].append(_run(command, args.cwd))
    print(f"{'':14s} {'min':>10s} {'median':>10s} {'max':>10s}   ({args.n} runs each, alternating)")
    for name in ("A", "B"):
        print(_row(f"{name} wall s", [r[0] for r in runs[name]]))
        print(_row(f"{name} cpu s", [r[1] for r in runs[name]]))
        print(_row(f"{name} peak MiB", [r[2] for r in runs[name]]))
    for index, what in ((0, "wall"), (1, "cpu")):
        ratios = [x[index] / y[index] for x, y in zip(runs["A"], runs["B"]) if y[index] > 0]
        if ratios:
            print(_row(f"A/B {what}", ratios))
    return 0


if __name__ == "__main__":
    sys.exit(main())
