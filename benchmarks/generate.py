"""Generate a realistic Django/Celery project of N Python files for benchmarks.

Mostly ordinary modules (models, views, serializers, services, utils), about 5% task modules,
a settings package, a Celery app and tests, with file sizes like real code.

    python benchmarks/generate.py /tmp/bench-project --files 5000
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

ORDINARY = ("models", "views", "serializers", "services", "utils", "forms", "admin", "selectors")

MODEL = '''
class {name}(models.Model):
    """A {name} row."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    name = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{{self.name}} ({{self.pk}})"

    def total(self, rate: float = 1.0) -> float:
        value = float(self.amount) * rate
        if value < 0:
            raise ValueError("negative total")
        return round(value, 2)
'''

VIEW = '''
def {name}_list(request, page: int = 1):
    """List {name} objects."""
    items = [item for item in range(page * 20) if item % 3]
    context = {{"items": items, "page": page, "title": "{name}"}}
    for key, value in sorted(context.items()):
        if value is None:
            raise ValueError(key)
    return render(request, "{name}/list.html", context)


def {name}_detail(request, pk: int):
    """Show one {name}."""
    try:
        obj = lookup(pk)
    except LookupError:
        return not_found(request)
    return render(request, "{name}/detail.html", {{"object": obj}})
'''

TASK = '''
@shared_task({options})
def {name}(self{params}):
    """Process {name}."""
    try:
        result = do_work({args})
    except ConnectionError as exc:
        raise self.retry(exc=exc, countdown=30)
    {extra}
    return result
'''

TEST = """
def test_{name}():
    from {module} import {name}
    assert {name}.name
"""


def _ordinary(rng: random.Random, kind: str, count: int) -> str:
    header = "from django.db import models\nfrom django.shortcuts import render\n\n"
    blocks = []
    for i in range(count):
        name = f"{kind.capitalize()}Item{i}"
        blocks.append(
            (MODEL if kind == "models" else VIEW).format(name=name if kind == "models" else name.lower())
        )
    return header + "\n".join(blocks)


def _tasks(rng: random.Random, app: str, count: int) -> tuple[str, list[str]]:
    lines = [
        "import time",
        "from celery import shared_task",
        "from celery.utils.log import get_task_logger",
        "",
    ]
    lines.append("logger = get_task_logger(__name__)\n")
    names = []
    for i in range(count):
        name = f"{app}_job_{i}"
        names.append(name)
        options = rng.choice(
            [
                "bind=True",
                "bind=True, time_limit=60",
                "bind=True, soft_time_limit=30, time_limit=60, acks_late=True",
                "bind=True, max_retries=None",
                "bind=True, autoretry_for=(IOError,)",
            ]
        )
        extra = rng.choice(["logger.info('done')", "time.sleep(1)", "print(result)", "pass"])
        lines.append(TASK.format(name=name, options=options, params=", item_id", args="item_id", extra=extra))
    return "\n".join(lines), names


def generate(root: Path, files: int, seed: int = 1) -> None:
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    project = root / "proj"
    (project / "settings").mkdir(parents=True)
    (project / "__init__.py").write_text("from .celery import app as celery_app\n")
    (project / "celery.py").write_text(
        "import os\nfrom celery import Celery\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n"
        "app = Celery('proj')\napp.config_from_object('django.conf:settings', namespace='CELERY')\n"
        "app.autodiscover_tasks()\n"
    )
    (project / "settings" / "__init__.py").write_text("from .base import *  # noqa\n")
    (project / "settings" / "base.py").write_text(
        "CELERY_BROKER_URL = 'redis://localhost:6379/0'\nCELERY_TASK_TIME_LIMIT = 300\n"
        "CELERY_TASK_SERIALIZER = 'json'\nINSTALLED_APPS = []\n"
    )
    (root / "pyproject.toml").write_text("[project]\nname = 'proj'\nversion = '0'\n")
    written = 5
    app_index = 0
    tests_dir = root / "tests"
    tests_dir.mkdir()
    (tests_dir / "__init__.py").write_text("")
    written += 1
    while written < files:
        app = f"app{app_index}"
        app_index += 1
        package = project / app
        package.mkdir()
        (package / "__init__.py").write_text("")
        written += 1
        for kind in ORDINARY:
            if written >= files:
                break
            (package / f"{kind}.py").write_text(_ordinary(rng, kind, rng.randint(4, 12)))
            written += 1
        # one task module per ~20 files
        if written < files and app_index % 2 == 0:
            source, names = _tasks(rng, app, rng.randint(3, 10))
            (package / "tasks.py").write_text(source)
            written += 1
            if written < files:
                tests = [TEST.format(name=n, module=f"proj.{app}.tasks") for n in names[: len(names) // 2]]
                (tests_dir / f"test_{app}.py").write_text("\n".join(tests))
                written += 1
        for extra in range(rng.randint(2, 8)):
            if written >= files:
                break
            (package / f"helpers_{extra}.py").write_text(_ordinary(rng, "utils", rng.randint(3, 10)))
            written += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.root, args.files, args.seed)
    count = sum(1 for _ in args.root.rglob("*.py"))
    print(f"generated {count} Python files under {args.root}")


if __name__ == "__main__":
    main()
