"""A whole run: discover the files, then reuse the last run's result when nothing it read has
changed, else analyse them (:mod:`checker.analysis`, imported only then: it needs libcst)."""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from checker.cache import DIRECTORY as CACHE_DIRECTORY
from checker.cache import Cache, digest
from checker.config import Config
from checker.discover import SourceFile, read_sources
from checker.files import absolute, display_path, project_root, relative_to
from checker.model import Finding, TaskSummary

if TYPE_CHECKING:
    from checker.index import ProjectIndex


@dataclasses.dataclass
class RunResult:
    findings: list[Finding]
    tasks: list[TaskSummary]
    files: int  # Python files considered
    notes: list[str]  # one line each, printed on stderr
    selected: tuple[str, ...]
    # files that may define tasks but could not be analysed
    unanalysed: list[str] = dataclasses.field(default_factory=list)
    # How the project spells Celery settings: "CELERY" for Django's namespaced settings, "" for
    # Celery's own lower-case names (advice in messages is worded the same way).
    setting_prefix: str = ""
    index: ProjectIndex | None = None  # the project index the files were analysed with (for fixes)


def run(
    paths: list[Path],
    config: Config,
    codes: tuple[str, ...],
    jobs: int | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    stdin: tuple[Path, bytes] | None = None,
    reuse: bool = True,
) -> RunResult:
    """Analyse ``paths``.

    When every path is a file (as pre-commit passes the staged files) and they sit in a project,
    the whole project is read so that cross-file facts (configuration, tests, beat, routes,
    callers) stay true, but only findings and tasks in those files are reported.

    ``stdin`` is a source read from standard input and the path it stands for: it is analysed in
    place of that file (which need not exist), as part of the project around it.

    With a cache, a run whose inputs (every file's path and modification time and size, the
    configuration, the selected codes, Celery and the analyser itself) are those of an earlier
    run gives that run's result without analysing anything; ``reuse=False`` asks for the project
    index as well (fixes need it), which such a result does not keep.
    """
    overrides = None
    if stdin is not None:
        paths = [stdin[0]]
        overrides = {os.path.abspath(stdin[0]): stdin[1]}
    notes: list[str] = []
    root = project_root(paths[0]) if paths else None
    cache = None
    if use_cache and (cache_dir is not None or root is not None):
        cache = Cache.open(cache_dir or (root or Path.cwd()) / CACHE_DIRECTORY)
    # What earlier runs learnt about unchanged files (they are then not even read).
    # (``exclude`` only decides what is reported: excluded files are read all the same.)
    manifest = digest("manifest", str(root), sorted(config.task_decorators))
    remembered = cache.get(manifest) if cache is not None else None
    known = remembered if isinstance(remembered, dict) else None
    if stdin is not None and root is None:  # a file in no project: analysed alone
        files = [SourceFile(display_path(paths[0]), "", False, stdin[1])]
        return _execute(files, config, codes, jobs, notes, root, None, "", reuse)
    if root is None or (overrides is None and (not paths or not all(p.is_file() for p in paths))):
        files = read_sources(paths, config, notes, known)
        # Without a project root, a single directory named is where test roots are looked for.
        if root is None and len(paths) == 1 and paths[0].is_dir():
            top: Path | None = absolute(paths[0])
        else:
            top = root
        return _execute(files, config, codes, jobs, notes, top, cache, manifest, reuse)
    focus = {display_path(p) for p in paths}
    files = read_sources([root], config, notes, known, overrides)
    seen = {s.display for s in files}
    rest = [p for p in paths if display_path(p) not in seen and (overrides is None or p.exists())]
    files += read_sources(rest, config, notes, known, overrides)
    if overrides is not None:
        location = os.path.abspath(paths[0])
        display = relative_to(location, os.getcwd()) or display_path(paths[0])
        focus = {display}
        if not any(s.location == location for s in files):  # not on disk (yet), or excluded
            files.append(SourceFile(display, "", False, overrides[location], location=location))
    result = _execute(files, config, codes, jobs, notes, root, cache, manifest, reuse)
    return RunResult(
        findings=[f for f in result.findings if f.path in focus],
        tasks=[t for t in result.tasks if t.path in focus],
        files=len(focus),
        notes=result.notes,
        selected=result.selected,
        index=result.index,
        unanalysed=[path for path in result.unanalysed if path in focus],
        setting_prefix=result.setting_prefix,
    )


def celery_version() -> str:
    """Which Celery is installed: its location and the modification time of its package (cheaper
    than reading the distribution's metadata, and it changes with every install)."""
    spec = importlib.util.find_spec("celery")
    origin = spec.origin if spec is not None else None
    if not origin:
        return ""
    try:
        return f"{origin}:{os.stat(origin).st_mtime_ns}"
    except OSError:
        return origin


def _execute(
    files: list[SourceFile],
    config: Config,
    codes: tuple[str, ...],
    jobs: int | None,
    notes: list[str],
    root: Path | None,
    cache: Cache | None,
    manifest: str,
    reuse: bool,
) -> RunResult:
    """The result of analysing ``files``: the last run's when its inputs were the same."""
    key = _run_key(files, config, codes, root) if cache is not None and reuse else ""
    if cache is not None and key:
        hit = cache.get(key)
        if isinstance(hit, RunResult):
            notes.extend(hit.notes)
            return dataclasses.replace(hit, notes=notes)
    from checker.analysis import execute

    first = len(notes)
    result = execute(files, config, codes, jobs, notes, root, cache, manifest)
    if cache is not None and key:
        cache.put(key, dataclasses.replace(result, notes=result.notes[first:], index=None))
    return result


# Files beside the Python files that change how they are read: module names start below a
# directory holding one of these; at the project root, pytest's configuration says where the
# tests are.
_MARKERS = ("pyproject.toml", "setup.cfg", ".git")
_ROOT_MARKERS = ("pytest.ini", "tox.ini")


def _run_key(files: list[SourceFile], config: Config, codes: tuple[str, ...], root: Path | None) -> str:
    """What a run's result depends on. A file is known by its path and its modification time
    and size (as for the per-file cache); one given in memory (standard input) by its content."""
    listed = [
        (s.display, s.location, s.stamp, s.reported, s.is_test, s.module, None if s.stamp else digest(s.data))
        for s in files
    ]
    directories = {os.path.dirname(s.location) for s in files if s.location}
    for directory in list(directories):
        while directory and (root is None or len(directory) > len(str(root))):
            parent = os.path.dirname(directory)
            if parent == directory or parent in directories:
                break
            directories.add(parent)
            directory = parent
    if root is not None:
        directories.add(str(root))
    markers = []
    for directory in sorted(directories):
        for name in _MARKERS + _ROOT_MARKERS if root is not None and directory == str(root) else _MARKERS:
            try:
                status = os.stat(os.path.join(directory, name))
            except OSError:
                continue
            # a directory (``.git``) counts by its existence: it changes with every commit
            stamp = None if stat.S_ISDIR(status.st_mode) else (status.st_mtime_ns, status.st_size)
            markers.append((directory, name, stamp))
    return digest("run", celery_version(), config, codes, str(root), listed, markers)
