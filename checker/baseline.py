"""A baseline: today's findings, recorded so that only new ones are reported.

An entry is matched on its code, its task, its file and a normalised form of the source it is
reported at (tokens without whitespace, comments, trailing commas or quote style), never on line
numbers: entries survive lines added above them and a reformatting. Identical entries are
counted, so a second copy of an accepted problem is still reported.
"""

from __future__ import annotations

import ast
import collections
import contextlib
import dataclasses
import io
import json
import os
import tokenize
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

from checker.config import ConfigError
from checker.model import Finding

VERSION = 1
_SKIP = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
}
_CLOSING = {")", "]", "}"}

Key = tuple[str, str, str, str]  # code, task, path (relative to the baseline), normalised source


@dataclasses.dataclass
class Outcome:
    kept: list[Finding]  # findings not in the baseline
    matched: int  # findings the baseline accepts
    fixed: int  # baseline entries that no longer occur


def normalise(text: str) -> str:
    """``text`` as tokens without layout: the same code however it is formatted."""
    tokens: list[str] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in _SKIP:
                continue
            value = token.string
            if token.type == tokenize.STRING:
                with contextlib.suppress(ValueError, SyntaxError, MemoryError, RecursionError):
                    value = repr(ast.literal_eval(value))
            if value in _CLOSING and tokens and tokens[-1] == ",":
                tokens.pop()
            tokens.append(value)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass  # a fragment: what was read so far, then the rest without whitespace
    else:
        return " ".join(tokens)
    return " ".join("".join(text.split()).split())


def reported_source(finding: Finding, lines: Sequence[str]) -> str:
    """The source a finding points at: its span, or its first line when the span is empty."""
    if not 1 <= finding.line <= len(lines):
        return ""
    first, last = finding.line - 1, min(max(finding.end_line, finding.line), len(lines)) - 1
    if first == last:
        text = lines[first][finding.column - 1 : finding.end_column - 1]
    else:
        text = "\n".join(
            [
                lines[first][finding.column - 1 :],
                *lines[first + 1 : last],
                lines[last][: finding.end_column - 1],
            ]
        )
    if not text.strip():
        text = lines[first]
    return normalise(text.strip())


class SourceLines:
    """File lines by displayed path, read once (``read`` may supply a path's text first)."""

    def __init__(self, read: Callable[[str], str | None] | None) -> None:
        self.read = read
        self.cache: dict[str, list[str]] = {}

    def lines(self, path: str) -> list[str]:
        if path not in self.cache:
            text = self.read(path) if self.read is not None else None
            if text is None:
                try:
                    with open(path, encoding="utf-8", errors="replace") as handle:
                        text = handle.read()
                except OSError:
                    text = ""
            self.cache[path] = text.splitlines()
        return self.cache[path]

    def line(self, path: str, number: int) -> str | None:
        """Line ``number`` (1-based) of the file, if it has one."""
        lines = self.lines(path)
        return lines[number - 1] if 1 <= number <= len(lines) else None


def _relative(path: str, base: Path) -> str:
    absolute = os.path.abspath(path)
    try:
        return Path(os.path.relpath(absolute, base)).as_posix()
    except ValueError:  # another drive on Windows
        return Path(absolute).as_posix()


def key(finding: Finding, base: Path, sources: SourceLines) -> Key:
    return (
        finding.code,
        finding.task or "",
        _relative(finding.path, base),
        reported_source(finding, sources.lines(finding.path)),
    )


def write(path: Path, findings: Sequence[Finding], read: Callable[[str], str | None] | None = None) -> int:
    """Record ``findings`` in ``path``; returns how many entries were written."""
    base = Path(os.path.abspath(path)).parent
    sources = SourceLines(read)
    entries = []
    for finding in findings:
        code, task, where, source = key(finding, base, sources)
        entries.append(
            {
                "code": code,
                "task": task,
                "path": where,
                "source": source,
                "message": finding.message,  # for people reading the file; not matched
            }
        )
    entries.sort(key=lambda e: (e["path"], e["code"], e["task"], e["source"], e["message"]))
    document = {"version": VERSION, "tool": "celery-checklist", "findings": entries}
    try:
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"--write-baseline {path}: cannot write ({error.strerror})") from None
    return len(entries)


def load(path: Path) -> collections.Counter[Key]:
    """The entries of a baseline file, counted."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"baseline {path}: no such file (write one with --write-baseline {path})") from None
    except OSError as error:
        raise ConfigError(f"baseline {path}: cannot read ({error.strerror})") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise ConfigError(f"baseline {path}: not valid JSON ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("findings"), list):
        raise ConfigError(f'baseline {path}: expected a JSON object with a "findings" list')
    if document.get("version") != VERSION:
        raise ConfigError(
            f"baseline {path}: unsupported version {document.get('version')!r} (expected {VERSION})"
        )
    entries: collections.Counter[Key] = collections.Counter()
    for entry in document["findings"]:
        fields = [
            entry.get(name) if isinstance(entry, dict) else None
            for name in ("code", "task", "path", "source")
        ]
        if not all(isinstance(value, str) for value in fields):
            raise ConfigError(f"baseline {path}: each entry needs string code, task, path and source")
        entries[(fields[0], fields[1], fields[2], fields[3])] += 1  # type: ignore[index]
    return entries


def apply(
    path: Path,
    findings: Sequence[Finding],
    scope: Sequence[Path] = (),
    read: Callable[[str], str | None] | None = None,
    codes: Collection[str] | None = None,
) -> Outcome:
    """Drop the findings that ``path`` accepts; count the entries no finding used among those
    of files under ``scope`` (the paths checked) and of ``codes`` (the rules run): an entry of a
    file or a rule that was not checked is not fixed."""
    remaining = load(path)
    base = Path(os.path.abspath(path)).parent
    sources = SourceLines(read)
    kept: list[Finding] = []
    matched = 0
    for finding in findings:
        k = key(finding, base, sources)
        if remaining[k] > 0:
            remaining[k] -= 1
            matched += 1
        else:
            kept.append(finding)
    roots = [os.path.abspath(p) for p in scope]

    def in_scope(entry: str) -> bool:
        where = os.path.normpath(os.path.join(base, entry))
        return not roots or any(where == r or where.startswith(r.rstrip(os.sep) + os.sep) for r in roots)

    return Outcome(
        kept,
        matched,
        sum(n for k, n in remaining.items() if n > 0 and in_scope(k[2]) and (codes is None or k[0] in codes)),
    )
