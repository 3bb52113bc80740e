"""--add-noqa through the CLI: every finding silenced, files still parse, a second run changes nothing."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from checker.cli import main
from checker.model import Finding, Section, Severity
from checker.noqa import add_noqa

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

FILES = {
    "proj/__init__.py": "",
    "proj/tasks.py": '''
        from celery import shared_task

        @shared_task(max_retry=3)  # noqa: E501
        def charge(payment_id):
            print(payment_id)  # a note
            return payment_id

        @shared_task(time_limit=60)
        def refund(payment_id):
            """Refund."""
            print("""two
        lines""", payment_id); return 1
    ''',
}


def _texts(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*.py"))}


def test_add_noqa_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--no-cache", "--fail-on", "info"]) == 1
    capsys.readouterr()
    assert main(["check", "--no-cache", "--add-noqa"]) == 0
    text = (tmp_path / "proj" / "tasks.py").read_text()
    assert "@shared_task(max_retry=3)  # noqa: E501, CT107, CT201, CT301\n" in text
    assert "    print(payment_id)  # a note  # noqa: CT601\n" in text
    # the line ending inside the string cannot take a comment: the task's header takes it
    assert "def refund(payment_id):  # noqa: CT601\n" in text
    assert "added noqa comments for 6 findings in 1 file" in capsys.readouterr().err
    assert main(["check", "--no-cache", "--fail-on", "info"]) == 0
    cst.parse_module(text)
    before = _texts(tmp_path)
    main(["check", "--no-cache", "--add-noqa"])
    assert _texts(tmp_path) == before


def test_add_noqa_on_a_copy_of_examples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy, ignore=shutil.ignore_patterns(".celery-checklist-cache"))
    monkeypatch.chdir(copy)
    assert main(["check", "--no-cache", "--add-noqa"]) == 0
    capsys.readouterr()
    assert main(["check", "--no-cache", "--fail-on", "info", "--ignore", "CT000"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("All checks passed")
    texts = _texts(copy)
    for path, text in texts.items():
        if "legacy_py2" not in path:  # the file with the syntax error, left alone
            compile(text, path, "exec")
    main(["check", "--no-cache", "--add-noqa"])
    assert _texts(copy) == texts


def _finding(code: str, line: int) -> Finding:
    return Finding(code, "n", Section.DEFINED, Severity.ERROR, "m", "f.py", line, 1, line, 2, "f", "f.py:2:f")


def test_merges_with_an_existing_noqa_and_keeps_line_endings() -> None:
    text = "x = 1  # noqa: E501 because\r\ny = 2\r\n"
    result = add_noqa(text, [_finding("CT201", 1), _finding("CT202", 2)])
    assert result.text == "x = 1  # noqa: E501, CT201 because\r\ny = 2  # noqa: CT202\r\n"
    assert add_noqa(result.text, [_finding("CT201", 1)]).text == result.text


def test_a_line_continued_by_a_backslash_is_left_without_a_task_header() -> None:
    text = "x = 1 + \\\n    2\n"
    result = add_noqa(text, [_finding("CT201", 1)])
    assert result.text == text and len(result.skipped) == 1
    result = add_noqa(text, [_finding("CT201", 1)], {"f.py:2:f": [2]})
    assert result.text == "x = 1 + \\\n    2  # noqa: CT201\n" and not result.skipped
