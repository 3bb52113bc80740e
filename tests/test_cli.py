"""The command line: formats, exit statuses, options and error messages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from checker.cli import main

BAD = """
from celery import shared_task

@shared_task(max_retry=3)
def charge(payment_id):
    print(payment_id)


def later(payment_id):
    charge.delay(payment_id)  # the result is dropped (CT501 applies)
"""
GOOD = """
from celery import shared_task

@shared_task(time_limit=60, ignore_result=True)
def charge(payment_id):
    '''Charge a payment.'''
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "proj").mkdir()
    # results are stored (CT501 applies)
    (tmp_path / "proj" / "__init__.py").write_text("CELERY_RESULT_BACKEND = 'redis://localhost'\n")
    (tmp_path / "proj" / "tasks.py").write_text(textwrap.dedent(BAD).lstrip())
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_tasks.py").write_text("from proj.tasks import charge\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_text_output_and_exit_status(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "proj", "tests"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("proj/tasks.py:3:1: CT201 [warning] no time limit")
    [ct107] = [line for line in out if ": CT107 " in line]
    assert ct107.startswith("proj/tasks.py:3:14: CT107 [error] `max_retry` is not a Celery task option")
    assert ct107.endswith("(proj.tasks.charge)")
    assert out[-1] == "Found 4 findings (1 error, 1 warning, 2 infos) in 1 task across 3 files."
    assert "\033[" not in "\n".join(out)  # no colour when not a TTY


def test_default_path_is_current_directory(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 1
    assert "proj/tasks.py:3:1: CT201" in capsys.readouterr().out


def test_fail_on_thresholds(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--fail-on", "never"]) == 0
    assert main(["check", "--ignore", "CT107", "--fail-on", "error"]) == 0
    assert main(["check", "--ignore", "CT107", "--fail-on", "warning"]) == 1
    assert main(["check", "--select", "CT601", "--fail-on", "warning"]) == 0
    assert main(["check", "--select", "CT601", "--fail-on", "info"]) == 1


def test_clean_project_exits_zero(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "proj" / "tasks.py").write_text(textwrap.dedent(GOOD).lstrip())
    assert main(["check", "--extend-select", "CT110"]) == 0
    assert capsys.readouterr().out.strip() == "All checks passed: 1 task across 3 files."


def test_json_report(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["version"] == 1
    assert report["tasks"] == [
        {
            "name": "proj.tasks.charge",
            "function": "charge",
            "path": "proj/tasks.py",
            "line": 3,
            "column": 1,
            "decorator": "celery.shared_task",
            "sections": {
                "defined": "fail",
                "resilient": "fail",
                "tested": "pass",
                "deployed": "skipped",  # no per-task check of this section exists
                "optimized": "fail",
                "observable": "fail",
            },
        }
    ]
    first = report["findings"][0]
    assert first == {
        "code": "CT201",
        "name": "missing-time-limit",
        "section": "resilient",
        "severity": "warning",
        "message": first["message"],
        "path": "proj/tasks.py",
        "line": 3,
        "column": 1,
        "end_line": 3,
        "end_column": 26,
        "task": "proj.tasks.charge",
    }
    assert report["summary"] == {
        "files": 3,
        "tasks": 1,
        "errors": 1,
        "warnings": 1,
        "infos": 2,
        "unanalysed": 0,
        "hidden": 0,
    }


def test_checklist_format(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (project / "proj" / "settings.py").write_text("CELERY_TASK_SERIALIZER = 'pickle'\n")
    main(["check", "--format", "checklist"])
    out = capsys.readouterr().out
    assert "## `proj.tasks.charge`" in out
    assert "(made by `celery.shared_task`)" in out
    assert "- [ ] Has a time limit (CT201)" in out
    assert "- [x] The task decorator is the outermost decorator (CT101)" in out
    assert "  - `proj/tasks.py:3:14` `max_retry` is not a Celery task option" in out
    assert "## Project" in out and "CT404 pickle-serializer: `proj/settings.py:1:26`" in out


def test_output_file_and_quiet(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--output", "report.json", "--format", "json"]) == 1
    assert capsys.readouterr().out == ""
    assert json.loads((project / "report.json").read_text())["summary"]["tasks"] == 1
    main(["check", "--quiet"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and all(": CT" in line for line in lines)


def test_select_prefix_and_all(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--select", "CT2", "--format", "json"])
    assert {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]} == {"CT201"}
    main(["check", "--select", "ALL", "--format", "json"])
    codes = {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert {"CT109", "CT110"} <= codes  # opt-in rules run when ALL selects them


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--select", "CT999"], "--select: unknown rule code or prefix 'CT999'"),
        (["check", "--ignore", "XYZ"], "--ignore: unknown rule code or prefix 'XYZ'"),
        (["explain", "CT999"], "unknown rule code 'CT999'"),
        (["check", "--config", "missing.toml"], "--config missing.toml: no such file"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_argparse_errors_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["check", "--format", "xml"])
    assert exit_info.value.code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_rules_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "CT201   missing-time-limit" in out and "CT109   implicit-name" in out
    assert "the project's own decorator factories" in out
    assert main(["explain", "ct201"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# CT201 missing-time-limit")
    assert "## Why is this bad?" in out and "## Use instead" in out


def test_jobs_runs_a_process_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    for i in range(40):
        (tmp_path / f"tasks_{i}.py").write_text(textwrap.dedent(BAD).lstrip())
    monkeypatch.chdir(tmp_path)
    # (without the cache: an unchanged project would give the last run's result)
    assert main(["check", "--jobs", "2", "--format", "json", "--no-cache"]) == 1
    parallel = json.loads(capsys.readouterr().out)
    assert main(["check", "--jobs", "1", "--format", "json", "--no-cache"]) == 1
    assert json.loads(capsys.readouterr().out) == parallel
    assert main(["check", "--jobs", "3", "--format", "json", "--no-cache"]) == 1
    assert json.loads(capsys.readouterr().out) == parallel
    assert parallel["summary"]["tasks"] == 40


def test_python_dash_m_and_console_script(project: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "checker", "check", "--select", "CT107"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )
    assert out.returncode == 1
    assert "CT107" in out.stdout


def test_colour_only_on_a_terminal(project: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    main(["check", "--select", "CT107"])
    assert "\033[1;31mCT107\033[0m" in capsys.readouterr().out
    monkeypatch.setenv("NO_COLOR", "1")
    main(["check", "--select", "CT107"])
    assert "\033[" not in capsys.readouterr().out


def test_the_command_leaves_nothing_unwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """The command exits without tearing its heap down (``os._exit``, once its streams are
    flushed): its whole report still reaches a pipe and an ``--output`` file, with the exit
    status of an ordinary run."""
    root = Path(__file__).resolve().parent.parent
    command = [sys.executable, "-m", "checker", "check", "examples/", "--no-cache", "--format", "json"]
    env = {**os.environ, "PYTHONPATH": str(root)}
    piped = subprocess.run(command, cwd=root, capture_output=True, text=True, env=env)
    written = tmp_path / "report.json"
    to_file = subprocess.run(
        [*command, "--output", str(written)], cwd=root, capture_output=True, text=True, env=env
    )
    monkeypatch.chdir(root)
    assert main(["check", "examples/", "--no-cache", "--format", "json"]) == 1
    in_process = json.loads(capsys.readouterr().out)
    assert piped.returncode == to_file.returncode == 1
    assert json.loads(piped.stdout) == json.loads(written.read_text(encoding="utf-8")) == in_process
    assert in_process["summary"]["tasks"] > 0 and in_process["findings"]


@pytest.mark.parametrize("command", [["rules"], ["explain", "CT101"], ["check", "examples/", "--no-cache"]])
def test_a_closed_pipe_is_not_a_traceback(command: list[str]) -> None:
    """``celery-checklist rules | head -1``: the reader leaves early; no traceback."""
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [sys.executable, "-m", "checker", *command],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # before it writes anything
    error = process.stderr.read().decode()
    assert process.wait() == 141
    assert "Traceback" not in error and "Exception ignored" not in error, error
