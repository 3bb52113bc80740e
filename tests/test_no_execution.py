"""The analyser never imports or runs the code it reads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HOSTILE = """
import pathlib
pathlib.Path({sentinel!r}).write_text("executed")
from celery import shared_task

@shared_task
def t():
    work()

raise SystemExit(3)
"""
LOOPS = "from celery import shared_task\nwhile True:\n    pass\n"


def test_analysed_modules_are_never_imported(tmp_path: Path) -> None:
    sentinel = tmp_path / "sentinel"
    project = tmp_path / "proj"
    project.mkdir()
    (project / "__init__.py").write_text(HOSTILE.format(sentinel=str(sentinel)))
    (project / "tasks.py").write_text(HOSTILE.format(sentinel=str(sentinel)))
    (project / "conftest.py").write_text(HOSTILE.format(sentinel=str(sentinel)))
    (project / "forever.py").write_text(LOOPS)
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker",
            "check",
            str(project),
            "--format",
            "json",
            "--select",
            "CT201",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert not sentinel.exists()
    assert out.returncode == 1, out.stderr
    assert '"proj.tasks.t"' in out.stdout
