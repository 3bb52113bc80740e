"""``[tool.celery-checklist]``: reading, validating, and its effect on a run."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from checker.cli import main
from checker.config import ConfigError, load_file
from checker.model import Severity
from checker.selection import resolve

CODES = ["CT000", "CT101", "CT109", "CT201", "CT202", "CT601"]
OPT_IN = frozenset({"CT109"})


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "pyproject.toml"
    path.write_text(textwrap.dedent(body))
    return path


def test_reads_every_key(tmp_path: Path) -> None:
    config = load_file(
        _write(
            tmp_path,
            """
            [tool.celery-checklist]
            select = ["CT1", "CT2"]
            extend-select = ["CT109"]
            ignore = ["CT202"]
            severity = { CT201 = "error" }
            exclude = ["migrations/"]
            task-decorators = ["acme.jobs.instrumented_task"]
            test-paths = ["tests/**/*.py"]
            example-dirs = ["demo"]
            fail-on = "error"
            """,
        )
    )
    assert config.example_dirs == ["demo"]
    assert config.select == ["CT1", "CT2"]
    assert config.severity == {"CT201": Severity.ERROR}
    assert config.fail_on == "error"
    assert config.root == tmp_path


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('select = "CT1"', '`select` must be a list of strings, got the string "CT1"'),
        ("colour = true", "unknown key `colour`"),
        ('fail-on = "sometimes"', "`fail-on` must be one of error, warning, info, never"),
        ('severity = { CT201 = "fatal" }', '`severity.CT201` must be "error", "warning" or "info"'),
        ('task-decorators = ["task"]', "`task-decorators` entries must be dotted paths"),
        ('example-dirs = ["docs/api"]', '`example-dirs` entries must be directory names such as "examples"'),
        ('example-dirs = ["*"]', "`example-dirs` entries must be directory names"),
        ("select = [", "not valid TOML"),
    ],
)
def test_bad_config_is_one_clear_line(tmp_path: Path, body: str, message: str) -> None:
    path = _write(tmp_path, f"[tool.celery-checklist]\n{body}\n")
    with pytest.raises(ConfigError, match=None) as error:
        load_file(path)
    assert message in str(error.value)
    assert str(path) in str(error.value)


def test_unknown_code_in_config_exits_2(tmp_path: Path, monkeypatch, capsys) -> None:
    _write(tmp_path, '[tool.celery-checklist]\nignore = ["CT9"]\n')
    monkeypatch.chdir(tmp_path)
    assert main(["check"]) == 2
    err = capsys.readouterr().err.strip()
    assert "ignore: unknown rule code or prefix 'CT9'" in err and len(err.splitlines()) == 1


def test_config_found_by_walking_up_and_applied(tmp_path: Path, monkeypatch, capsys) -> None:
    _write(
        tmp_path,
        """
        [tool.celery-checklist]
        select = ["CT201"]
        severity = { CT201 = "error" }
        exclude = ["legacy/"]
        fail-on = "error"
        """,
    )
    task = "from celery import shared_task\n\n@shared_task\ndef t():\n    print(1)\n"
    (tmp_path / "app" / "legacy").mkdir(parents=True)
    (tmp_path / "app" / "tasks.py").write_text(task)
    (tmp_path / "app" / "legacy" / "tasks.py").write_text(task)
    monkeypatch.chdir(tmp_path / "app")
    assert main(["check", "."]) == 1
    out = capsys.readouterr().out.splitlines()
    assert (
        out[0]
        == "tasks.py:3:1: CT201 [error] no time limit: set `soft_time_limit`/`time_limit` on the task or `task_time_limit` in the Celery config (app.tasks.t)"
    )
    assert len(out) == 2


def test_selection_rules() -> None:
    assert resolve(CODES, OPT_IN, None, [], []) == ("CT000", "CT101", "CT201", "CT202", "CT601")
    assert resolve(CODES, OPT_IN, ["CT2"], [], []) == ("CT000", "CT201", "CT202")
    assert resolve(CODES, OPT_IN, None, ["CT109"], ["CT6"]) == (
        "CT000",
        "CT101",
        "CT109",
        "CT201",
        "CT202",
    )
    assert resolve(CODES, OPT_IN, ["ALL"], [], ["CT2"]) == ("CT000", "CT101", "CT109", "CT601")
    assert resolve(CODES, OPT_IN, ["CT201"], [], ["CT2"]) == ("CT000", "CT201")
    assert resolve(CODES, OPT_IN, None, [], ["CT000"]) == ("CT101", "CT201", "CT202", "CT601")


@pytest.mark.parametrize("key", ["exclude", "test-paths"])
def test_bad_globs_are_one_clear_line(tmp_path: Path, key: str) -> None:
    path = _write(tmp_path, f'[tool.celery-checklist]\n{key} = ["ok/", "[z-a].py"]\n')
    with pytest.raises(ConfigError) as error:
        load_file(path)
    assert f"`{key}` has a bad glob '[z-a].py'" in str(error.value) and str(path) in str(error.value)
