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
    hidden: list[Finding] = dataclasses.field(default_factory=list)  # outside the changed lines


@dataclasses.dataclass(frozen=True)
class Summary:
    files: int
    tasks: int
    errors: int
    warnings: int
    infos: int
    unanalysed: int = 0  # files that may hold tasks but could not be analysed
    hidden: int = 0  # findings outside the changed lines (``--diff-base``)

    @property
    def findings(self) -> int:
        return self.errors + self.warnings + self.infos

    @property
    def passed(self) -> bool:
        """Everything was checked and nothing was found: the only case that may say so."""
        return self.files > 0 and not self.findings and not self.unanalysed and not self.hidden

    @property
    def caveats(self) -> list[str]:
        """What the counts leave out, one sentence each (empty when they tell everything)."""
        notes = []
        if self.files == 0:
            notes.append("No Python files found: nothing was checked.")
        if self.unanalysed:
            many = self.unanalysed != 1
            notes.append(
                f"{self.unanalysed} file{'s' * many} that may define tasks could not be analysed "
                "(named on stderr): the result does not cover "
                f"{'them' if many else 'it'}."
            )
        if self.hidden:
            many = self.hidden != 1
            notes.append(
                f"{self.hidden} finding{'s' * many} outside the changed lines "
                f"{'were' if many else 'was'} hidden (--diff-base)."
            )
        return notes


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
    unanalysed: int = 0,
    hidden: Sequence[Finding] = (),
) -> ReportData:
    """The report. ``hidden`` are findings left out of the listing (outside the lines a
    ``--diff-base`` run reports): they still decide each task's sections, which describe the
    task as it is, and are counted in the summary as hidden."""
    by_task: dict[str, list[Finding]] = {}
    project: list[Finding] = []
    for finding in findings:
        if finding.task_key is None:
            project.append(finding)
        else:
            by_task.setdefault(finding.task_key, []).append(finding)
    hidden_by_task: dict[str, list[Finding]] = {}
    for finding in hidden:
        if finding.task_key is not None:
            hidden_by_task.setdefault(finding.task_key, []).append(finding)
    # A section passes only when a per-task check of it ran: project-wide rules (beat, routes,
    # settings) say nothing about one task, so a section with only those is "skipped".
    checked = {item.section for item in items}
    reports = []
    for task in tasks:
        own = by_task.get(task.key, [])
        unseen = hidden_by_task.get(task.key, [])
        failed = {f.section for f in (*own, *unseen)}
        sections = {
            s.value: FAIL if s in failed else (PASS if s in checked else SKIPPED) for s in TASK_SECTIONS
        }
        reports.append(TaskReport(task, sections, own, unseen))
    counts = {severity: 0 for severity in Severity}
    for finding in findings:
        counts[finding.severity] += 1
    summary = Summary(
        files=files,
        tasks=len(tasks),
        errors=counts[Severity.ERROR],
        warnings=counts[Severity.WARNING],
        infos=counts[Severity.INFO],
        unanalysed=unanalysed,
        hidden=len(hidden),
    )
    return ReportData(reports, list(findings), project, list(items), summary, list(rules))
