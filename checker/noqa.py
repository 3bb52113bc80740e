"""``--add-noqa``: a ``# noqa: CTxxx`` comment on the line each finding is reported at.

The comment joins an existing ``# noqa: ...`` on that line (``# noqa: E501, CT201``) or is added
at the end of the line after two spaces; nothing else on the line changes. A line that ends
inside a multi-line string or with a backslash cannot take a comment: its findings are left, and
said so.
"""

from __future__ import annotations

import dataclasses
import io
import re
import tokenize
from collections.abc import Iterable, Mapping, Sequence

from checker.model import Finding
from checker.suppressions import suppressed_codes

_NOQA = re.compile(r"#\s*noqa\s*:\s*(?P<codes>[A-Za-z]+[0-9]+(?:[ \t]*,?[ \t]*[A-Za-z]+[0-9]+)*)", re.I)
_SYNTAX_ERROR = "CT000"


@dataclasses.dataclass
class Result:
    text: str
    added: int  # findings now silenced by a new or extended comment
    skipped: list[Finding]  # findings whose line cannot take a comment


def _layout(text: str) -> tuple[set[int], dict[int, int]] | None:
    """Lines (1-based) at whose end a comment would change the code (inside a token that spans
    lines, such as a triple-quoted string, or after a backslash), and the column where each
    line's comment starts. None when the text does not tokenize."""
    blocked: set[int] = set()
    comments: dict[int, int] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            start, end = token.start[0], token.end[0]
            if token.type == tokenize.COMMENT:
                comments[start] = token.start[1]
            elif end > start and token.type not in (tokenize.NL, tokenize.NEWLINE):
                blocked.update(range(start, end))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if line.rstrip().endswith("\\"):
            blocked.add(number)
    return blocked, comments


def _add(line: str, codes: list[str], comment: int | None) -> str:
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    if comment is not None:
        match = _NOQA.search(body, comment)
        if match is not None:
            at = match.end("codes")
            return f"{body[:at]}, {', '.join(codes)}{body[at:]}{ending}"
    return f"{body.rstrip()}  # noqa: {', '.join(codes)}{ending}"


def add_noqa(
    text: str, findings: Iterable[Finding], header_lines: Mapping[str, Sequence[int]] | None = None
) -> Result:
    """``text`` with a comment silencing each of ``findings`` (all in this file).

    ``header_lines`` gives, by task key, the lines of the task's header in this file (its
    decorators and ``def``), where a comment also silences the task's findings: a finding whose
    own line cannot take a comment gets it there instead."""
    wanted: dict[int, list[Finding]] = {}
    unparsable: list[Finding] = []
    for finding in findings:
        if finding.code == _SYNTAX_ERROR:
            unparsable.append(finding)  # a file that does not parse cannot be read for comments
        else:
            wanted.setdefault(finding.line, []).append(finding)
    if not wanted:
        return Result(text, 0, unparsable)
    layout = _layout(text)
    if layout is None:
        return Result(text, 0, [f for found in wanted.values() for f in found])
    blocked, comments = layout
    present = suppressed_codes(text)
    lines = text.splitlines(keepends=True)
    added = 0
    skipped: list[Finding] = list(unparsable)
    for number in sorted(wanted):
        if number in blocked or number > len(lines):
            for finding in wanted.pop(number):
                header = (header_lines or {}).get(finding.task_key or "", ())
                usable = [n for n in header if n not in blocked and n <= len(lines)]
                if usable:
                    wanted.setdefault(usable[-1], []).append(finding)
                else:
                    skipped.append(finding)
    for number, found in sorted(wanted.items()):
        codes = sorted({f.code for f in found} - present.get(number, frozenset()))
        if codes:
            lines[number - 1] = _add(lines[number - 1], codes, comments.get(number))
        added += len(found)
    return Result("".join(lines), added, skipped)
