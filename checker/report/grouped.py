"""``--output-format grouped``: findings under the name of their file."""

from __future__ import annotations

from checker.model import Finding
from checker.report.data import ReportData
from checker.report.text import summary_line

_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _entry(finding: Finding, colour: bool) -> str:
    task = f" ({finding.task})" if finding.task else ""
    if colour:
        task = f"{_DIM}{task}{_RESET}" if task else ""
    return (
        f"  {finding.line}:{finding.column} {finding.code} [{finding.severity.value}] {finding.message}{task}"
    )


def render(data: ReportData, colour: bool = False, quiet: bool = False) -> str:
    groups: dict[str, list[Finding]] = {}
    for finding in data.findings:
        groups.setdefault(finding.path, []).append(finding)
    blocks = []
    for path, findings in groups.items():
        title = f"{_BOLD}{path}{_RESET}:" if colour else f"{path}:"
        blocks.append("\n".join([title, *(_entry(f, colour) for f in findings)]))
    text = "\n\n".join(blocks)
    if not quiet:
        text = f"{text}\n\n{summary_line(data)}" if text else summary_line(data)
    return text + "\n" if text else ""
