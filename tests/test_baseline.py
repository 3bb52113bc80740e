"""The baseline: --write-baseline, --baseline and the ``baseline`` key, through the CLI."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from checker.baseline import normalise
from checker.cli import main

TASKS = """
from celery import shared_task

@shared_task(max_retry=3)
def charge(payment_id):
    print(payment_id)


@shared_task(time_limit=60, ignore_result=True)
def refund(payment_id):
    '''Refund a payment.'''
    return payment_id
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'proj'\n")
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "__init__.py").write_text("")
    (tmp_path / "proj" / "tasks.py").write_text(textwrap.dedent(TASKS).lstrip())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _codes(out: str) -> list[str]:
    return [line.split()[1] for line in out.splitlines() if ": CT" in line]


def test_round_trip_survives_line_shifts_and_reports_only_a_new_problem(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--no-cache"]) == 1
    before = _codes(capsys.readouterr().out)
    assert len(before) >= 3
    assert main(["check", "--no-cache", "--write-baseline", "baseline.json"]) == 0
    assert f"wrote {len(before)} findings" in capsys.readouterr().err
    entries = json.loads((project / "baseline.json").read_text())["findings"]
    assert {e["path"] for e in entries} == {"proj/tasks.py"}

    assert main(["check", "--no-cache", "--baseline", "baseline.json"]) == 0
    out = capsys.readouterr().out
    assert _codes(out) == []
    assert f"{len(before)} findings accepted by the baseline" in out

    tasks = project / "proj" / "tasks.py"
    # every line moves down, and the decorator is reformatted
    text = tasks.read_text().replace("@shared_task(max_retry=3)", "@shared_task( max_retry = 3, )")
    tasks.write_text('"""Payments."""\n# Copyright header\n\n' + text)
    assert main(["check", "--no-cache", "--baseline", "baseline.json"]) == 0
    assert _codes(capsys.readouterr().out) == []

    tasks.write_text(
        tasks.read_text().replace("    return payment_id\n", "    print(payment_id)\n    return payment_id\n")
    )
    assert main(["check", "--no-cache", "--baseline", "baseline.json", "--fail-on", "info"]) == 1
    out = capsys.readouterr().out
    assert _codes(out) == ["CT601"]
    assert "proj/tasks.py:14:5: CT601" in out


def test_a_second_copy_of_an_accepted_problem_is_reported(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks = project / "proj" / "tasks.py"
    assert main(["check", "--no-cache", "--write-baseline", "baseline.json"]) == 0
    tasks.write_text(
        tasks.read_text().replace("    print(payment_id)\n", "    print(payment_id)\n    print(payment_id)\n")
    )
    capsys.readouterr()
    assert main(["check", "--no-cache", "--baseline", "baseline.json", "--fail-on", "info"]) == 1
    assert _codes(capsys.readouterr().out) == ["CT601"]


def test_fixed_entries_are_counted_never_a_failure(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-cache", "--write-baseline", "baseline.json"]) == 0
    tasks = project / "proj" / "tasks.py"
    tasks.write_text(tasks.read_text().replace("    print(payment_id)\n", "    log(payment_id)\n"))
    capsys.readouterr()
    assert main(["check", "--no-cache", "--baseline", "baseline.json"]) == 0
    out = capsys.readouterr().out
    assert "1 baseline entry is fixed: rewrite the baseline" in out
    # checking another directory does not call the entries of unchecked files fixed
    (project / "other").mkdir()
    (project / "other" / "mod.py").write_text("x = 1\n")
    assert main(["check", "--no-cache", "--baseline", "baseline.json", "other"]) == 0
    assert "fixed" not in capsys.readouterr().out
    # nor the entries of rules that did not run
    assert main(["check", "--no-cache", "--baseline", "baseline.json", "--select", "CT1"]) == 0
    assert "fixed" not in capsys.readouterr().out


def test_baseline_key_in_the_configuration(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "pyproject.toml").write_text(
        "[project]\nname = 'proj'\n\n[tool.celery-checklist]\nbaseline = \"ci/baseline.json\"\n"
    )
    (project / "ci").mkdir()
    assert main(["check", "--no-cache", "--write-baseline", "ci/baseline.json"]) == 0
    capsys.readouterr()
    assert main(["check", "--no-cache"]) == 0
    assert _codes(capsys.readouterr().out) == []
    (project / "ci" / "baseline.json").unlink()
    assert main(["check", "--no-cache"]) == 2
    assert "no such file (write one with --write-baseline" in capsys.readouterr().err


def test_a_bad_baseline_file_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "baseline.json").write_text("[1, 2]")
    assert main(["check", "--no-cache", "--baseline", "baseline.json"]) == 2
    assert 'expected a JSON object with a "findings" list' in capsys.readouterr().err


def test_normalise_ignores_layout_comments_trailing_commas_and_quotes() -> None:
    assert normalise("f(a,\n  'b',  # why\n)") == normalise('f(a, "b")')
    assert normalise("f(a)") != normalise("f(b)")
