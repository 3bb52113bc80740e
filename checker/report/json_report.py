"""The JSON report (version 1): a public interface that other tools parse."""

from __future__ import annotations

import json
from typing import Any

from checker.model import Finding
from checker.report.data import ReportData

VERSION = 1


def finding_dict(finding: Finding) -> dict[str, Any]:
    return {
        "code": finding.code,
        "name": finding.name,
        "section": finding.section.value,
        "severity": finding.severity.value,
        "message": finding.message,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "task": finding.task,
    }


def as_dict(data: ReportData) -> dict[str, Any]:
    return {
        "version": VERSION,
        "tasks": [
            {
                "name": t.task.name,
                "function": t.task.function,
                "path": t.task.path,
                "line": t.task.line,
                "column": t.task.column,
                "decorator": t.task.decorator,
                "sections": t.sections,
            }
            for t in data.tasks
        ],
        "findings": [finding_dict(f) for f in data.findings],
        "summary": {
            "files": data.summary.files,
            "tasks": data.summary.tasks,
            "errors": data.summary.errors,
            "warnings": data.summary.warnings,
            "infos": data.summary.infos,
            "unanalysed": data.summary.unanalysed,
            "hidden": data.summary.hidden,
        },
    }


def render(data: ReportData) -> str:
    return json.dumps(as_dict(data), indent=2, ensure_ascii=False) + "\n"
