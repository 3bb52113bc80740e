"""Finding the Python files to analyse, and the module name each one is imported under."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pathspec

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".tox",
        ".nox",
        ".venv",
        "venv",
        ".eggs",
        "node_modules",
        "build",
        "dist",
        "__pycache__",
        "site-packages",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".celery-checklist-cache",
    }
)
PYTHON_SUFFIXES = (".py", ".pyw")

Warn = Callable[[str], None]


def absolute(path: Path) -> Path:
    """The absolute, symlink-free path; never raises, even on a symlink loop."""
    return Path(os.path.realpath(path))


def display_path(path: Path) -> str:
    """The path relative to the working directory when below it, always with forward slashes."""
    try:
        text = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        text = str(path)
    if text.startswith(".." + os.sep) or text == "..":
        text = str(absolute(path))
    return text.replace(os.sep, "/")


def _is_virtualenv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file() or (directory / "conda-meta").is_dir()


def _gitignore(directory: Path) -> pathspec.GitIgnoreSpec | None:
    ignore_file = directory / ".gitignore"
    try:
        lines = ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _repository_root(start: Path) -> Path | None:
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


class _Ignores:
    """The ``.gitignore`` files that apply to a walk, each relative to its own directory."""

    def __init__(self, start: Path) -> None:
        self.specs: list[tuple[Path, pathspec.GitIgnoreSpec]] = []
        root = _repository_root(start)
        if root is not None:
            chain = [start, *start.parents]
            for directory in reversed(chain[: chain.index(root) + 1]):
                self.add(directory)

    def add(self, directory: Path) -> None:
        spec = _gitignore(directory)
        if spec is not None:
            self.specs.append((directory, spec))

    def ignored(self, path: Path, is_dir: bool) -> bool:
        for directory, spec in self.specs:
            try:
                relative = path.relative_to(directory).as_posix()
            except ValueError:
                continue
            if spec.match_file(relative + "/" if is_dir else relative):
                return True
        return False


class Excluder:
    """The configured ``exclude`` patterns (gitignore syntax, relative to the config's folder)."""

    def __init__(self, patterns: list[str], root: Path | None) -> None:
        self.root = absolute(root or Path.cwd())
        self.spec = pathspec.GitIgnoreSpec.from_lines(patterns) if patterns else None

    def excluded(self, path: Path, is_dir: bool = False) -> bool:
        if self.spec is None:
            return False
        location = absolute(path)
        try:
            relative = location.relative_to(self.root).as_posix()
        except ValueError:
            relative = path.as_posix()
        return bool(self.spec.match_file(relative + "/" if is_dir else relative))


def python_files(paths: list[Path], excluder: Excluder, warn: Warn) -> list[Path]:
    """Every Python file under ``paths``, in a stable order, without duplicates."""
    seen: set[Path] = set()
    result: list[Path] = []
    for path in paths:
        if not path.exists():
            warn(f"{display_path(path)}: no such file or directory, skipped")
            continue
        candidates = [path] if not path.is_dir() else list(_walk(path, excluder, warn))
        for candidate in candidates:
            if path is candidate and excluder.excluded(candidate):
                continue
            key = absolute(candidate)
            if key not in seen:
                seen.add(key)
                result.append(candidate)
    return result


def _walk(top: Path, excluder: Excluder, warn: Warn) -> Iterator[Path]:
    absolute_top = absolute(top)
    ignores = _Ignores(absolute_top)

    def on_error(error: OSError) -> None:
        warn(
            f"{display_path(Path(error.filename or top))}: cannot list directory ({error.strerror}), skipped"
        )

    for directory, dirnames, filenames in os.walk(top, onerror=on_error):
        here = Path(directory)
        location = absolute_top / here.relative_to(top)
        if location != absolute_top:
            ignores.add(location)
        kept = []
        for name in sorted(dirnames):
            child = location / name
            if name in SKIP_DIRS or name.endswith(".egg-info") or _is_virtualenv(child):
                continue
            if ignores.ignored(child, True) or excluder.excluded(child, True):
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if not name.endswith(PYTHON_SUFFIXES):
                continue
            child = location / name
            if ignores.ignored(child, False) or excluder.excluded(child):
                continue
            yield here / name


# A directory holding one of these is where a project's imports start (its sys.path entry).
ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "manage.py", ".git")


@functools.lru_cache(maxsize=4096)
def _is_package_dir(directory: Path) -> bool:
    return (directory / "__init__.py").is_file()


@functools.lru_cache(maxsize=4096)
def _is_import_root(directory: Path) -> bool:
    return directory.name == "src" or any((directory / marker).exists() for marker in ROOT_MARKERS)


def project_root(path: Path) -> Path | None:
    """The nearest directory at or above ``path`` holding ``pyproject.toml``, ``setup.cfg`` or
    ``.git``: the project's root."""
    start = absolute(path)
    if not start.is_dir():
        start = start.parent
    for candidate in (start, *start.parents):
        if any((candidate / marker).exists() for marker in ("pyproject.toml", "setup.cfg", ".git")):
            return candidate
    return None


def module_name(path: Path) -> tuple[str, bool]:
    """The dotted name Python imports ``path`` under, and whether it is a package's ``__init__``.

    Walks up through directories holding an ``__init__.py``; the first directory without one is
    the import root (which handles ``src/`` layouts). A module outside any regular package is
    part of a namespace package: its name runs up to the nearest directory that looks like an
    import root (holding ``pyproject.toml``, ``setup.py``, ``setup.cfg``, ``manage.py`` or
    ``.git``, or named ``src``), when there is one.
    """
    location = Path(os.path.abspath(path))
    is_package = location.name == "__init__.py"
    parts = [] if is_package else [location.stem]
    directory = location.parent
    if not is_package and not _is_package_dir(directory):
        namespace: list[str] = []
        probe = directory
        while not _is_import_root(probe) and probe.parent != probe:
            namespace.append(probe.name)
            probe = probe.parent
        if probe.parent != probe and len(namespace) <= 8:
            return ".".join([*reversed(namespace), location.stem]), False
        return location.stem, False
    while _is_package_dir(directory) and directory.parent != directory:
        parts.append(directory.name)
        directory = directory.parent
    return ".".join(reversed(parts)), is_package
