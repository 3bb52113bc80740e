"""The Markdown checklist: each task's sections with [x]/[ ] items, then a Project block."""

from __future__ import annotations

from checker.model import TASK_SECTIONS
from checker.report.data import ReportData
from checker.report.templates import environment


def render(data: ReportData) -> str:
    sections = []
    for section in TASK_SECTIONS:
        items = [item for item in data.items if item.section == section]
        sections.append({"key": section.value, "title": section.label, "checks": items})
    tasks = []
    for task in data.tasks:
        failed: dict[str, list[object]] = {}
        for finding in (*task.findings, *task.hidden):  # hidden: outside a --diff-base's lines
            failed.setdefault(finding.code, []).append(finding)
        extra = [f for f in (*task.findings, *task.hidden) if f.code not in {i.code for i in data.items}]
        tasks.append({"report": task, "failed": failed, "extra": extra})
    template = environment().get_template("checklist.md.j2")
    return template.render(
        summary=data.summary, sections=sections, tasks=tasks, project=data.project_findings
    )
