"""``--format sarif``: SARIF 2.1.0, ready for ``github/codeql-action/upload-sarif``."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from checker import __version__
from checker.model import Finding, Severity
from checker.report.data import ReportData
from checker.report.regions import lines_of
from checker.report.text import task_suffix

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/celery-checklist/celery-checklist"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _uri(path: str, root: Path | None) -> str:
    """The finding's path relative to the repository root, as a URI reference."""
    if root is not None:
        absolute = os.path.abspath(path)
        prefix = str(root).rstrip(os.sep) + os.sep
        if absolute.startswith(prefix):
            path = absolute[len(prefix) :]
    return Path(path).as_posix()


def fingerprint(finding: Finding, uri: str, occurrence: int = 0) -> str:
    """Stable across line shifts: the rule, the file, the task, the message and the text of
    the reported line (not its number), with the occurrence among findings that share all of
    these (two identical ``print`` calls in one task), so that distinct findings never share a
    fingerprint."""
    text = "\0".join(
        (finding.code, uri, finding.task or "", finding.message, _line_text(finding), str(occurrence))
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _line_text(finding: Finding) -> str:
    lines = lines_of(finding.path)
    return " ".join(lines[finding.line - 1].split()) if 0 < finding.line <= len(lines) else ""


def fingerprints(findings: list[Finding], uris: list[str]) -> list[str]:
    """One fingerprint per finding, all distinct."""
    seen: dict[str, int] = {}
    result = []
    for finding, uri in zip(findings, uris):
        base = fingerprint(finding, uri)
        occurrence = seen.get(base, 0)
        seen[base] = occurrence + 1
        result.append(base if occurrence == 0 else fingerprint(finding, uri, occurrence))
    return result


def as_dict(data: ReportData, root: Path | None = None) -> dict[str, Any]:
    index = {rule.code: position for position, rule in enumerate(data.rules)}
    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary or rule.name},
            "fullDescription": {"text": rule.docs or rule.summary or rule.name},
            "help": {"text": rule.docs or rule.summary, "markdown": rule.docs or rule.summary},
            "helpUri": rule.help_uri,
            "defaultConfiguration": {"level": LEVELS[rule.severity]},
        }
        for rule in data.rules
    ]
    results = []
    uris = [_uri(finding.path, root) for finding in data.findings]
    prints = fingerprints(data.findings, uris)
    for finding, uri, print_ in zip(data.findings, uris, prints):
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "level": LEVELS[finding.severity],
            "message": {"text": finding.message + task_suffix(finding)},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": finding.line,
                            "startColumn": finding.column,
                            "endLine": max(finding.end_line, finding.line),
                            "endColumn": max(finding.end_column, 1),
                        },
                    }
                }
            ],
            "partialFingerprints": {"celeryChecklist/v1": print_},
        }
        if finding.code in index:
            result["ruleIndex"] = index[finding.code]
        results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "celery-checklist",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": rules,
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if root is not None:
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": root.as_uri() + "/"}}
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(data: ReportData, root: Path | None = None) -> str:
    return json.dumps(as_dict(data, root), indent=2, ensure_ascii=False) + "\n"
