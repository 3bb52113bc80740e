"""``--statistics``: how many findings of each code, with the rule's name and whether it is fixable."""

from __future__ import annotations

import collections
from collections.abc import Mapping, Sequence

from checker.model import Finding


def render(findings: Sequence[Finding], fixable: Mapping[str, str]) -> str:
    """One line per code, most frequent first: count, code, fixable (safe/unsafe/no), name."""
    counts = collections.Counter(f.code for f in findings)
    names = {f.code: f.name for f in findings}
    if not counts:
        return ""
    rows = [f"{'count':>5}  {'code':<6}  {'fixable':<7}  name"]
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rows.append(f"{count:>5}  {code:<6}  {fixable.get(code, 'no'):<7}  {names[code]}")
    return "\n".join(rows) + "\n"
