"""Stage 1, discover: the Python files of a run, read from disk (or, for a file unchanged since
an earlier run, what that run learnt about it, without reading it)."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple, Optional

from checker.cache import digest
from checker.config import Config
from checker.files import Excluder, display_path, python_file_names, relative_to
from checker.screen import extra_tokens, may_matter


@dataclasses.dataclass(frozen=True)
class SourceFile:
    display: str  # path relative to the working directory, forward slashes
    module: str  # dotted module name ("" when unknown)
    is_package: bool
    data: bytes
    is_test: bool = False  # a test file (test-file globs or a test root)
    reported: bool = True  # False when ``exclude`` matches it: it still counts as knowledge
    imports_only: bool = False  # read only for what it imports (CT301 follows re-exports)
    location: str = ""  # absolute path on disk ("" for sources given in memory)
    # Known from an earlier run for an unchanged file (then ``data`` may be left unread):
    stamp: tuple[int, int] | None = None  # (mtime in ns, size) when read or looked up
    digest: str = ""  # content digest
    matters: bool | None = None  # passes the byte prefilter
    indexes: bool | None = None  # may add to the project index (``Celery(`` or a Task class)
    # the words of its import statements (empty without any), once a run needed them
    imported: frozenset[bytes] | None = None
    # a test file: whether it names one of the tasks' names (the digest of those names, the answer)
    screened: tuple[str, bool] | None = None

    def loaded(self) -> SourceFile:
        """This source with its bytes (read now if an earlier run let us skip them)."""
        if self.data or not self.location:
            return self
        try:
            return dataclasses.replace(self, data=read_file(self.location))
        except OSError:
            return self


class Known(NamedTuple):
    """What a run learnt about a file, reused while its modification time and size hold.

    A named tuple: the manifest holds one per file and unpickles fast."""

    stamp: tuple[int, int]
    digest: str
    matters: bool | None  # None: not screened (a test file)
    indexes: bool


def read_file(location: str) -> bytes:
    with open(location, "rb") as handle:
        return handle.read()


def read_sources(
    paths: list[Path],
    config: Config,
    notes: list[str],
    known: dict[str, Known] | None = None,
    overrides: dict[str, bytes] | None = None,
) -> list[SourceFile]:
    """Every Python file under ``paths``, read, or looked up in ``known`` when unchanged;
    ``overrides`` gives the content of files by absolute path (the source read from stdin)."""
    excluder = Excluder(config.exclude, config.root)
    extra = extra_tokens(config)
    files = python_file_names(paths, excluder, notes.append, config.example_dirs)
    sources: list[SourceFile] = []
    cwd = os.getcwd()
    for path, excluded in files:
        location = os.path.abspath(path)
        display = relative_to(location, cwd) or display_path(path)
        if overrides is not None and location in overrides:
            sources.append(
                SourceFile(display, "", False, overrides[location], location=location, reported=not excluded)
            )
            continue
        try:
            status = os.stat(location)
            stamp = (status.st_mtime_ns, status.st_size)
            previous = known.get(location) if known else None
            if previous is not None and previous.stamp == stamp:
                sources.append(
                    SourceFile(
                        display,
                        "",
                        False,
                        b"",
                        location=location,
                        stamp=stamp,
                        digest=previous.digest,
                        matters=previous.matters,
                        indexes=previous.indexes,
                        reported=not excluded,
                    )
                )
                continue
            data = read_file(location)
        except IsADirectoryError:
            notes.append(f"{display}: is a directory, skipped")
            continue
        except OSError as error:
            notes.append(f"{display}: cannot read ({error.strerror or error}), skipped")
            continue
        if _symlink_placeholder(data, location):
            notes.append(
                f"{display}: holds only the path of another file (a git symlink checked out as text), skipped"
            )
            continue
        # The module name is worked out later, only for the files that are kept. A file that
        # cannot matter is not kept in memory: the few stages that need it read it again.
        matters = may_matter(data, extra)
        sources.append(
            SourceFile(
                display,
                "",
                False,
                data if matters else b"",
                location=location,
                stamp=stamp,
                reported=not excluded,
                matters=matters,
                digest=digest(data) if matters else "",
            )
        )
    return sources


_PLACEHOLDER = re.compile(rb"[\w.-]+(?:/[\w.-]+)*\.py")


def _symlink_placeholder(data: bytes, location: str) -> bool:
    """The file is a git symlink written as a text file holding its target's relative path (a
    checkout with ``core.symlinks=false``, an archive that kept no links), and the target exists:
    the target is the module; the placeholder is no Python a worker imports."""
    if len(data) > 1024:
        return False
    target = data.rstrip(b"\n")
    if not _PLACEHOLDER.fullmatch(target) or b"/" not in target:
        return False
    return os.path.isfile(os.path.join(os.path.dirname(location), os.fsdecode(target)))


def known_files(sources: Sequence[SourceFile]) -> dict[str, Known]:
    """What to remember of these files for the next run (read by every run: kept small)."""
    return {
        s.location: Known(s.stamp, s.digest, None if s.is_test else s.matters, bool(s.indexes))
        for s in sources
        if s.location and s.stamp is not None and (s.is_test or s.matters is not None)
    }


# What a run learnt about a file beyond :class:`Known` (read only by runs that analyse):
# its stamp, the words of its import statements, whether it names the tasks' names (test files).
Learnt = tuple[tuple[int, int], Optional[frozenset[bytes]], Optional[tuple[str, bool]]]


def learnt_files(
    sources: Sequence[SourceFile],
    imported: dict[str, frozenset[bytes]],
    screened: dict[str, tuple[str, bool]],
) -> dict[str, Learnt]:
    """``imported``: the import words of the files this run read for them; ``screened``: the
    test files this run screened for names."""
    found: dict[str, Learnt] = {}
    for s in sources:
        if s.location and s.stamp is not None:
            words = imported.get(s.location, s.imported)
            answer = screened.get(s.location, s.screened)
            if words is not None or answer is not None:
                found[s.location] = (s.stamp, words, answer)
    return found


def with_learnt(files: list[SourceFile], learnt: dict[str, Learnt]) -> list[SourceFile]:
    """The files with what an earlier run learnt about each, while its stamp holds."""
    result = []
    for source in files:
        known = learnt.get(source.location) if source.location else None
        if known is not None and known[0] == source.stamp:
            source = dataclasses.replace(source, imported=known[1], screened=known[2])
        result.append(source)
    return result
