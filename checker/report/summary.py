"""The Markdown report for a job summary: counts, a table of tasks, findings by file."""

from __future__ import annotations

from collections import defaultdict

from checker.model import TASK_SECTIONS, Finding
from checker.report.data import ReportData
from checker.report.templates import environment

# Above this many rows the table lists only tasks with findings.
MAX_TASK_ROWS = 50


def context(data: ReportData) -> dict[str, object]:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in data.findings:
        by_file[finding.path].append(finding)
    tasks = data.tasks
    trimmed = False
    if len(tasks) > MAX_TASK_ROWS:
        failing = [t for t in tasks if t.findings]
        trimmed = len(failing) < len(tasks)
        tasks = failing[:MAX_TASK_ROWS]
        trimmed = trimmed or len(failing) > MAX_TASK_ROWS
    return {
        "summary": data.summary,
        "sections": [(s.value, s.label) for s in TASK_SECTIONS],
        "tasks": tasks,
        "trimmed": trimmed,
        "files": sorted(by_file.items()),
    }


def render(data: ReportData) -> str:
    return environment().get_template("summary.md.j2").render(**context(data))
