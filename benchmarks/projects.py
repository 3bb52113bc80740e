"""What the benchmark scripts share: the project to time (a copy of a real checkout, or a
generated one), the task module a pre-commit run checks, and the command that runs ours."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from generate import generate

# Never copied: version-control metadata, caches (ours included: a run must start from nothing
# and must never write into the user's tree) and installed environments, which every tool skips.
NOT_COPIED = (
    ".git",
    ".hg",
    ".svn",
    ".celery-checklist-cache",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    "node_modules",
)

# A line decorating a function as a Celery task: `@shared_task`, `@app.task`, `@celery_app.task(...)`
# (a bare `@task` is left out: invoke's; a mention in a docstring does not start the line).
TASK_DEFINITION = re.compile(r"^[ \t]*@(?:shared_task|[\w.]*\.task)\b", re.MULTILINE)


def copy_checkout(source: Path, destination: Path) -> None:
    """Copy a checkout into ``destination`` (symlinks kept as links) without the files in
    ``NOT_COPIED``."""
    if not source.is_dir():
        sys.exit(f"{source}: not a directory")
    shutil.copytree(source, destination, symlinks=True, ignore=shutil.ignore_patterns(*NOT_COPIED))


def make_project(destination: Path, project: Path | None, files: int) -> None:
    """A copy of ``project`` or a generated project of ``files`` Python files at ``destination``,
    made a project root by an (empty) ``.git`` directory, as a real checkout is."""
    if project is not None:
        copy_checkout(project, destination)
    else:
        generate(destination, files)
    (destination / ".git").mkdir(exist_ok=True)


def make_copies(destination: Path, project: Path | None, files: int, copies: int) -> None:
    """``copies`` copies of the project side by side (``a/``, ``b/``, ...) under one root with
    one ``.git``."""
    destination.mkdir(parents=True)
    first = destination / "a"
    if project is not None:
        copy_checkout(project, first)
    else:
        generate(first, files)
    for index in range(1, copies):
        shutil.copytree(first, destination / "abcdefghijklmnopqrstuvwxyz"[index], symlinks=True)
    (destination / ".git").mkdir()


def add_project_arguments(parser: argparse.ArgumentParser, repeat: int, repeat_help: str) -> None:
    """The options every script measuring one project shares: which project, how many rounds."""
    parser.add_argument(
        "--project", type=Path, help="a real checkout (copied first; default: a generated project)"
    )
    parser.add_argument("--files", type=int, default=5000, help="Python files of the generated project")
    parser.add_argument("--repeat", type=int, default=repeat, help=f"{repeat_help} (default: {repeat})")


def python_files(root: Path) -> list[Path]:
    """The Python files under ``root`` outside hidden directories (what a run is about)."""
    found = []
    for directory, subdirectories, names in os.walk(root):
        subdirectories[:] = sorted(d for d in subdirectories if not d.startswith("."))
        found.extend(Path(directory, name) for name in sorted(names) if name.endswith(".py"))
    return found


def size_mb(files: list[Path]) -> float:
    return sum(path.stat().st_size for path in files if not path.is_symlink()) / 1e6


def _is_test(relative: Path) -> bool:
    return any(part in ("tests", "test", "testing") for part in relative.parts[:-1]) or (
        relative.name.startswith("test_")
        or relative.name.endswith("_test.py")
        or relative.name == "conftest.py"
    )


def task_module(root: Path, chosen: str | None = None) -> str:
    """The module a pre-commit run checks: ``chosen`` (relative to ``root``), or else the first
    file, in path order, that defines a task and is neither a test nor in a hidden directory."""
    if chosen:
        if not (root / chosen).is_file():
            sys.exit(f"--hook-file {chosen}: no such file in the project")
        return chosen
    for path in python_files(root):
        relative = path.relative_to(root)
        if _is_test(relative):
            continue
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        if TASK_DEFINITION.search(text):
            return relative.as_posix()
    sys.exit(f"{root}: no file defines a Celery task; name one with --hook-file")


# Words whose absence tells a module holds no Celery code (the analyser's byte screen does not
# parse such a module): a pre-commit run on it needs no parse.
_CELERY_WORDS = (
    b"task",
    b"celery",
    b"crontab",
    b"beat",
    b"broker",
    b"pickle",
    b"delay",
    b"logger",
    b"backend",
)


def plain_module(root: Path) -> str | None:
    """The first module, in path order, that is not a test and holds none of those words."""
    for path in python_files(root):
        relative = path.relative_to(root)
        if _is_test(relative):
            continue
        try:
            data = path.read_bytes().lower()
        except OSError:
            continue
        if data.strip() and not any(word in data for word in _CELERY_WORDS):
            return relative.as_posix()
    return None


def ours(command: str | None) -> list[str]:
    """How to run our analyser: ``command``, else the console script installed beside this
    Python, else the one on PATH, else ``python -m checker``."""
    if command:
        return [command]
    beside = Path(sys.executable).parent / ("celery-checklist.exe" if os.name == "nt" else "celery-checklist")
    if beside.exists():
        return [str(beside)]
    found = shutil.which("celery-checklist")
    return [found] if found else [sys.executable, "-m", "checker"]
