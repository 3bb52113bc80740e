"""The rule reference in README.md, generated from the rules themselves.

``python -m checker.docs`` rewrites the block between the markers; a test fails when it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from checker.model import TASK_SECTIONS, Section
from checker.rules import all_rules

START, END = "<!-- rules:start -->", "<!-- rules:end -->"


def rules_markdown() -> str:
    lines: list[str] = []
    for section in (Section.FILE, *TASK_SECTIONS):
        rules = [r for r in all_rules() if r.section == section]
        if not rules:
            continue
        title = "The file itself" if section is Section.FILE else section.label
        lines += [f"### {title}", "", "| code | name | severity | what it checks |", "|---|---|---|---|"]
        for rule in rules:
            severity = rule.severity.value + (", opt-in" if rule.opt_in else "")
            summary = rule.summary().replace("|", "\\|")
            lines.append(f"| {rule.code} | `{rule.name}` | {severity} | {summary} |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def replace_block(text: str) -> str:
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    return f"{before}{START}\n{rules_markdown()}{END}{after}"


def main(argv: list[str]) -> int:
    path = Path(argv[0] if argv else "README.md")
    text = path.read_text(encoding="utf-8")
    if START not in text or END not in text:
        print(f"{path}: no {START} ... {END} block", file=sys.stderr)
        return 2
    path.write_text(replace_block(text), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
