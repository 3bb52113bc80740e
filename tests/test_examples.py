"""The bundled example project demonstrates every rule, and says where."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker.cli import main
from checker.rules import all_rules

EXAMPLES = Path(__file__).parent.parent / "examples"


def _report(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    main(["check", str(EXAMPLES), "--format", "json", *args])
    return json.loads(capsys.readouterr().out)


def test_every_rule_fires_on_the_examples(capsys: pytest.CaptureFixture[str]) -> None:
    report = _report(capsys, "--select", "ALL")
    fired = {f["code"] for f in report["findings"]}
    assert fired == {rule.code for rule in all_rules()}


def test_findings_match_the_comments_that_announce_them(capsys: pytest.CaptureFixture[str]) -> None:
    """With the project's own configuration, exactly the announced mistakes are reported."""
    announced: dict[tuple[str, int], set[str]] = {}
    for path in EXAMPLES.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            comment = line.partition("#")[2]
            for code in re.findall(r"\bCT\d{3}\b", comment):
                announced.setdefault((path.relative_to(EXAMPLES).as_posix(), number), set()).add(code)
    report = _report(capsys)
    found: dict[str, set[str]] = {}
    for finding in report["findings"]:
        found.setdefault(finding["code"], set()).add(finding["path"].split("examples/", 1)[1])
    expected: dict[str, set[str]] = {}
    for (path, _), codes in announced.items():
        for code in codes:
            expected.setdefault(code, set()).add(path)
    assert found == expected
