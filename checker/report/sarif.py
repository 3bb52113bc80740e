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


def fingerprint(finding: Finding, uri: str) -> str:
    """Stable across line shifts: the rule, the file, the task and the message, not the line."""
    text = "\0".join((finding.code, uri, finding.task or "", finding.message))
    return hashlib.sha256(text.encode()).hexdigest()[:32]


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
    for finding in data.findings:
        uri = _uri(finding.path, root)
        result: dict[str, Any] = {
            "ruleId": finding.code,
            "level": LEVELS[finding.severity],
            "message": {"text": finding.message + (f" ({finding.task})" if finding.task else "")},
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
            "partialFingerprints": {"celeryChecklist/v1": fingerprint(finding, uri)},
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
