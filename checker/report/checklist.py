"""The Markdown checklist: failing tasks first with their checks (collapsed), passing tasks in
one compact list, then a Project block; always under GitHub's limit for a comment or a
description (65,536 characters), with a line saying what was left out."""

from __future__ import annotations

from typing import Any

from checker.model import TASK_SECTIONS
from checker.report.data import ReportData
from checker.report.templates import environment

# GitHub refuses a pull-request description or comment longer than this (in characters).
GITHUB_LIMIT = 65_536
LIMIT = GITHUB_LIMIT - 1_024  # room for a line of the user's own around the pasted checklist
ICONS = {"pass": "✅", "fail": "❌", "skipped": "\u2796"}
# The "left out" line and the document around the pieces, at most.
_FRAME = 1_500


def render(data: ReportData, limit: int = LIMIT) -> str:
    template = environment().get_template("checklist.md.j2")
    macros: Any = environment().get_template("checklist_parts.md.j2").module
    sections: list[dict[str, Any]] = []
    for section in TASK_SECTIONS:
        items = [item for item in data.items if item.section == section]
        sections.append({"key": section.value, "title": section.label, "checks": items})
    codes = {item.code for item in data.items}
    failing: list[dict[str, Any]] = []
    passing = []
    for task in data.tasks:
        if not task.findings and not task.hidden:
            passing.append(task)
            continue
        failed: dict[str, list[object]] = {}
        for finding in (*task.findings, *task.hidden):  # hidden: outside a --diff-base's lines
            failed.setdefault(finding.code, []).append(finding)
        extra = [f for f in (*task.findings, *task.hidden) if f.code not in codes]
        failing.append({"report": task, "failed": failed, "extra": extra})
    # the most severe first, then in file order
    failing.sort(key=lambda e: -max(f.severity.rank for fs in e["failed"].values() for f in fs))

    headers = [str(macros.task_header(e, sections, ICONS)) for e in failing]
    checks = [str(macros.task_checks(e, sections)) for e in failing]
    passing_lines = [str(macros.passing_line(r)) for r in passing]
    project_lines = [str(macros.project_line(f)) for f in data.project_findings]

    # How many of each piece to keep: [failing tasks with checks, failing tasks, passing, project].
    full = [len(failing), len(failing), len(passing_lines), len(project_lines)]
    counts = _fit(full, headers, checks, passing_lines, project_lines, limit - _FRAME)
    shown = counts[1]
    pieces = [headers[i] + (checks[i] if i < counts[0] else "") for i in range(shown)]
    omitted = {
        "details": shown - counts[0],
        "failing": len(failing) - shown,
        "passing": len(passing_lines) - counts[2],
        "project": len(project_lines) - counts[3],
    }
    passing_sections = " · ".join(
        f"{s['title']} {ICONS[passing[0].sections[s['key']]]}" for s in sections if passing
    )
    return template.render(
        summary=data.summary,
        failing=pieces,
        passing_total=len(passing),
        passing_sections=passing_sections,
        passing=passing_lines[: counts[2]],
        project=project_lines[: counts[3]],
        omitted=omitted,
        any_omitted=any(omitted.values()),
        no_tasks=not data.tasks,
    )


def _fit(
    full: list[int],
    headers: list[str],
    checks: list[str],
    passing: list[str],
    project: list[str],
    budget: int,
) -> list[int]:
    """The counts of pieces to keep so that their total length stays within ``budget``: all
    when they fit; else the checks of the last failing tasks go first, then the passing list,
    the project findings and the last failing tasks; the room left is then given back to the
    checks and the passing list."""

    def size(counts: list[int]) -> int:
        shown = counts[1]
        return (
            sum(len(h) for h in headers[:shown])
            + sum(len(c) for c in checks[: min(counts[0], shown)])
            + sum(len(p) for p in passing[: counts[2]])
            + sum(len(p) for p in project[: counts[3]])
        )

    counts = list(full)
    if size(counts) <= budget:
        return counts

    def largest(index: int, low: int, high: int) -> int:
        while low < high:
            middle = (low + high + 1) // 2
            if size([*counts[:index], middle, *counts[index + 1 :]]) <= budget:
                low = middle
            else:
                high = middle - 1
        return low

    for index in (0, 2, 3, 1):
        counts[index] = largest(index, 0, counts[index])
        counts[0] = min(counts[0], counts[1])
        if size(counts) <= budget:
            break
    if counts[1] < full[1]:  # failing tasks were cut: list a third fewer, with their checks
        counts[1] = counts[1] * 2 // 3
    for index in (0, 2, 3):
        high = counts[1] if index == 0 else full[index]
        counts[index] = largest(index, min(counts[index], high), high)
    return counts
