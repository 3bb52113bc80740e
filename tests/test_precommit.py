"""The hook from a real pre-commit install: `.pre-commit-hooks.yaml` at this checkout's HEAD.

pre-commit clones this repository, builds the hook's virtual environment with pip (a wheel built
from the checkout, its dependencies from the package registry) and runs it on a temporary
project. That takes a while, so the whole module makes only two hook environments' worth of
runs in one PRE_COMMIT_HOME.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.helpers import git

REPO = Path(__file__).resolve().parent.parent
BAD = """
from celery import shared_task


@shared_task(max_retry=3)
def charge(payment_id):
    return payment_id
"""
GOOD = """
from celery import shared_task


@shared_task(max_retries=3, time_limit=30)
def charge(payment_id):
    return payment_id
"""


def _pre_commit(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture(scope="module")
def head() -> str:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs this checkout as a git repository")
    return git("rev-parse", "HEAD", cwd=REPO).strip()


def test_hook_definition_follows_the_conventions() -> None:
    [hook, fix] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert fix["id"] == "celery-checklist-fix"
    assert fix["args"] == ["--fix"]
    assert {k: v for k, v in fix.items() if k not in ("id", "name", "description", "args")} == {
        k: v for k, v in hook.items() if k not in ("id", "name", "description")
    }
    assert hook["id"] == "celery-checklist"
    assert hook["entry"] == "celery-checklist check"
    assert hook["language"] == "python"
    assert hook["types"] == ["python"]
    assert hook["require_serial"] is True
    assert hook["minimum_pre_commit_version"]


def test_real_pre_commit_fails_on_findings_then_passes(tmp_path: Path, head: str) -> None:
    project = tmp_path / "project"
    (project / "shop").mkdir(parents=True)
    (project / "tests").mkdir()
    (project / "pyproject.toml").write_text("[project]\nname = 'shop'\nversion = '0'\n")
    (project / "shop" / "__init__.py").write_text("")
    (project / "shop" / "tasks.py").write_text(textwrap.dedent(BAD).lstrip())
    (project / "tests" / "test_tasks.py").write_text("from shop.tasks import charge\n")
    config = {
        "repos": [
            {
                "repo": str(REPO),
                "rev": head,
                "hooks": [{"id": "celery-checklist", "args": ["--format", "checklist"]}],
            }
        ]
    }
    (project / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config))
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "initial", cwd=project)

    home = tmp_path / "pre-commit-home"
    failed = _pre_commit(project, home)
    output = failed.stdout + failed.stderr
    assert failed.returncode == 1, output
    # the checklist template was found in the installed wheel, and the findings are there
    assert "# Celery task checklist" in output
    assert "`max_retry` is not a Celery task option" in output
    assert "- [ ] Has a time limit (CT201)" in output
    assert "- [x] Has a test (CT301)" in output

    (project / "shop" / "tasks.py").write_text(textwrap.dedent(GOOD).lstrip())
    git("add", "-A", cwd=project)
    passed = _pre_commit(project, home)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "celery-checklist" in passed.stdout and "Passed" in passed.stdout
