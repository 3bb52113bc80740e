"""The bundled example project demonstrates every rule, and says where."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from checker.cli import main
from checker.rules import all_rules

EXAMPLES = Path(__file__).parent.parent / "examples"
_SUPPRESSION = re.compile(r"noqa\s*:[\w\s,]*|celery-checklist\s*:\s*ignore(\[[^\]]*\])?")


def _report(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    main(["check", str(EXAMPLES), "--format", "json", *args])
    return json.loads(capsys.readouterr().out)


def test_every_rule_fires_on_the_examples(capsys: pytest.CaptureFixture[str]) -> None:
    report = _report(capsys, "--select", "ALL")
    fired = {f["code"] for f in report["findings"]}
    assert fired == {rule.code for rule in all_rules()}


def test_findings_match_the_comments_that_announce_them(capsys: pytest.CaptureFixture[str]) -> None:
    """With the project's own configuration, exactly the announced mistakes are reported.

    A comment naming a code announces a finding of that code in the same file, on its line, the
    line above, or up to two lines below (a task's decorator line, when the comment sits on
    its ``def``).
    """
    announced: set[tuple[str, str, int]] = set()
    for path in EXAMPLES.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            comment = _SUPPRESSION.sub("", line.partition("#")[2])  # a suppression announces nothing
            for code in re.findall(r"\bCT\d{3}\b", comment):
                announced.add((code, path.relative_to(EXAMPLES).as_posix(), number))
    report = _report(capsys)
    found = {(f["code"], f["path"].split("examples/", 1)[1], f["line"]) for f in report["findings"]}

    def near(a: tuple[str, str, int], b: tuple[str, str, int]) -> bool:
        return a[:2] == b[:2] and -1 <= a[2] - b[2] <= 2

    unannounced = sorted(f for f in found if not any(near(a, f) for a in announced))
    missing = sorted(a for a in announced if not any(near(a, f) for f in found))
    assert unannounced == [] and missing == []
