"""``# noqa: CT201``, ``# celery-checklist: ignore[CT201]`` and ``# celery-checklist: skip-file``."""

from __future__ import annotations

import re

_NOQA = re.compile(r"#\s*noqa\s*:\s*(?P<codes>[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*)", re.I)
_IGNORE = re.compile(r"#\s*celery-checklist\s*:\s*ignore\[(?P<codes>[^\]]*)\]")
_SKIP = re.compile(rb"#\s*celery-checklist\s*:\s*skip-file")
_CODES = re.compile(r"[A-Za-z]+[0-9]+")
_LINES = re.compile(r"\r\n|\r|\n")


def skips_file(data: bytes) -> bool:
    """``# celery-checklist: skip-file`` in the first 20 lines."""
    head = b"\n".join(data.splitlines()[:20])
    return bool(_SKIP.search(head))


def suppressed_codes(text: str) -> dict[int, frozenset[str]]:
    """Codes silenced on each (1-based) line. A bare ``# noqa`` silences nothing here."""
    result: dict[int, frozenset[str]] = {}
    if "noqa" not in text and "celery-checklist" not in text:
        return result
    for number, line in enumerate(_LINES.split(text), start=1):
        if "#" not in line:
            continue
        codes: set[str] = set()
        for pattern in (_NOQA, _IGNORE):
            for match in pattern.finditer(line):
                codes.update(c.upper() for c in _CODES.findall(match.group("codes")))
        if codes:
            result[number] = frozenset(codes)
    return result
