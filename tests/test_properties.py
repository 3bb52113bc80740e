"""Property-based tests: any program, any task name, and the reports stay well-formed."""

from __future__ import annotations

import ast
import json
import textwrap
import warnings
from pathlib import Path

import hypothesmith
import jsonschema
from hypothesis import given
from hypothesis import strategies as st

from checker.api import check_sources
from checker.report import checklist, data, github, json_report, sarif, summary

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())


def _accepted(source: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


@given(hypothesmith.from_grammar())
def test_any_program_gives_a_report(program: str) -> None:
    source = "from celery import shared_task\n" + program
    result = check_sources({"proj/tasks.py": source}, select=["ALL"])
    if _accepted(source):
        assert not [f for f in result.findings if f.code == "CT000"]


@given(hypothesmith.from_grammar())
def test_any_program_inside_a_task_gives_a_report(program: str) -> None:
    body = textwrap.indent(program, "    ") or "    pass\n"
    source = f"from celery import shared_task\n\n@shared_task(bind=True)\ndef task(self):\n{body}\n    pass\n"
    result = check_sources({"proj/tasks.py": source}, select=["ALL"])
    if _accepted(source):
        assert not [f for f in result.findings if f.code == "CT000"]


def _report(name: str) -> data.ReportData:
    source = f"from celery import shared_task\n\n@shared_task(name={name!r}, max_retry=1)\ndef job():\n    print(1)\n"
    result = check_sources({"proj/tasks.py": source}, select=["ALL"])
    rules = [
        data.RuleInfo(
            "CT107",
            "unknown-task-option",
            result.findings[0].section,
            "s",
            "d",
            result.findings[0].severity,
            "https://x",
        )
    ]
    return data.build(result.tasks, result.findings, [], 1, rules)


@given(st.text(min_size=1, max_size=60))
def test_reports_stay_valid_for_any_task_name(name: str) -> None:
    report = _report(name)
    assert [t.task.name for t in report.tasks] == [name]
    parsed = json.loads(json_report.render(report))
    assert parsed["tasks"][0]["name"] == name
    jsonschema.validate(json.loads(sarif.render(report)), SCHEMA)
    # the runner splits commands at CR and LF only (which the escaping removes)
    for line in github.render(report).rstrip("\n").split("\n"):
        assert "\r" not in line and line.startswith(("::error ", "::warning ", "::notice "))
    for text in (checklist.render(report), summary.render(report)):
        assert "\r" not in text.replace("\r\n", "")
