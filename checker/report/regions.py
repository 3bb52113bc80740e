"""Regions that highlight something: an empty region becomes the rest of its line."""

from __future__ import annotations

import dataclasses
import functools
import os
from collections.abc import Iterable

from checker.model import Finding


def lines_of(path: str) -> tuple[str, ...]:
    """The lines of a file (empty if it cannot be read), cached while it is unchanged."""
    try:
        status = os.stat(path)
    except OSError:
        return ()
    return _read(os.path.abspath(path), status.st_mtime_ns, status.st_size)


@functools.lru_cache(maxsize=256)
def _read(path: str, mtime: int, size: int) -> tuple[str, ...]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return tuple(handle.read().splitlines())
    except OSError:
        return ()


def widen(findings: Iterable[Finding]) -> list[Finding]:
    """Each finding with an empty region (a position, not a range: a task's name found by a
    project-wide rule, say) made to cover its line from its column to the line's last
    non-blank character, or one character when the line cannot be read."""
    result = []
    for finding in findings:
        if (finding.end_line, finding.end_column) > (finding.line, finding.column):
            result.append(finding)
            continue
        lines = lines_of(finding.path)
        text = lines[finding.line - 1].rstrip() if 0 < finding.line <= len(lines) else ""
        end = max(len(text) + 1, finding.column + 1)
        result.append(dataclasses.replace(finding, end_line=finding.line, end_column=end))
    return result
