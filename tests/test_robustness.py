"""No input crashes the CLI: each odd file gets one clear line (or CT000), the rest is analysed.

Every case is also checked against Python's own parser: CT000 exactly when `ast.parse` fails.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

TASK = b"from celery import shared_task\n\n@shared_task\ndef t():\n    work()\n"
CASES: dict[str, bytes] = {
    "nul_byte.py": b"import celery\x00\nx = 1\n",
    "invalid_utf8.py": b"import celery\nx = '\xff\xfe'\n",
    "latin1_cookie.py": b"# -*- coding: latin-1 -*-\nimport celery\nname = '\xe9'\n",
    "bom.py": b"\xef\xbb\xbf" + TASK,
    "crlf.py": TASK.replace(b"\n", b"\r\n"),
    "lone_cr.py": TASK.replace(b"\n", b"\r"),
    "form_feed.py": b"import celery\n\x0c\ndef f():\n    \x0cpass\n",
    "python2.py": b"import celery\nprint 'hello'\nexec 'x = 1'\n",
    "mixed_tabs.py": b"import celery\nif True:\n\tx = 1\n        y = 2\n",
    "deep_parens.py": b"import celery\nx = " + b"(" * 3000 + b"1" + b")" * 3000 + b"\n",
    "deep_blocks.py": b"import celery\n"
    + b"".join(b" " * i + b"if x:\n" for i in range(150))
    + b" " * 150
    + b"pass\n",
    "big.py": b"import celery\n" + b"def function_number(a, b):\n    return a + b\n\n" * 120_000,
    "empty.py": b"",
    "match.py": b"import celery\nmatch command:\n    case [x, *rest]:\n        pass\n    case _:\n        pass\n",
    "pep695.py": b"import celery\ntype Pair = tuple[int, int]\ndef first[T](x: list[T]) -> T:\n    return x[0]\n",
    "nested_fstring.py": b'import celery\nx = f"{f"{1}"}"\n',
    "dir with spaces/ünïcödé_tasks.py": TASK,
}
# Valid Python of a newer version than the one running the tests: never CT000.
NEWER_SYNTAX = frozenset({"match.py", "pep695.py", "nested_fstring.py"})


def _python_accepts(data: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, Path]:
    root = tmp_path_factory.mktemp("odd")
    (root / ".git").mkdir()
    for name, data in CASES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    (root / "good_tasks.py").write_bytes(TASK)
    # a project of its own (its files import as top-level modules): "dir with spaces" is no
    # part of a module name, so a worker can import the task in it
    (root / "dir with spaces" / "setup.py").write_bytes(b"")
    (root / "folder.py").mkdir()
    os.symlink(root / "loop.py", root / "loop.py")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker",
            "check",
            ".",
            "--format",
            "json",
            "--select",
            "CT000,CT201",
            "--no-cache",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)},
    )
    assert out.returncode == 1, out.stderr
    return json.loads(out.stdout), out.stderr, root


def test_no_traceback_and_one_line_per_problem(report: tuple[dict, str, Path]) -> None:
    _, stderr, _ = report
    assert "Traceback" not in stderr
    for line in stderr.splitlines():
        assert line.startswith("celery-checklist: "), line
    assert "loop.py: cannot read" in stderr
    assert "big.py: skipped" in stderr and "not analysed" in stderr


@pytest.mark.parametrize("name", sorted(CASES))
def test_ct000_exactly_when_python_rejects_the_file(report: tuple[dict, str, Path], name: str) -> None:
    findings, _, _ = report
    ct000 = [f for f in findings["findings"] if f["code"] == "CT000" and f["path"] == name]
    data = CASES[name]
    if name in NEWER_SYNTAX:
        assert ct000 == []
    elif not _python_accepts(data):
        assert len(ct000) == 1, f"{name}: Python rejects it, so CT000 is expected"
        assert ct000[0]["line"] >= 1 and ct000[0]["column"] >= 1
    else:
        assert ct000 == [], f"{name}: Python accepts it, so no CT000"


def test_every_other_file_is_still_analysed(report: tuple[dict, str, Path]) -> None:
    findings, _, _ = report
    analysed = {f["path"] for f in findings["findings"] if f["code"] == "CT201"}
    assert {
        "good_tasks.py",
        "bom.py",
        "crlf.py",
        "lone_cr.py",
        "dir with spaces/ünïcödé_tasks.py",
    } <= analysed


def test_a_failure_of_the_analyser_on_one_file_skips_that_file_only(analyse, monkeypatch) -> None:
    import checker.analysis

    real = checker.analysis.analyse

    def failing(parsed, index, options):
        if parsed.source.display.endswith("broken.py"):
            raise AttributeError("'Match' object has no attribute 'body'")
        return real(parsed, index, options)

    monkeypatch.setattr(checker.analysis, "analyse", failing)
    task = "from celery import shared_task\n\n@shared_task\ndef f():\n    work()\n"
    result = analyse({"proj/broken.py": task, "proj/tasks.py": task}, select=["CT201"])
    assert [f.path for f in result.findings] == ["proj/tasks.py"]
    assert result.unanalysed == ["proj/broken.py"]
    assert any(
        "proj/broken.py: skipped, the analyser failed on it (AttributeError" in n for n in result.notes
    )
