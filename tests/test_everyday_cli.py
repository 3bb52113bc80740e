"""Everyday options: per-file-ignores, extend-exclude, --statistics, --output-format full/grouped,
--exit-zero, --color, explain by name, and ``check -`` with --stdin-filename."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest

from checker.cli import main

BAD = """
from celery import shared_task

@shared_task(max_retry=3)
def charge(payment_id):
    print(payment_id)
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'proj'\n")
    for package in ("proj", "legacy"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
        (tmp_path / package / "tasks.py").write_text(textwrap.dedent(BAD).lstrip())
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _configure(project: Path, table: str) -> None:
    (project / "pyproject.toml").write_text(
        "[project]\nname = 'proj'\n\n[tool.celery-checklist]\n" + textwrap.dedent(table)
    )


def _paths_codes(out: str) -> set[tuple[str, str]]:
    return {(line.split(":")[0], line.split()[1]) for line in out.splitlines() if ": CT" in line}


def test_per_file_ignores_and_extend_exclude(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _configure(project, '[tool.celery-checklist.per-file-ignores]\n"legacy/**" = ["CT6", "CT107"]\n')
    main(["check", "--no-cache"])
    found = _paths_codes(capsys.readouterr().out)
    assert ("proj/tasks.py", "CT601") in found and ("proj/tasks.py", "CT107") in found
    assert ("legacy/tasks.py", "CT201") in found
    assert not {c for p, c in found if p == "legacy/tasks.py"} & {"CT601", "CT107"}

    _configure(project, 'extend-exclude = ["legacy/"]\n')
    main(["check", "--no-cache"])
    assert {p for p, _ in _paths_codes(capsys.readouterr().out)} == {"proj/tasks.py"}

    _configure(project, '[tool.celery-checklist.per-file-ignores]\n"legacy/**" = ["CT999"]\n')
    assert main(["check", "--no-cache"]) == 2
    assert "per-file-ignores.legacy/**: unknown rule code or prefix 'CT999'" in capsys.readouterr().err


def test_statistics(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-cache", "--statistics"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["count", "code", "fixable", "name"]
    assert "    2  CT107   unsafe   unknown-task-option" in out
    assert "    2  CT601   no       print-in-task" in out
    assert out[-1].startswith("Found ")


def test_full_and_grouped_output(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "--no-cache", "--output-format", "full", "proj"])
    out = capsys.readouterr().out
    assert "proj/tasks.py:3:14: CT107 [error] `max_retry` is not a Celery task option" in out
    assert "  |\n3 | @shared_task(max_retry=3)\n  |              ^^^^^^^^^\n" in out
    main(["check", "--no-cache", "--output-format", "grouped"])
    out = capsys.readouterr().out
    assert "legacy/tasks.py:\n  3:1 CT201 [warning]" in out
    assert "\n\nproj/tasks.py:\n  3:1 CT201" in out
    main(["check", "--no-cache", "--format", "grouped"])  # the old name still works
    assert capsys.readouterr().out == out


def test_exit_zero(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--no-cache"]) == 1
    assert main(["check", "--no-cache", "--exit-zero"]) == 0
    assert ": CT107 " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("flags", "env", "coloured"),
    [
        (["--color", "always"], {}, True),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, True),
        ([], {"NO_COLOR": "1"}, False),
        ([], {}, False),  # not a terminal
    ],
)
def test_color(
    project: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    env: dict[str, str],
    coloured: bool,
) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    main(["check", "--no-cache", *flags])
    assert ("\033[" in capsys.readouterr().out) is coloured


def test_explain_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "missing-time-limit"]) == 0
    assert capsys.readouterr().out.startswith("# CT201 missing-time-limit")
    assert main(["explain", "no-such-rule"]) == 2


def test_stdin_with_the_project_around_it(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # the project's test mentions the task (no CT301) and sets a global time limit (no CT201)
    (project / "tests").mkdir()
    (project / "tests" / "test_tasks.py").write_text("from proj.tasks import charge\n")
    (project / "proj" / "celery.py").write_text(
        "from celery import Celery\n\napp = Celery('proj')\napp.conf.task_time_limit = 60\n"
    )
    source = textwrap.dedent(BAD).lstrip().replace("max_retry=3", "max_retries=3")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(source.encode())))
    assert main(["check", "-", "--stdin-filename", "proj/tasks.py", "--no-cache", "--fail-on", "info"]) == 1
    found = _paths_codes(capsys.readouterr().out)
    assert ("proj/tasks.py", "CT601") in found
    assert not {c for _, c in found} & {"CT107", "CT201", "CT301"}
    assert {p for p, _ in found} == {"proj/tasks.py"}
    assert "max_retry=3" in (project / "proj" / "tasks.py").read_text()  # the file is not touched


def test_stdin_needs_a_lone_dash(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--stdin-filename", "proj/tasks.py"]) == 2
    assert main(["check", "-", "proj"]) == 2
    assert main(["check", "-", "--add-noqa"]) == 2


def test_stdin_fix_prints_the_fixed_source(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = (
        "from celery import shared_task\n\n@shared_task(time_limit=5)  # keep\ndef f(self):\n    return 1\n"
    )
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(source.encode())))
    main(["check", "-", "--stdin-filename", "proj/new.py", "--no-cache", "--fix"])
    captured = capsys.readouterr()
    assert captured.out == source.replace("(time_limit=5)", "(time_limit=5, bind=True)")
    assert "Fixed 1 finding (1 CT102)" in captured.err
    assert ": CT102 " not in captured.err
    assert not (project / "proj" / "new.py").exists()


def test_per_file_ignores_of_a_nested_project_apply_to_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.celery-checklist]\nfail-on = "info"\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text(
        '[tool.celery-checklist]\n\n[tool.celery-checklist.per-file-ignores]\n"a/**" = ["CT601"]\n'
    )
    for where in (tmp_path / "a", tmp_path / "sub" / "a"):
        where.mkdir()
        (where / "__init__.py").write_text("")
        (where / "tasks.py").write_text(textwrap.dedent(BAD).lstrip())
    monkeypatch.chdir(tmp_path)
    main(["check", "--no-cache"])
    found = _paths_codes(capsys.readouterr().out)
    assert ("a/tasks.py", "CT601") in found
    assert ("sub/a/tasks.py", "CT601") not in found
    assert ("sub/a/tasks.py", "CT201") in found
