"""The Markdown checklist: failing tasks first with their checks (collapsed), passing tasks in
one compact list, then a Project block; always under GitHub's limit for a comment or a
description (65,536 characters), with a line saying what was left out."""

from __future__ import annotations

from typing import Any

from checker.model import TASK_SECTIONS
from checker.report.data import ReportData
from checker.report.templates import environment

# GitHub refuses a pull-request description or comment longer than this.
GITHUB_LIMIT = 65_536
LIMIT = GITHUB_LIMIT - 1_024  # room for a line of the user's own around the pasted checklist


def _render(
    data: ReportData,
    failing: list[dict[str, Any]],
    passing: list[Any],
    detailed: int,
    shown: int,
    passing_shown: int,
    project_shown: int,
) -> str:
    sections = []
    for section in TASK_SECTIONS:
        items = [item for item in data.items if item.section == section]
        sections.append({"key": section.value, "title": section.label, "checks": items})
    omitted = {
        "details": max(0, min(shown, len(failing)) - detailed),
        "failing": len(failing) - min(shown, len(failing)),
        "passing": len(passing) - passing_shown,
        "project": len(data.project_findings) - project_shown,
    }
    return (
        environment()
        .get_template("checklist.md.j2")
        .render(
            summary=data.summary,
            sections=sections,
            failing=[dict(entry, detailed=i < detailed) for i, entry in enumerate(failing[:shown])],
            failing_total=len(failing),
            passing=passing[:passing_shown],
            passing_sections=passing[0].sections if passing else {},
            passing_total=len(passing),
            project=data.project_findings[:project_shown],
            omitted=omitted,
            any_omitted=any(omitted.values()),
            no_tasks=not data.tasks,
        )
    )


def render(data: ReportData, limit: int = LIMIT) -> str:
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

    full = [len(failing), len(failing), len(passing), len(data.project_findings)]
    counts = list(full)
    text = _render(data, failing, passing, *counts)
    if len(text) <= limit:
        return text

    def fits(trial: list[int]) -> bool:
        trial[0] = min(trial[0], trial[1])  # only listed failing tasks have details
        return len(_render(data, failing, passing, *trial)) <= limit

    def largest(index: int, low: int, high: int) -> int:
        """The largest count at ``index`` that fits, the other counts as they are."""
        while low < high:
            middle = (low + high + 1) // 2
            if fits([*counts[:index], middle, *counts[index + 1 :]]):
                low = middle
            else:
                high = middle - 1
        return low

    # Shrink until it fits: the checks of failing tasks first, then the passing list, the
    # project findings and the failing tasks; then give what room is left back to the checks
    # and the passing list. Counts: [tasks with checks, failing tasks, passing, project].
    for index in (0, 2, 3, 1):
        counts[index] = largest(index, 0, counts[index])
        counts[0] = min(counts[0], counts[1])
        if fits(list(counts)):
            break
    if counts[1] < full[1]:  # failing tasks were cut: list a third fewer, with their checks
        counts[1] = counts[1] * 2 // 3
    for index in (0, 2, 3):
        counts[index] = largest(
            index, counts[index], min(full[index], counts[1]) if index == 0 else full[index]
        )
    return _render(data, failing, passing, *counts)
