"""The floor of a run on a project: the parsing the analysis cannot skip, timed alone.

    python benchmarks/floors.py --project ~/corpus/saleor [--repeat 3]
    python benchmarks/floors.py --files 5000

A cold run parses every file that may define a task or add to the project (with libcst, which
keeps comments and positions for the rules and fixes) and every test file whose bytes name a
task or code that runs one (with Python's own ``ast``, for CT301's references). Whatever else a
run does, it cannot be faster than those parses plus starting Python and importing libcst. This
script asks the installed analyser which files a cold run parses with each parser (one run in
this process, watching its analysis stage), then times, each in a new process, ``--repeat``
times:

- starting Python and importing the analyser and libcst (the fixed cost of any run, pre-commit's
  included, that parses a file);
- ``libcst.parse_module`` on the files the run parses with libcst, one after the other;
- ``ast.parse`` on the files the run reads with ``ast`` (test files, modules read for imports);
- the same loop of pure Python work in one process and in two at once: how much a second core
  gives on this machine (on shared machines, much less than twice).

It prints the floor of a cold run: the start plus the two parses divided by that speed-up. The
floor ignores reading, screening, the rules and the reports: a real run costs more. It needs
the analyser installed beside the Python that runs it (it imports ``checker`` and ``libcst``).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from projects import add_project_arguments, make_project, size_mb

_PARSE = """
import gc, sys, time
gc.disable()
sys.setrecursionlimit(30_000)
with open(sys.argv[2], encoding="utf-8") as handle:
    paths = handle.read().splitlines()
datas = []
for path in paths:
    with open(path, "rb") as source:
        datas.append(source.read())
if sys.argv[1] == "libcst":
    import libcst
    parse = libcst.parse_module
else:
    import ast
    parse = ast.parse
start = time.perf_counter()
for data in datas:
    try:
        parse(data)
    except Exception:
        pass
print(time.perf_counter() - start)
"""

# (``import libcst`` gives a stand-in until a name of it is used: ``libcst.Module`` loads it)
_START = "import checker.cli, checker.analysis, libcst; libcst.Module"

_WORK = """
import sys, time
from concurrent.futures import ProcessPoolExecutor

def work(n):
    total = 0
    for i in range(n):
        total += i * i
    return total

if __name__ == "__main__":
    n = 6_000_000
    start = time.perf_counter()
    work(n)
    work(n)
    alone = time.perf_counter() - start
    with ProcessPoolExecutor(2) as pool:
        pool.submit(work, 1).result()  # both processes started
        start = time.perf_counter()
        list(pool.map(work, [n, n]))
        both = time.perf_counter() - start
    print(alone / both)
"""


@dataclasses.dataclass
class Parsed:
    """The files a cold run parses: with libcst, and with Python's ``ast``."""

    libcst: list[str]
    ast: list[str]


def parsed_files(root: Path) -> Parsed:
    """Run the analyser once, cold, in this process, and note what its analysis stage parses."""
    import checker.analysis as analysis
    from checker.cli import main

    seen = Parsed([], [])
    original = analysis.analyse_sources

    def watched(sources: Sequence[object], *args: object, **kwargs: object) -> object:
        for source in sources:
            location = getattr(source, "location", "")
            if not location:
                continue
            if getattr(source, "is_test", False) or getattr(source, "imports_only", False):
                seen.ast.append(location)
            else:
                seen.libcst.append(location)
        return original(sources, *args, **kwargs)  # type: ignore[arg-type]

    analysis.analyse_sources = watched  # type: ignore[assignment]
    cwd = os.getcwd()
    try:
        os.chdir(root)
        with open(os.devnull, "w") as devnull:
            stdout = sys.stdout
            sys.stdout = devnull
            try:
                main(["check", ".", "--no-cache", "--quiet", "--jobs", "1"])
            finally:
                sys.stdout = stdout
    finally:
        os.chdir(cwd)
        analysis.analyse_sources = original  # type: ignore[assignment]
    return seen


def _median_of(repeat: int, command: list[str]) -> float:
    """The median over ``repeat`` runs of the seconds a command prints."""
    figures = []
    for _ in range(repeat):
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        figures.append(float(done.stdout.split()[-1]))
    return statistics.median(figures)


def _process_seconds(repeat: int, code: str) -> float:
    """The median wall time of a new Python process running ``code``."""
    timer = (
        "import subprocess, sys, time; start = time.perf_counter(); "
        f"subprocess.run([sys.executable, '-c', {code!r}], check=True); "
        "print(time.perf_counter() - start)"
    )
    return _median_of(repeat, [sys.executable, "-c", timer])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_project_arguments(parser, 3, "timed runs of each figure")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary) / "project"
        make_project(root, args.project, args.files)
        files = parsed_files(root)
        lists = {}
        for name in ("libcst", "ast"):
            listing = Path(temporary) / f"{name}.txt"
            listing.write_text("\n".join(getattr(files, name)), encoding="utf-8")
            lists[name] = listing
        start = _process_seconds(args.repeat, _START)
        bare = _process_seconds(args.repeat, "pass")
        cst_seconds = _median_of(args.repeat, [sys.executable, "-c", _PARSE, "libcst", str(lists["libcst"])])
        ast_seconds = _median_of(args.repeat, [sys.executable, "-c", _PARSE, "ast", str(lists["ast"])])
        work = Path(temporary) / "work.py"
        work.write_text(_WORK, encoding="utf-8")
        speedup = _median_of(args.repeat, [sys.executable, str(work)])
        sizes = {name: size_mb([Path(p) for p in getattr(files, name)]) for name in ("libcst", "ast")}
    print(f"project: {args.project or f'generated, {args.files} files'}; medians of {args.repeat} runs")
    print(f"python start, importing the analyser and libcst: {start:6.3f} s  (python alone: {bare:.3f} s)")
    print(
        f"libcst.parse_module, {len(files.libcst):5d} files ({sizes['libcst']:5.1f} MB): "
        f"{cst_seconds:6.3f} s in one process"
    )
    print(
        f"ast.parse,           {len(files.ast):5d} files ({sizes['ast']:5.1f} MB): "
        f"{ast_seconds:6.3f} s in one process"
    )
    print(f"two processes on this machine do {speedup:.2f}x the work of one")
    floor = start + (cst_seconds + ast_seconds) / max(speedup, 1.0)
    print(f"floor of a cold run (start + parses / speed-up): {floor:6.3f} s")
    print(f"floor of a run that parses one edited file (start): {start:6.3f} s")


if __name__ == "__main__":
    main()
