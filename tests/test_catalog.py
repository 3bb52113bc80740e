"""The rule catalog (``checker/rules/catalog_data.py``): fresh, rendered by ``rules`` and ``explain``
exactly as the rule classes would be, and enough for them (and the selection of rules) to run
without importing libcst."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.cli import main
from checker.fixes import FIXES, fixable
from checker.rules import Rule, all_rules, catalog

ROOT = Path(__file__).parent.parent


def test_catalog_is_fresh() -> None:
    assert catalog.DATA.read_text(encoding="utf-8") == catalog.render(catalog.from_rules()), (
        f"checker/rules/catalog_data.py is stale: run `{catalog.COMMAND}`"
    )
    assert catalog.entries() == catalog.from_rules()
    assert catalog.main([]) == 0


def test_a_stale_catalog_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "catalog_data.py"
    data.write_text(catalog.render(catalog.from_rules()[1:]), encoding="utf-8")
    monkeypatch.setattr(catalog, "DATA", data)
    assert catalog.main([]) == 1
    assert catalog.COMMAND in capsys.readouterr().err
    assert catalog.main(["--write"]) == 0
    assert catalog.main([]) == 0


def test_rules_json_is_what_the_rule_classes_say(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    rows = [
        {
            "code": rule.code,
            "name": rule.name,
            "section": rule.section.value,
            "severity": rule.severity.value,
            "opt_in": rule.opt_in,
            "fixable": fixable(rule.code),
            "summary": rule.summary(),
        }
        for rule in all_rules()
    ]
    assert capsys.readouterr().out == json.dumps(rows, indent=2) + "\n"


def test_rules_table_is_what_the_rule_classes_say(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["code", "name", "section", "severity", "opt-in", "fixable"]
    expected = [
        f"{r.code:<6}  {r.name:<28}  {r.section.value:<10}  {r.severity.value:<8}  "
        f"{'yes' if r.opt_in else 'no':<6}  {fixable(r.code) or 'no'}"
        for r in all_rules()
    ]
    assert lines[1 : 1 + len(expected)] == expected
    assert lines[1 + len(expected)] == ""


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_explain_is_what_the_rule_class_says(rule: type[Rule], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", rule.code]) == 0
    by_code = capsys.readouterr().out
    opt_in = ", opt-in" if rule.opt_in else ""
    fix = ""
    if rule.code in FIXES:
        safe, what = FIXES[rule.code]
        fix = f" Fix: {what} ({'--fix' if safe else 'unsafe: --unsafe-fixes'})."
    assert by_code == (
        f"# {rule.code} {rule.name}\n\nSection: {rule.section.label}. "
        f"Severity: {rule.severity.value}{opt_in}.{fix}\n\n{rule.docs()}\n"
    )
    assert main(["explain", rule.name]) == 0
    assert capsys.readouterr().out == by_code


# Runs the command in a fresh interpreter and says, on the last line of standard error, whether
# libcst was imported.
_PROBE = """
import sys
from checker.cli import main
try:
    status = main(sys.argv[1:])
except SystemExit as exit:
    status = exit.code
# (``import libcst`` gives a stand-in until a name of it is used: its node classes tell)
sys.stderr.write(f"\\nstatus={status} libcst={'libcst._nodes.base' in sys.modules}\\n")
"""


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["check", "--help"],
        ["rules"],
        ["rules", "--format", "json"],
        ["rules", "--output-format", "text"],
        ["explain", "CT101"],
        ["explain", "missing-time-limit"],
        # the selection of rules (configuration and command line) without running them
        ["check", "--show-settings", "proj/tasks.py", "--extend-select", "CT109", "--ignore", "CT2"],
        ["check", "--show-files", "--select", "CT1,CT302"],
    ],
    ids=" ".join,
)
def test_commands_that_run_no_rule_do_not_import_libcst(argv: list[str], tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "tasks.py").write_text("from celery import shared_task\n")
    (tmp_path / "pyproject.toml").write_text('[tool.celery-checklist]\nextend-select = ["CT001"]\n')
    assert _probe(tmp_path, *argv)[1] == "status=0 libcst=False"


def _probe(cwd: Path, *argv: str) -> tuple[str, str]:
    """The command's output and the probe's last line (its status, whether libcst was loaded)."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *argv],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return result.stdout, result.stderr.splitlines()[-1]


def test_a_warm_check_that_reuses_the_last_result_does_not_import_libcst(tmp_path: Path) -> None:
    """The rules' data a report needs (names, sections, docs, fixability) comes from the catalog."""
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "tasks.py").write_text(
        "from celery import shared_task\n\n\n@shared_task\ndef add(x, y):\n    print(x)\n    return x + y\n"
    )

    def run(*argv: str) -> tuple[str, str]:
        return _probe(tmp_path, "check", "proj", "--cache-dir", "cache", *argv)

    cold, status = run("--format", "json")
    assert status == "status=1 libcst=True"
    assert {f["code"] for f in json.loads(cold)["findings"]} >= {"CT201", "CT601"}
    assert run("--format", "json") == (cold, "status=1 libcst=False")
    for argv in (["--format", "text"], ["--format", "full"], ["--format", "sarif"], ["--statistics"]):
        assert run(*argv)[1] == "status=1 libcst=False", argv


def test_a_check_that_parses_nothing_does_not_import_libcst(tmp_path: Path) -> None:
    """Pre-commit on a commit that touches no Celery code: the edited files are a module the byte
    screen skips and a test file (read with Python's ``ast``); everything else comes from the
    cache. libcst is never loaded, and the report is the one a cold run gives."""
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'proj'\n")
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "__init__.py").write_text("")
    (tmp_path / "proj" / "tasks.py").write_text(
        "from celery import shared_task\n\n\n@shared_task\ndef add(x, y):\n    print(x)\n    return x + y\n"
    )
    (tmp_path / "proj" / "money.py").write_text("RATE = 2\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_money.py").write_text("from proj.money import RATE\n")

    def run(*argv: str) -> tuple[str, str]:
        return _probe(tmp_path, "check", "--format", "json", *argv)

    assert run()[1] == "status=1 libcst=True"  # the first run parses the task module
    (tmp_path / "proj" / "money.py").write_text("RATE = 3\n")
    (tmp_path / "tests" / "test_money.py").write_text(
        "from proj.money import RATE\nfrom proj.tasks import add\n"
    )
    hook, status = run("proj/money.py", "tests/test_money.py")
    assert status == "status=0 libcst=False"
    assert json.loads(hook)["findings"] == []
    everything, status = run("--no-cache")
    assert status == "status=1 libcst=True"
    assert "CT301" not in {f["code"] for f in json.loads(everything)["findings"]}  # the edited test counts
    assert run()[1] == "status=1 libcst=False"  # the whole project, nothing to parse again
