"""Autofix through the CLI: --fix, --unsafe-fixes, --diff, on examples/ and on small projects."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import libcst as cst
import pytest

from checker.cli import main

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SAFE = {"CT101", "CT102", "CT103", "CT206"}
UNSAFE = {"CT107", "CT405", "CT501"}


def _findings(capsys: pytest.CaptureFixture[str]) -> list[tuple[str, str, int, str | None]]:
    capsys.readouterr()
    main(["check", ".", "--no-cache", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    return [(f["code"], f["path"], f["line"], f["task"]) for f in report["findings"]]


def _texts(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*.py"))}


@pytest.mark.parametrize(
    ("flags", "fixed"), [(["--fix"], SAFE), (["--fix", "--unsafe-fixes"], SAFE | UNSAFE)]
)
def test_fix_on_a_copy_of_examples(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    fixed: set[str],
) -> None:
    copy = tmp_path / "examples"
    shutil.copytree(EXAMPLES, copy, ignore=shutil.ignore_patterns(".celery-checklist-cache"))
    monkeypatch.chdir(copy)
    before = _findings(capsys)
    assert fixed <= {code for code, *_ in before}
    originals = _texts(copy)

    main(["check", ".", "--no-cache", *flags])
    out = capsys.readouterr().out
    assert f"Fixed {len(fixed)} findings" in out
    after = _findings(capsys)
    assert not fixed & {code for code, *_ in after}  # the fixed codes are gone
    assert after == [f for f in before if f[0] not in fixed]  # everything else identical
    changed = _texts(copy)
    for path, text in changed.items():
        if text != originals[path]:
            cst.parse_module(text)  # still parses
            compile(text, path, "exec")
            assert len(text.splitlines()) == len(originals[path].splitlines())
            # every comment survives
            comments = [line.split("#", 1)[1] for line in originals[path].splitlines() if "#" in line]
            assert all(c in text for c in comments)

    main(["check", ".", "--no-cache", *flags])
    assert "Fixed 0 findings" in capsys.readouterr().out
    assert _texts(copy) == changed  # a second run is a no-op


PROJECT = {
    "proj/__init__.py": "",
    "proj/tasks.py": """
        from celery import shared_task

        @shared_task
        def bare(self, x):  # a comment that stays
            return self.request.id

        @shared_task(
            time_limit=30,
            bind=False,
        )
        def explicit(self, x):
            return x

        @shared_task(
            time_limit=30,  # keep me
            max_retry=5,
        )
        def multi(x):
            '''Doc.'''
            return x
    """,
}


def _make(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())


def test_fixes_keep_the_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _make(tmp_path, PROJECT)
    monkeypatch.chdir(tmp_path)
    main(["check", ".", "--no-cache", "--fix", "--unsafe-fixes"])
    text = (tmp_path / "proj" / "tasks.py").read_text()
    assert "@shared_task(bind=True)\ndef bare(self, x):  # a comment that stays\n" in text
    assert "@shared_task(\n    time_limit=30,\n    bind=True,\n)\ndef explicit" in text
    assert "    time_limit=30,  # keep me\n    max_retries=5,\n)" in text


def test_diff_prints_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _make(tmp_path, PROJECT)
    monkeypatch.chdir(tmp_path)
    original = (tmp_path / "proj" / "tasks.py").read_text()
    assert main(["check", ".", "--no-cache", "--diff"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("--- a/proj/tasks.py\n+++ b/proj/tasks.py\n")
    assert "+@shared_task(bind=True)" in out
    assert "max_retries" not in out  # CT107 is unsafe
    assert (tmp_path / "proj" / "tasks.py").read_text() == original
    main(["check", ".", "--no-cache", "--fix"])
    capsys.readouterr()
    assert main(["check", ".", "--no-cache", "--diff"]) == 0
    assert capsys.readouterr().out == ""


def test_crontab_fix_sets_the_smaller_fields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _make(
        tmp_path,
        {
            "beat.py": """
                from celery.schedules import crontab

                SCHEDULE = {
                    "a": crontab(hour=7),
                    "b": crontab(day_of_week=1),
                    "c": crontab(minute=5, day_of_week=1),
                    "d": crontab(month_of_year="2-12/2"),
                }
            """
        },
    )
    monkeypatch.chdir(tmp_path)
    main(["check", ".", "--no-cache", "--fix"])  # CT405 is unsafe: nothing changes
    assert "crontab(hour=7)," in (tmp_path / "beat.py").read_text()
    main(["check", ".", "--no-cache", "--unsafe-fixes"])
    text = (tmp_path / "beat.py").read_text()
    assert '"a": crontab(hour=7, minute=0),' in text
    assert '"b": crontab(day_of_week=1, minute=0, hour=0),' in text
    assert '"c": crontab(minute=5, day_of_week=1, hour=0),' in text
    # months alone: once a month, on its first day
    assert '"d": crontab(month_of_year="2-12/2", minute=0, hour=0, day_of_month=1),' in text


def test_rules_lists_fixable_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--format", "json"]) == 0
    rows = {r["code"]: r["fixable"] for r in json.loads(capsys.readouterr().out)}
    assert {c for c, f in rows.items() if f == "safe"} == SAFE
    assert {c for c, f in rows.items() if f == "unsafe"} == UNSAFE
    assert main(["rules"]) == 0
    [line] = [line for line in capsys.readouterr().out.splitlines() if line.startswith("CT101")]
    assert line.endswith("safe")


def test_explain_says_whether_a_rule_is_fixable(capsys: pytest.CaptureFixture[str]) -> None:
    main(["explain", "CT101"])
    assert "Fix: moves the task decorator to the top (--fix)." in capsys.readouterr().out
    main(["explain", "CT501"])
    assert "(unsafe: --unsafe-fixes)" in capsys.readouterr().out
    main(["explain", "CT201"])
    assert "Fix:" not in capsys.readouterr().out


def test_a_decorator_of_the_task_class_stays_above_the_task_decorator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # a method of the task's base class, written to wrap the task object: moving it would break it
    _make(
        tmp_path,
        {
            "proj/__init__.py": "",
            "proj/base.py": """
                from celery import Task

                class PublicTask(Task):
                    @staticmethod
                    def permission_check(check):
                        def wrap(task):
                            task.check = check
                            return task
                        return wrap
            """,
            "proj/tasks.py": """
                from celery import shared_task
                from proj.base import PublicTask

                @PublicTask.permission_check(print)
                @audited
                @shared_task(base=PublicTask, time_limit=5)
                def public(user_id):
                    return user_id

                @audited
                @shared_task(time_limit=5)
                def private(user_id):
                    return user_id
            """,
        },
    )
    monkeypatch.chdir(tmp_path)
    main(["check", ".", "--no-cache", "--fix", "--select", "CT101"])
    text = (tmp_path / "proj" / "tasks.py").read_text()
    assert (
        "@PublicTask.permission_check(print)\n@shared_task(base=PublicTask, time_limit=5)\n@audited\ndef public"
        in text
    )
    assert "@shared_task(time_limit=5)\n@audited\ndef private" in text


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("f(a=1)", "f(a=1, bind=True)"),
        ("f()", "f(bind=True)"),
        ("f(a=1,)", "f(a=1, bind=True,)"),
        ("f(\n    a=1,\n)", "f(\n    a=1,\n    bind=True,\n)"),
        ("f(\n    a=1\n)", "f(\n    a=1,\n    bind=True\n)"),
        ("f(a=1,\n  b=2)", "f(a=1,\n  b=2,\n  bind=True)"),
        ("f(**kw)", "f(**kw, bind=True)"),
        ("f(a=1  # why\n)", "f(a=1, bind=True  # why\n)"),
    ],
)
def test_a_keyword_is_added_in_the_call_s_layout(before: str, after: str) -> None:
    from checker.fixes import _append_arg, _keyword

    call = cst.parse_expression(before)
    assert isinstance(call, cst.Call)
    assert cst.Module([]).code_for_node(_append_arg(call, _keyword("bind", "True"))) == after
