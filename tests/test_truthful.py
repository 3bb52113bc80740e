"""No false greens: every report tells the truth about what was checked (issue 12)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from checker.cli import main
from tests.helpers import git

UNTIMED = """
from celery import shared_task

@shared_task(ignore_result=True)
def charge(payment_id):
    '''Charge a payment.'''
    gateway.charge(payment_id)
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "__init__.py").write_text("")
    (tmp_path / "proj" / "tasks.py").write_text(textwrap.dedent(UNTIMED).lstrip())
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_tasks.py").write_text("from proj.tasks import charge\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


# 1. Paths that do not exist, directories without Python files


def test_missing_path_is_a_usage_error(project: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "checker", "check", "proj", "does/not/exist", "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr == "celery-checklist: error: does/not/exist: no such file or directory\n"


def test_directory_without_python_files_warns_and_does_not_pass(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "docs").mkdir()
    (project / "docs" / "index.md").write_text("# docs\n")
    assert main(["check", "docs", "--no-cache"]) == 0
    captured = capsys.readouterr()
    assert "celery-checklist: warning: no Python files under docs" in captured.err
    assert "All checks passed" not in captured.out
    assert captured.out == "No Python files found: nothing was checked.\n"


# 2. Non-Python files given by name


def test_non_python_files_given_by_name_are_skipped_with_one_note(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "ci.yml").write_text("on: [push]\njobs: {celery: {}}\n")
    (project / "run.sh").write_text("#!/bin/sh\ncelery -A proj worker\n")
    (project / "manage").write_text("#!/usr/bin/env python3\nfrom celery import shared_task\nx = (\n")
    assert main(["check", "ci.yml", "run.sh", "manage", "--no-cache", "--format", "json"]) == 1
    captured = capsys.readouterr()
    findings = json.loads(captured.out)["findings"]
    assert [(f["code"], f["path"]) for f in findings] == [("CT000", "manage")]  # a Python shebang
    notes = [line for line in captured.err.splitlines() if "not Python" in line]
    assert notes == ["celery-checklist: skipped 2 files that are not Python: ci.yml, run.sh"]


def test_only_non_python_files_check_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "ci.yml").write_text("celery: broker\n")
    assert main(["check", "ci.yml", "--no-cache"]) == 0
    assert capsys.readouterr().out == "No Python files found: nothing was checked.\n"


# 5. The command line applies after the configuration


def _configure(project: Path, table: str) -> None:
    (project / "pyproject.toml").write_text(f"[tool.celery-checklist]\n{table}\n")


def _codes(capsys: pytest.CaptureFixture[str]) -> set[str]:
    return {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]}


def test_command_line_select_overrides_configured_ignore(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "tests" / "test_tasks.py").write_text("")
    _configure(project, 'ignore = ["CT301"]')
    main(["check", "--no-cache", "--format", "json"])
    assert "CT301" not in _codes(capsys)
    main(["check", "--no-cache", "--format", "json", "--select", "CT301"])
    assert _codes(capsys) == {"CT301"}
    main(["check", "--no-cache", "--format", "json", "--extend-select", "CT301"])
    assert "CT301" in _codes(capsys)


def test_command_line_ignore_removes_a_configured_selection(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _configure(project, 'select = ["CT2"]\nextend-select = ["CT110"]')
    main(["check", "--no-cache", "--format", "json", "--ignore", "CT201"])
    assert _codes(capsys) == set()
    main(["check", "--no-cache", "--format", "json"])
    assert _codes(capsys) == {"CT201"}


@pytest.mark.parametrize(
    ("table", "args", "message"),
    [
        ("select = []", [], "`select` is empty, so no rule would run"),
        ("", ["--select", ""], "--select: no rule code given"),
        ("", ["--ignore", "ALL"], "no rule is selected"),
    ],
)
def test_an_empty_selection_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str], table: str, args: list[str], message: str
) -> None:
    _configure(project, table)
    assert main(["check", "--no-cache", *args]) == 2
    captured = capsys.readouterr()
    assert message in captured.err and len(captured.err.splitlines()) == 1
    assert captured.out == ""


# 3. --diff-base hides findings but not the state of the tasks


@pytest.fixture
def repo(project: Path) -> Path:
    git("init", "-q", "-b", "main", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "base", cwd=project)
    git("checkout", "-q", "-b", "feature", cwd=project)
    with (project / "proj" / "tasks.py").open("a") as handle:
        handle.write(
            "\n\n@shared_task(time_limit=5, ignore_result=True)\ndef refund(payment_id):\n    print(1)\n"
        )
    git("commit", "-q", "-am", "feature", cwd=project)
    return project


def test_diff_base_sections_describe_the_task_as_it_is(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", "--no-cache", "--diff-base", "main", "--select", "CT201,CT601"]
    assert main([*args, "--format", "json"]) == 0  # the hidden warning does not fail the run
    report = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["task"]) for f in report["findings"]] == [("CT601", "proj.tasks.refund")]
    sections = {t["function"]: t["sections"] for t in report["tasks"]}
    assert sections["charge"]["resilient"] == "fail"  # no time limit, on a line the branch left alone
    assert sections["refund"]["resilient"] == "pass"
    assert report["summary"]["hidden"] == 1
    main([*args, "--format", "checklist"])
    checklist = capsys.readouterr().out
    charge = checklist[checklist.index("## `proj.tasks.charge`") : checklist.index("## `proj.tasks.refund`")]
    assert "- [ ] Has a time limit (CT201)" in charge
    assert "Resilient ❌" in charge
    assert "1 finding outside the changed lines was hidden (--diff-base)." in checklist
    main(args)
    text = capsys.readouterr().out
    assert "All checks passed" not in text
    assert text.splitlines()[-1].endswith("1 finding outside the changed lines was hidden (--diff-base).")


def test_diff_base_without_visible_findings_does_not_say_all_passed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--no-cache", "--diff-base", "main", "--select", "CT201"]) == 0
    out = capsys.readouterr().out
    assert "All checks passed" not in out
    assert out.startswith("No findings in 2 tasks across 3 files.")


def test_diff_base_unknown_revision_is_a_usage_error(repo: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "checker", "check", "--no-cache", "--diff-base", "no-such-ref"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr == "celery-checklist: error: --diff-base: unknown revision no-such-ref\n"


# 12. A file that may define tasks but cannot be analysed is counted, never a silent pass


def test_unanalysable_file_is_counted_in_every_summary(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from checker import source

    monkeypatch.setattr(source, "MAX_SIZE", 200)  # the large-file limit, made small
    (project / "proj" / "big.py").write_text(
        "from celery import shared_task\n\n\n@shared_task\ndef big():\n    work()\n" + "x = 1\n" * 40
    )
    assert main(["check", "--no-cache", "--select", "CT601"]) == 0
    captured = capsys.readouterr()
    assert "proj/big.py: skipped" in captured.err
    assert "All checks passed" not in captured.out
    assert "1 file that may define tasks could not be analysed" in captured.out
    main(["check", "--no-cache", "--select", "CT601", "--format", "json"])
    assert json.loads(capsys.readouterr().out)["summary"]["unanalysed"] == 1


# 8. SARIF: one fingerprint per distinct finding, stable across line shifts; no empty region


def test_sarif_fingerprints_are_distinct_and_regions_non_empty(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (
        "from celery import shared_task\n\n\n@shared_task(time_limit=5, ignore_result=True)\n"
        "def noisy():\n    print(1)\n    print(1)\n\n\n"
        "@shared_task(time_limit=5, ignore_result=True)\ndef quiet():\n    print(1)\n"
    )
    (project / "proj" / "tasks.py").write_text(source)
    (project / "tests" / "test_tasks.py").write_text("")
    args = ["check", "--no-cache", "--format", "sarif", "--select", "CT301,CT601"]
    main(args)
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert len(results) == 5  # three prints, two untested tasks
    prints = [r["partialFingerprints"]["celeryChecklist/v1"] for r in results]
    assert len(set(prints)) == len(prints)
    for r in results:
        region = r["locations"][0]["physicalLocation"]["region"]
        assert (region["endLine"], region["endColumn"]) > (region["startLine"], region["startColumn"])
    ct301 = next(r for r in results if r["ruleId"] == "CT301")["locations"][0]["physicalLocation"]["region"]
    assert (
        ct301["startColumn"] == 1
        and ct301["endColumn"] == len("@shared_task(time_limit=5, ignore_result=True)") + 1
    )

    (project / "proj" / "tasks.py").write_text("# moved down\n\n" + source)
    main(args)
    shifted = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert [r["partialFingerprints"]["celeryChecklist/v1"] for r in shifted] == prints


# 10. Text output: no repetition, advice in the project's spelling


def test_text_names_the_task_once_and_speaks_django(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "proj" / "celery.py").write_text(
        "from celery import Celery\n\napp = Celery('proj')\n"
        "app.config_from_object('django.conf:settings', namespace='CELERY')\n"
    )
    (project / "tests" / "test_tasks.py").write_text("")
    main(["check", "--no-cache", "--select", "CT201,CT301"])
    lines = capsys.readouterr().out.splitlines()
    ct301 = next(line for line in lines if " CT301 " in line)
    assert ct301.count("proj.tasks.charge") == 1
    ct201 = next(line for line in lines if " CT201 " in line)
    assert "`CELERY_TASK_TIME_LIMIT` in the Django settings" in ct201
    assert "`task_time_limit`" not in ct201
    assert ct201.endswith("(proj.tasks.charge)")


def test_django_settings_read_with_no_namespace_take_the_old_names(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # ``config_from_object("django.conf:settings")`` with no namespace: Celery reads the old
    # upper-case names there (``CELERYD_TASK_TIME_LIMIT``); ``task_time_limit`` cannot be set
    (project / "proj" / "celery.py").write_text(
        "from celery import Celery\n\napp = Celery('proj')\napp.config_from_object('django.conf:settings')\n"
    )
    main(["check", "--no-cache", "--select", "CT201"])
    ct201 = next(line for line in capsys.readouterr().out.splitlines() if " CT201 " in line)
    assert "`CELERYD_TASK_TIME_LIMIT` in the Django settings" in ct201
    assert "`task_time_limit`" not in ct201


# 9. The checklist fits in a pull request, failing tasks first, headers agreeing with bodies


def test_checklist_fits_github_and_says_what_it_left_out(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clean = "@shared_task(time_limit=5, ignore_result=True)\ndef clean_{i}(x):\n    '''Doc.'''\n\n\n"
    noisy = "@shared_task\ndef noisy_task_with_a_rather_long_name_{i}(x):\n    print(x)\n\n\n"
    body = "".join(clean.format(i=i) + noisy.format(i=i) for i in range(400))
    (project / "proj" / "tasks.py").write_text("from celery import shared_task\n\n\n" + body)
    main(["check", "--no-cache", "--format", "checklist", "--ignore", "CT301"])
    text = capsys.readouterr().out
    assert len(text) <= 65_536
    assert "Left out to stay under GitHub's 65,536-character limit" in text
    first_failing = text.index("## `proj.tasks.noisy_task_with_a_rather_long_name_0`")
    assert first_failing < text.index("## Passing tasks (400)")
    assert "<details><summary>Checks</summary>" in text


def test_checklist_headers_agree_with_bodies(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--no-cache", "--format", "checklist"])
    text = capsys.readouterr().out
    assert "Deployed \u2796" in text and "Deployed ✅" not in text
    deployed = text[text.index("### Deployed") :].split("###")[1]
    assert "no check of this section ran" in deployed


# 11. The README promises only what exists


REPO = Path(__file__).resolve().parent.parent


def test_readme_sample_output_comes_from_a_real_run_of_the_examples() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    sample = readme.split("From `celery-checklist check\nexamples/`", 1)[1].split("```text\n", 1)[1]
    lines = sample.split("\n```", 1)[0].splitlines()
    run = subprocess.run(
        [sys.executable, "-m", "checker", "check", "examples/", "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    output = run.stdout.splitlines()
    shown = [line for line in lines if line != "…"]
    assert shown[:2] == output[:2] and shown[-2:] == output[-2:]


def test_readme_names_no_tag_that_does_not_exist() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "@v1" not in readme and "v0.1.0" not in readme
    assert "--bleeding-edge --freeze" in readme


# 6. Monorepos: each file uses the nearest configuration above it


@pytest.fixture
def monorepo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    for app in ("api", "web"):
        (tmp_path / "apps" / app / "proj").mkdir(parents=True)
        (tmp_path / "apps" / app / "proj" / "__init__.py").write_text("")
        (tmp_path / "apps" / app / "proj" / "tasks.py").write_text(textwrap.dedent(UNTIMED).lstrip())
    (tmp_path / "apps" / "api" / "pyproject.toml").write_text(
        '[tool.celery-checklist]\nignore = ["CT201", "CT301"]\nfail-on = "never"\n'
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_each_file_uses_the_nearest_configuration(monorepo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-cache", "--format", "json"]) == 1  # web has no configuration
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert {(f["path"], f["code"]) for f in findings} == {
        ("apps/web/proj/tasks.py", "CT201"),
        ("apps/web/proj/tasks.py", "CT301"),
    }
    assert main(["check", "--no-cache", "apps/api"]) == 0
    assert main(["check", "--no-cache", "apps/api/proj/tasks.py"]) == 0
    capsys.readouterr()

    assert main(["check", "--show-settings", "apps/api/proj/tasks.py"]) == 0
    out = capsys.readouterr().out
    assert "configuration: apps/api/pyproject.toml" in out and "fail-on: never" in out
    assert "CT201" not in out.split("rules: ", 1)[1].splitlines()[0]
    assert main(["check", "--show-files"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "apps/web/proj/__init__.py  [(defaults)]",
        "apps/web/proj/tasks.py  [(defaults)]",
        "apps/api/proj/__init__.py  [apps/api/pyproject.toml]",
        "apps/api/proj/tasks.py  [apps/api/pyproject.toml]",
    ]


def test_a_configured_directory_the_root_excludes_stays_excluded(
    monorepo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (monorepo / "pyproject.toml").write_text('[tool.celery-checklist]\nexclude = ["apps/api/"]\n')
    assert main(["check", "--show-files"]) == 0
    listed = capsys.readouterr().out
    assert "apps/web/proj/tasks.py  [pyproject.toml]" in listed
    assert "apps/api" not in listed
