"""Discovery checked against Celery itself: import fixture projects and compare ``app.tasks``.

Celery needs no broker to register tasks, so each fixture is imported in a subprocess (so that
nothing leaks into the test process) and its registry is compared with what the analyser found
without importing anything.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.config import Config
from checker.runner import run
from checker.selection import resolve

FIXTURES = Path(__file__).parent / "fixtures"

_REGISTRY_SCRIPT = r"""
import importlib, json, pathlib, sys
root = pathlib.Path(sys.argv[1])
app_module, app_name = sys.argv[2].split(":")
app = getattr(importlib.import_module(app_module), app_name)
for path in sorted(root.rglob("*.py")):
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    importlib.import_module(".".join(parts))
print(json.dumps(sorted(n for n in app.tasks if not n.startswith("celery."))))
"""


def _registered(root: Path, app: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    out = subprocess.run(
        [sys.executable, "-c", _REGISTRY_SCRIPT, str(root), app],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return list(json.loads(out.stdout.strip().splitlines()[-1]))


def _discovered(root: Path) -> list[str]:
    result = run([root], Config(), resolve(["CT201"], frozenset(), None, [], []), jobs=1)
    return sorted(task.name for task in result.tasks)


@pytest.mark.parametrize(
    ("root", "app"),
    [
        (FIXTURES / "plain", "proj.celery:app"),
        (FIXTURES / "srclayout" / "src", "shop.worker:queue"),
        (FIXTURES / "namespace", "nsproj.worker:app"),
        (FIXTURES / "factories", "fproj.celery:app"),
    ],
    ids=["plain", "src-layout", "namespace-package", "decorator-factories"],
)
def test_static_discovery_matches_celery_registry(root: Path, app: str) -> None:
    registered = _registered(root, app)
    assert registered, "the fixture registers no task: the comparison would prove nothing"
    assert _discovered(root) == registered
