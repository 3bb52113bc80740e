"""``path:line:col: CODE [severity] message (task)``, like ruff, then a one-line summary."""

from __future__ import annotations

from checker.model import Finding, Severity
from checker.report.data import ReportData

_COLOURS = {
    Severity.ERROR: "\033[1;31m",
    Severity.WARNING: "\033[1;33m",
    Severity.INFO: "\033[1;36m",
}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def task_suffix(finding: Finding) -> str:
    """`` (the.task)`` after a message, unless the message names the task already."""
    if not finding.task or f"`{finding.task}`" in finding.message:
        return ""
    return f" ({finding.task})"


def line(finding: Finding, colour: bool = False) -> str:
    task = task_suffix(finding)
    location = f"{finding.path}:{finding.line}:{finding.column}:"
    if not colour:
        return f"{location} {finding.code} [{finding.severity.value}] {finding.message}{task}"
    code = f"{_COLOURS[finding.severity]}{finding.code}{_RESET}"
    return (
        f"{_BOLD}{location}{_RESET} {code} [{finding.severity.value}] {finding.message}{_DIM}{task}{_RESET}"
    )


def summary_line(data: ReportData) -> str:
    s = data.summary
    scope = f"{s.tasks} task{'s' * (s.tasks != 1)} across {s.files} file{'s' * (s.files != 1)}"
    caveats = " ".join(s.caveats)
    if s.files == 0:
        return caveats
    if s.passed:
        return f"All checks passed: {scope}."
    if not s.findings:
        return f"No findings in {scope}. {caveats}"
    parts = [
        f"{count} {label}{'s' * (count != 1)}"
        for count, label in ((s.errors, "error"), (s.warnings, "warning"), (s.infos, "info"))
        if count
    ]
    found = f"Found {s.findings} finding{'s' * (s.findings != 1)} ({', '.join(parts)}) in {scope}."
    return f"{found} {caveats}" if caveats else found


def render(data: ReportData, colour: bool = False, quiet: bool = False) -> str:
    lines = [line(f, colour) for f in data.findings]
    if not quiet:
        lines.append(summary_line(data))
    return "\n".join(lines) + ("\n" if lines else "")
