"""``--format github``: one workflow command per finding, for annotations on the diff.

Everything in a command comes from the analysed code (paths, messages, task names), so it is
escaped as GitHub's runner expects: data escapes ``%``, CR and LF, properties also ``:`` and
``,``. A message can therefore never end its line and start a workflow command of its own.
"""

from __future__ import annotations

from checker.model import Finding, Severity
from checker.report.data import ReportData
from checker.report.text import task_suffix

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(finding: Finding) -> str:
    properties = {
        "file": finding.path,
        "line": str(finding.line),
        "col": str(finding.column),
        "endLine": str(finding.end_line),
        "endColumn": str(finding.end_column),
        "title": f"{finding.code} {finding.name}",
    }
    joined = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    message = finding.message + task_suffix(finding)
    return f"::{COMMANDS[finding.severity]} {joined}::{escape_data(message)}"


def render(data: ReportData) -> str:
    return "".join(command(f) + "\n" for f in data.findings)
