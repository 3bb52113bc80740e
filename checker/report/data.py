"""The report's data: tasks with their section statuses, findings and counts."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from checker.model import TASK_SECTIONS, Finding, Section, Severity, TaskSummary

PASS, FAIL, SKIPPED = "pass", "fail", "skipped"


@dataclasses.dataclass(frozen=True)
class ChecklistItem:
    """One line of a task's checklist: a selected per-task check."""

    code: str
    name: str
    section: Section
    text: str


@dataclasses.dataclass(frozen=True)
class RuleInfo:
    """What a report may say about a rule: plain data, no rule logic."""

    code: str
    name: str
    section: Section
    summary: str
    docs: str
    severity: Severity
    help_uri: str


@dataclasses.dataclass(frozen=True)
class TaskReport:
    task: TaskSummary
    sections: dict[str, str]  # section value -> pass / fail / skipped
    findings: list[Finding]


@dataclasses.dataclass(frozen=True)
class Summary:
    files: int
    tasks: int
    errors: int
    warnings: int
    infos: int

    @property
    def findings(self) -> int:
        return self.errors + self.warnings + self.infos


@dataclasses.dataclass(frozen=True)
class ReportData:
    tasks: list[TaskReport]
    findings: list[Finding]
    project_findings: list[Finding]  # findings that belong to no task
    items: list[ChecklistItem]
    summary: Summary
    rules: list[RuleInfo] = dataclasses.field(default_factory=list)  # the selected rules


def build(
    tasks: Sequence[TaskSummary],
    findings: Sequence[Finding],
    items: Sequence[ChecklistItem],
    files: int,
    rules: Sequence[RuleInfo] = (),
) -> ReportData:
    by_task: dict[str, list[Finding]] = {}
    project: list[Finding] = []
    for finding in findings:
        if finding.task_key is None:
            project.append(finding)
        else:
            by_task.setdefault(finding.task_key, []).append(finding)
    checked = {item.section for item in items} | {rule.section for rule in rules}
    reports = []
    for task in tasks:
        own = by_task.get(task.key, [])
        failed = {f.section for f in own}
        sections = {
            s.value: FAIL if s in failed else (PASS if s in checked else SKIPPED) for s in TASK_SECTIONS
        }
        reports.append(TaskReport(task, sections, own))
    counts = {severity: 0 for severity in Severity}
    for finding in findings:
        counts[finding.severity] += 1
    summary = Summary(
        files=files,
        tasks=len(tasks),
        errors=counts[Severity.ERROR],
        warnings=counts[Severity.WARNING],
        infos=counts[Severity.INFO],
    )
    return ReportData(reports, list(findings), project, list(items), summary, list(rules))
