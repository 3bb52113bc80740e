"""``--diff-base``: only findings on lines the branch adds or changes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main
from checker.diff import parse
from tests.helpers import git

BASE = "from celery import shared_task\n\n\n@shared_task\ndef old():\n    print(1)\n"
ADDED = "\n\n@shared_task\ndef new():\n    print(2)\n"


def test_parse_unified_zero_diff() -> None:
    diff = (
        "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -3 +3,2 @@\n-x\n+y\n+z\n"
        "@@ -10,2 +11,0 @@\n-gone\n-gone\n"
        'diff --git "a/na\\303\\257ve.py" "b/na\\303\\257ve.py"\n+++ "b/na\\303\\257ve.py"\n@@ -0,0 +1 @@\n+new\n'
        "+++ /dev/null\n@@ -1 +0,0 @@\n"
    )
    assert parse(diff) == {"a.py": {3, 4}, "naïve.py": {1}}


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    git("init", "-q", "-b", "main", cwd=tmp_path)
    (tmp_path / "tasks.py").write_text(BASE)
    git("add", "-A", cwd=tmp_path)
    git("commit", "-q", "-m", "base", cwd=tmp_path)
    git("checkout", "-q", "-b", "feature", cwd=tmp_path)
    (tmp_path / "tasks.py").write_text(BASE + ADDED)
    git("commit", "-q", "-am", "feature", cwd=tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_only_changed_lines_are_reported(repo: Path, capsys) -> None:
    main(["check", "--select", "CT601", "--format", "json", "--no-cache"])
    everything = json.loads(capsys.readouterr().out)["findings"]
    assert [f["line"] for f in everything] == [6, 11]
    main(["check", "--select", "CT601", "--format", "json", "--no-cache", "--diff-base", "main"])
    captured = capsys.readouterr()
    assert [f["line"] for f in json.loads(captured.out)["findings"]] == [11]


def test_unknown_base_is_a_usage_error(repo: Path, capsys) -> None:
    assert main(["check", "--select", "CT601", "--no-cache", "--diff-base", "no-such-ref"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "celery-checklist: error: --diff-base: unknown revision no-such-ref\n"
