"""Finding the Python files to analyse, and the module name each one is imported under."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from checker.config import EXAMPLE_DIRS

if TYPE_CHECKING:
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


def relative_to(path: str, directory: str) -> str | None:
    """``path`` (absolute) relative to ``directory`` (absolute) with forward slashes, if below it."""
    prefix = directory.rstrip(os.sep) + os.sep
    if path.startswith(prefix):
        return path[len(prefix) :].replace(os.sep, "/")
    return None


def display_path(path: Path | str) -> str:
    """The path relative to the working directory when below it, always with forward slashes."""
    below = relative_to(os.path.abspath(path), os.getcwd())
    if below is not None:
        return below
    try:
        text = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        text = str(path)
    if text.startswith(".." + os.sep) or text == "..":
        text = str(absolute(Path(path)))
    return text.replace(os.sep, "/")


def _is_virtualenv(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg")) or os.path.isdir(
        os.path.join(directory, "conda-meta")
    )


def _gitignore(directory: Path) -> pathspec.GitIgnoreSpec | None:
    import pathspec  # (imported only when there are patterns: it takes a while to import)

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

    def __init__(self, start: str) -> None:
        self.specs: list[tuple[str, pathspec.GitIgnoreSpec]] = []
        root = _repository_root(Path(start))
        if root is not None:
            chain = [Path(start), *Path(start).parents]
            for directory in reversed(chain[: chain.index(root) + 1]):
                self.add(str(directory))

    def add(self, directory: str) -> None:
        spec = _gitignore(Path(directory))
        if spec is not None:
            self.specs.append((directory, spec))

    def ignored(self, path: str, is_dir: bool) -> bool:
        for directory, spec in self.specs:
            relative = relative_to(path, directory)
            if relative is not None and spec.match_file(relative + "/" if is_dir else relative):
                return True
        return False


class Excluder:
    """The configured ``exclude`` patterns (gitignore syntax, relative to the config's folder)."""

    def __init__(self, patterns: list[str], root: Path | None) -> None:
        self.root = str(absolute(root or Path.cwd()))
        self.spec: pathspec.GitIgnoreSpec | None = None
        if patterns:
            import pathspec

            self.spec = pathspec.GitIgnoreSpec.from_lines(patterns)

    def excluded(self, path: Path | str, is_dir: bool = False) -> bool:
        if self.spec is None:
            return False
        relative = relative_to(os.path.realpath(path), self.root)
        if relative is None:
            relative = Path(path).as_posix()
        return bool(self.spec.match_file(relative + "/" if is_dir else relative))


class Found(NamedTuple):
    """A Python file to read: absolute for walked files, as given otherwise."""

    path: str
    excluded: bool  # matched by ``exclude``: read for what it tells, never reported


def python_files(paths: list[Path], excluder: Excluder, warn: Warn) -> list[Path]:
    """Every Python file under ``paths`` that is not excluded, in a stable order, without duplicates."""
    return [Path(found.path) for found in python_file_names(paths, excluder, warn) if not found.excluded]


def python_file_names(
    paths: list[Path], excluder: Excluder, warn: Warn, example_dirs: Collection[str] = EXAMPLE_DIRS
) -> list[Found]:
    """Every Python file under ``paths``, excluded ones flagged, in a stable order, without
    duplicates. Hidden directories, and example trees (``example_dirs``) below a named
    directory, are not walked; a path named explicitly is always read."""
    seen: set[str] = set()
    result: list[Found] = []
    for path in paths:
        if not path.exists():
            warn(f"{display_path(path)}: no such file or directory, skipped")
            continue
        if path.is_dir():
            # walked paths are absolute and unique: links to directories are not followed
            candidates = [(found, found.path) for found in _walk(path, excluder, warn, example_dirs)]
        else:
            candidates = [(Found(str(path), excluder.excluded(path)), str(absolute(path)))]
        for candidate, key in candidates:
            if key not in seen:
                seen.add(key)
                result.append(candidate)
    return result


def _example_tree(directory: str, name: str, example_dirs: Collection[str]) -> bool:
    """``directory/name`` holds examples, benchmarks or docs, not a subpackage of the project
    (a Django app named ``docs`` inside a package is production code)."""
    return name in example_dirs and not os.path.isfile(os.path.join(directory, "__init__.py"))


def _walk(top: Path, excluder: Excluder, warn: Warn, example_dirs: Collection[str]) -> Iterator[Found]:
    """The Python files below ``top`` (absolute paths), flagged when ``exclude`` matches them."""
    absolute_top = str(absolute(top))
    ignores = _Ignores(absolute_top)
    excluded_dirs: set[str] = set()

    def on_error(error: OSError) -> None:
        warn(
            f"{display_path(Path(error.filename or top))}: cannot list directory ({error.strerror}), skipped"
        )

    for directory, dirnames, filenames in os.walk(absolute_top, onerror=on_error):
        if directory != absolute_top and ".gitignore" in filenames:
            ignores.add(directory)
        inside_excluded = directory in excluded_dirs or (
            directory == absolute_top and excluder.excluded(directory, True)
        )
        kept = []
        for name in sorted(dirnames):
            child = os.path.join(directory, name)
            # A worker never imports from hidden directories, virtual environments or build trees.
            if name.startswith(".") or name in SKIP_DIRS or name.endswith(".egg-info"):
                continue
            if _is_virtualenv(child) or _example_tree(directory, name, example_dirs):
                continue
            if ignores.ignored(child, True):
                continue
            if inside_excluded or excluder.excluded(child, True):
                excluded_dirs.add(child)
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if not name.endswith(PYTHON_SUFFIXES):
                continue
            child = os.path.join(directory, name)
            if ignores.ignored(child, False):
                continue
            yield Found(child, inside_excluded or excluder.excluded(child))


def hidden(relative: str) -> bool:
    """A directory part of ``relative`` (a path below the project) starts with a dot: no worker
    imports from there."""
    return any(part.startswith(".") and part not in (".", "..") for part in relative.split("/")[:-1])


def importable(module: str) -> bool:
    """A worker can import ``module``: every part of its dotted name is an identifier, or one
    that starts with a digit (Django imports its migrations, ``0001_initial``, by name).
    ``my-fixture`` or ``foo bar`` can never be registered."""
    return bool(module) and all(f"_{part}".isidentifier() for part in module.split("."))


# A directory holding one of these is where a project's imports start (its sys.path entry).
ROOT_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "manage.py", ".git")


@functools.cache
def _is_package_dir(directory: str) -> bool:
    return os.path.isfile(os.path.join(directory, "__init__.py"))


@functools.cache
def _is_import_root(directory: str) -> bool:
    return os.path.basename(directory) == "src" or any(
        os.path.exists(os.path.join(directory, marker)) for marker in ROOT_MARKERS
    )


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


def module_name(path: Path | str) -> tuple[str, bool]:
    """The dotted name Python imports ``path`` under, and whether it is a package's ``__init__``.

    Walks up through directories holding an ``__init__.py`` (and directories without one whose
    parent holds one: namespace portions inside a package); the first other directory is the
    import root (which handles ``src/`` layouts), and so is a directory whose name is not an
    identifier (it cannot be a package). A module outside any regular package is
    part of a namespace package: its name runs up to the nearest directory that looks like an
    import root (holding ``pyproject.toml``, ``setup.py``, ``setup.cfg``, ``manage.py`` or
    ``.git``, or named ``src``), when there is one.
    """
    location = os.path.abspath(path)
    directory, name = os.path.split(location)
    if name == "__init__.py":
        return ".".join(_package_parts(directory)), True
    stem = os.path.splitext(name)[0]
    if not _is_package_dir(directory):
        namespace = _namespace_parts(directory)
        return ".".join([*namespace, stem]) if namespace is not None else stem, False
    return ".".join([*_package_parts(directory), stem]), False


@functools.cache
def _namespace_parts(directory: str) -> tuple[str, ...] | None:
    """The dotted parts of a directory outside any regular package, up to the nearest import
    root (None when there is none within eight levels)."""
    namespace: list[str] = []
    probe = directory
    while not _is_import_root(probe) and os.path.dirname(probe) != probe:
        namespace.append(os.path.basename(probe))
        probe = os.path.dirname(probe)
    if os.path.dirname(probe) != probe and len(namespace) <= 8:
        return tuple(reversed(namespace))
    return None


@functools.cache
def _package_parts(directory: str) -> tuple[str, ...]:
    """The dotted parts of the package ``directory`` is (empty for an import root).

    A directory without ``__init__.py`` inside a regular package is a namespace portion of that
    package (``pkg/api/v3/views.py`` with ``pkg/__init__.py`` and ``pkg/api/v3/__init__.py`` is
    ``pkg.api.v3.views``), not an import root. A directory whose name is not an identifier (a
    checkout named ``my-project`` that holds a stray ``__init__.py``) cannot be a package anyone
    imports: it is the import root; so is one the project runs from (:func:`_runs_from`)."""
    parent, name = os.path.split(directory)
    if parent == directory or not name.isidentifier() or _runs_from(directory):
        return ()
    if not _is_package_dir(directory) and _has_marker(directory):
        # a distribution's own root (``src/edx_sysadmin/pyproject.toml`` in a workspace of
        # plugins): its packages are imported from there, whatever ``__init__.py`` lies above
        return ()
    if not (_is_package_dir(directory) or _is_package_dir(parent)):
        if not _namespace_portion(directory):
            return ()
        return (*_package_parts(parent), name) if _nested_portion(directory) else (name,)
    return (*_package_parts(parent), name)


@functools.cache
def _namespace_portion(directory: str) -> bool:
    """A PEP 420 namespace package right below a distribution's root: no ``__init__.py``, no
    module of its own, only packages, and its parent holds ``pyproject.toml``, ``setup.py`` or
    ``setup.cfg`` (ol-django's ``src/scim/mitol/scim/`` is ``mitol.scim``)."""
    if _nested_portion(directory):
        return True
    parent = os.path.dirname(directory)
    if os.path.basename(parent) == "src" and not _has_marker(parent):
        parent = os.path.dirname(parent)  # a src layout: ``src/palace/`` of the checkout's distribution
    if _is_import_root(directory) or not _has_marker(parent):
        return False  # ``src/`` is where packages are imported from, not one of them
    if _normalised(os.path.basename(directory)) in _distribution_names(parent):
        return True  # the distribution's own package (waterbutler's ``waterbutler/``, modules and all)
    try:
        entries = os.listdir(directory)
    except OSError:
        return False
    return not any(e.endswith(".py") for e in entries) and any(
        _is_package_dir(os.path.join(directory, e)) for e in entries
    )


@functools.cache
def _nested_portion(directory: str) -> bool:
    """A namespace portion inside another one: no ``__init__.py``, a package in it, below a
    portion right under the distribution's root (zentral's ``zentral/contrib/`` and
    ``zentral/core/``, below ``zentral/``: ``zentral.contrib.inventory.tasks``)."""
    parent = os.path.dirname(directory)
    if parent == directory or _is_package_dir(directory) or _is_package_dir(parent):
        return False
    if _is_import_root(directory) or not os.path.basename(directory).isidentifier():
        return False
    if not _namespace_portion(parent):
        return False
    try:
        entries = os.listdir(directory)
    except OSError:
        return False
    return any(_is_package_dir(os.path.join(directory, e)) for e in entries)


_SETTINGS_MODULE = re.compile(rb"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([A-Za-z_]\w*)\.""")


def _django_root(directory: str) -> bool:
    """``directory`` holds Django's ``manage.py`` whose settings module lies below it
    (``os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jumpserver.settings")`` beside a
    ``jumpserver/`` package): Django runs the project from there."""
    try:
        with open(os.path.join(directory, "manage.py"), "rb") as handle:
            data = handle.read(65536)
    except OSError:
        return False
    found = _SETTINGS_MODULE.search(data)
    return (
        found is not None
        and b"execute_from_command_line" in data
        and os.path.isdir(os.path.join(directory, found.group(1).decode()))
    )


# ``name = "waterbutler"`` in ``setup.py``, ``setup.cfg`` or ``pyproject.toml``
_DISTRIBUTION_NAME = re.compile(rb"""(?m)^\s*name\s*=\s*["']?([A-Za-z0-9][A-Za-z0-9._-]*)""")


def _normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.cache
def _has_marker(directory: str) -> bool:
    return any(
        os.path.isfile(os.path.join(directory, m)) for m in ("pyproject.toml", "setup.py", "setup.cfg")
    )


def _distribution_names(directory: str) -> frozenset[str]:
    """The names the distribution at ``directory`` declares (normalised), from its
    ``pyproject.toml``, ``setup.cfg`` or ``setup.py``."""
    names: set[str] = set()
    for marker in ("pyproject.toml", "setup.cfg", "setup.py"):
        try:
            with open(os.path.join(directory, marker), "rb") as handle:
                data = handle.read(65536)
        except OSError:
            continue
        found = _DISTRIBUTION_NAME.search(data)
        if found:
            names.add(_normalised(found.group(1).decode()))
    return frozenset(names)


@functools.cache
def _runs_from(directory: str) -> bool:
    """The project runs from ``directory``: it holds ``manage.py``, ``setup.py``, ``setup.cfg``
    or ``pyproject.toml``, and no directory above it is a package or holds one of those. Its
    modules are imported from there, so a stray ``__init__.py`` beside them does not make it a
    package (mitxonline's ``shop.tasks``, not ``mitxonline.shop.tasks``). A Django ``manage.py``
    whose settings package lies beside it says so whatever lies above. A package's own
    ``manage.py`` or ``setup.py`` module (lemur's ``lemur/manage.py`` below the checkout's
    ``setup.py``, bookwyrm's ``views/setup.py``) is not such a sign."""
    if not any(os.path.isfile(os.path.join(directory, m)) for m in ROOT_MARKERS if m != ".git"):
        return False
    if _django_root(directory):
        return True  # whatever lies above (jumpserver's ``apps/`` below a ``pyproject.toml``)
    probe = os.path.dirname(directory)
    for _ in range(8):
        if _is_package_dir(probe) or any(
            os.path.exists(os.path.join(probe, m)) for m in ROOT_MARKERS if m != ".git"
        ):
            return False
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    return True
