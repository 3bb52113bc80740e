"""``# noqa: CT201``, ``# celery-checklist: ignore[CT201]`` and ``# celery-checklist: skip-file``.

A comment silences a finding when it sits on any line of the statement the finding is reported
at, or, for a finding inside a task's definition, on any line of the task's header (decorators
and ``def`` line, however a formatter wraps them). A comment on a task never silences call sites
elsewhere. Comments are read from Python's tokenizer, so ``#`` inside strings is not a comment.
"""

from __future__ import annotations

import dataclasses
import io
import re
import tokenize
from collections.abc import Iterable

_NOQA = re.compile(r"#\s*noqa\s*:\s*(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*)", re.I)
_IGNORE = re.compile(r"#\s*celery-checklist\s*:\s*ignore\b(?P<bracket>\[(?P<codes>[^\]]*)\])?")
_SKIP = re.compile(rb"#\s*celery-checklist\s*:\s*skip-file")
_CODES = re.compile(r"[A-Za-z]+[0-9]+")
_TOKENS = re.compile(r"[^\s,]+")
_LINES = re.compile(r"\r\n|\r|\n")
_OURS = re.compile(r"CT[0-9]", re.I)  # codes of other tools in a noqa list are not ours


@dataclasses.dataclass
class Suppressions:
    """A file's suppression comments (picklable: it travels back from the worker processes)."""

    comments: dict[int, frozenset[str]] = dataclasses.field(default_factory=dict)  # line -> codes
    spans: dict[int, tuple[int, int]] = dataclasses.field(default_factory=dict)  # line -> comment's columns
    # Every line of a multi-line statement that holds a comment -> the lines of those comments.
    scope: dict[int, tuple[int, ...]] = dataclasses.field(default_factory=dict)
    # Mistakes to report (CT001): (line, column, the text, what is wrong with it).
    problems: list[tuple[int, int, str, str]] = dataclasses.field(default_factory=list)
    # (comment line, code) pairs that silenced at least one finding (CT002 reports the others).
    used: set[tuple[int, str]] = dataclasses.field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.comments or self.problems)

    def silences(self, code: str, lines: Iterable[int]) -> bool:
        """Whether a comment on one of ``lines`` (or on their statement) names ``code``; records
        the use."""
        for line in lines:
            for origin in (line, *self.scope.get(line, ())):
                if code in self.comments.get(origin, ()):
                    self.used.add((origin, code))
                    return True
        return False


def skips_file(data: bytes) -> bool:
    """``# celery-checklist: skip-file`` in the first 20 lines."""
    head = b"\n".join(data.splitlines()[:20])
    return bool(_SKIP.search(head))


def _comments(text: str) -> Iterable[tuple[int, int, str]]:
    """Each comment's line, 1-based column and text; a line scan if the tokenizer gives up."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.start[1] + 1, token.string
        return
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    for number, line in enumerate(_LINES.split(text), start=1):
        position = line.find("#")
        if position >= 0:
            yield number, position + 1, line[position:]


def read(text: str, known: Iterable[str] = ()) -> Suppressions:
    """The suppression comments of a module. With ``known`` (every rule code), mistakes are
    recorded: an unknown ``CT`` code or a prefix in ``# noqa:``, an unknown code in
    ``ignore[...]``, and ``# celery-checklist: ignore`` without codes (which silences nothing)."""
    result = Suppressions()
    if "noqa" not in text.lower() and "celery-checklist" not in text:
        return result
    codes_known = frozenset(known)
    for number, column, comment in _comments(text):
        codes: set[str] = set()
        for match in _NOQA.finditer(comment):
            for code in _CODES.findall(match.group("codes")):
                code = code.upper()
                codes.add(code)
                if codes_known and _OURS.match(code) and code not in codes_known:
                    result.problems.append((number, column, code, "unknown rule code"))
        for match in _IGNORE.finditer(comment):
            if match.group("bracket") is None:
                result.problems.append(
                    (number, column, match.group(0), "names no rule: write `ignore[CODE,...]`")
                )
                continue
            tokens = _TOKENS.findall(match.group("codes") or "")
            if not tokens:
                result.problems.append((number, column, match.group(0), "names no rule"))
            for token in tokens:
                code = token.upper()
                codes.add(code)
                if codes_known and code not in codes_known:
                    result.problems.append((number, column, token, "unknown rule code"))
        if codes:
            result.comments[number] = frozenset(codes)
            result.spans[number] = (column, column + len(comment))
    return result


def suppressed_codes(text: str) -> dict[int, frozenset[str]]:
    """Codes named on each (1-based) line. A bare ``# noqa`` silences nothing here."""
    return read(text).comments
