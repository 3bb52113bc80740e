"""Generate a realistic Django/Celery project of N Python files for benchmarks.

    python benchmarks/generate.py /tmp/bench-project --files 5000 [--seed 1]

Shaped like a real project (issue 13), where the Celery code is a small part of the tree:

- a settings package (`settings/base.py` with a beat schedule, `settings/test.py` with
  `CELERY_TASK_ALWAYS_EAGER`, `settings/production.py`), a Celery app, `manage.py`;
- apps of ordinary modules (models, views, serializers, services, forms, admin, helpers), many of
  which mention tasks without defining any (`task_id` fields, `"tasks"` strings, comments);
- a GraphQL package in every third app whose types and mutations talk about tasks and define none;
- a task module in every second app (`@shared_task` and `@app.task`), called from the views
  (`.delay`, `.apply_async`) and listed in the beat schedule;
- tests: about a third of the files and most of the bytes, as in a real project; each app's
  `test_tasks.py` imports, calls and patches its tasks, some of them several thousand lines long.

The output depends only on `--files` and `--seed`; exactly `--files` Python files are written.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

KINDS = ("models", "views", "serializers", "services", "forms", "admin", "selectors", "utils")

MODEL = '''
class {name}(models.Model):
    """A {name} row."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    name = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=12, decimal_places=2, default=0){extra}

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

MODEL_TASK_FIELDS = """
    # the id of the background task that last refreshed this row
    task_id = models.CharField(max_length=255, blank=True, default="")
    task_status = models.CharField(
        max_length=32, choices=[("pending", "Pending"), ("tasks", "Queued with other tasks")]
    )"""

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

VIEW_TASK_MENTION = '''
def {name}_status(request, task_id: str):
    """The state of a background task, as the front end polls it ("tasks" panel)."""
    state = cache.get(f"task:{{task_id}}") or "PENDING"
    return JsonResponse({{"task_id": task_id, "state": state, "tasks": []}})
'''

VIEW_CALL = '''
def {name}_refresh(request, pk: int):
    """Queue a refresh of one row once the transaction commits."""
    transaction.on_commit(lambda: {task}.delay(pk))
    return JsonResponse({{"queued": True}})


def {name}_export(request, pk: int):
    """Queue an export in ten seconds."""
    result = {other}.apply_async(args=[pk], countdown=10)
    return JsonResponse({{"task_id": result.id}})
'''

SERVICE = '''
def {name}(items: list[dict], limit: int = 100) -> dict:
    """Summarise {name} items."""
    seen: dict[str, int] = {{}}
    for item in items[:limit]:
        key = str(item.get("name", "")).lower()
        seen[key] = seen.get(key, 0) + 1
    return {{"count": len(seen), "top": sorted(seen, key=seen.__getitem__)[-3:]}}
'''

GRAPHQL_TYPES = '''
class {name}TaskStatus(graphene.ObjectType):
    """The state of a {name} background task; no task is defined here."""

    task_id = graphene.String(description="The id of the task.")
    status = graphene.String(description="PENDING, STARTED, SUCCESS or FAILURE.")
    tasks = graphene.List(graphene.String, description="The tasks queued with it.")

    @staticmethod
    def resolve_status(root, info):
        return root.get("status", "PENDING")


class {name}Type(graphene.ObjectType):
    id = graphene.ID(required=True)
    name = graphene.String()
    amount = graphene.Decimal()
    last_task_id = graphene.String(description="The last refresh task.")
'''

GRAPHQL_MUTATION = '''
class {name}Refresh(graphene.Mutation):
    """Schedule a refresh; the task runs in a worker ("tasks" queue)."""

    class Arguments:
        id = graphene.ID(required=True)

    task_id = graphene.String()

    @classmethod
    def mutate(cls, root, info, id):
        job = schedule_refresh("{name}", id)
        return cls(task_id=job["task_id"])
'''

TASK = '''
@{decorator}({options})
def {name}(self, item_id):
    """Process {name}."""
    try:
        result = do_work(item_id)
    except ConnectionError as exc:
        raise self.retry(exc=exc, countdown=30)
    {extra}
    return result
'''

TEST_PLAIN = """
def test_{name}_{index}(client, db):
    payload = {{"name": "item-{index}", "amount": "{amount}", "tags": ["a", "b", "{tag}"]}}
    response = client.post("/api/{app}/{name}/", payload, format="json")
    assert response.status_code == 201
    data = response.json()
    assert data["name"] == payload["name"]
    for key in ("created_at", "updated_at", "amount"):
        assert key in data, key
    listing = client.get("/api/{app}/{name}/?page=1").json()
    assert any(row["name"] == payload["name"] for row in listing["results"])
"""

TEST_GRAPHQL = '''
QUERY_{index} = """
query Get{cap}($id: ID!) {{
  {name}(id: $id) {{
    id
    name
    amount
    lastTaskId
  }}
}}
"""


def test_query_{name}_{index}(api_client, {name}_factory):
    obj = {name}_factory(amount={amount})
    content = api_client.post_graphql(QUERY_{index}, {{"id": obj.pk}}).json()
    data = content["data"]["{name}"]
    assert data["name"] == obj.name
    assert data["amount"] == {amount}
'''

TEST_TASK_CALL = """
def test_{task}_{index}(db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    result = {task}.delay({index})
    assert result.successful()
    assert {task}({index} + 1) is not None


@patch("{module}.{task}.delay")
def test_{task}_queued_{index}(mocked_delay, client):
    response = client.post("/api/{app}/refresh/{index}/")
    assert response.status_code == 200
    mocked_delay.assert_called_once_with({index})
"""


def _blocks(template: str, count: int, **fields: object) -> str:
    return "\n".join(template.format(index=i, **fields) for i in range(count))


def _module(rng: random.Random, app: str, kind: str, tasks: list[str]) -> str:
    """An ordinary module; one in twenty mentions tasks (names, strings, comments) and none
    defines one. Views of an app with tasks call them."""
    mentions = rng.random() < 0.05
    count = rng.randint(4, 12)
    if kind == "models":
        header = "from django.db import models\n"
        extra = MODEL_TASK_FIELDS if mentions else ""
        body = "\n".join(
            MODEL.format(name=f"{app.capitalize()}Item{i}", extra=extra if i % 2 == 0 else "")
            for i in range(count)
        )
        return header + body
    if kind == "views":
        header = (
            "from django.core.cache import cache\nfrom django.db import transaction\n"
            "from django.http import JsonResponse\nfrom django.shortcuts import render\n"
        )
        if tasks:
            header += f"\nfrom .tasks import {tasks[0]}, {tasks[-1]}\n"
        body = "\n".join(VIEW.format(name=f"{app}_item{i}") for i in range(count))
        if mentions or tasks:
            body += VIEW_TASK_MENTION.format(name=app)
        if tasks:
            body += VIEW_CALL.format(name=app, task=tasks[0], other=tasks[-1])
        return header + body
    header = "from collections import Counter\n"
    if mentions:
        header += "\n# Called from the request and from the tasks module: never enqueue a task here.\n"
    return header + "\n".join(SERVICE.format(name=f"{kind}_{app}_{i}") for i in range(count))


def _tasks(rng: random.Random, app: str) -> tuple[str, list[str]]:
    lines = [
        "import time",
        "",
        "from celery import shared_task",
        "from celery.utils.log import get_task_logger",
        "",
        "from proj.celery import app",
        "",
        "logger = get_task_logger(__name__)",
        "",
    ]
    names = []
    for i in range(rng.randint(3, 10)):
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
        decorator = rng.choice(["shared_task", "shared_task", "app.task"])
        extra = rng.choice(["logger.info('done')", "time.sleep(1)", "print(result)", "pass"])
        lines.append(TASK.format(decorator=decorator, name=name, options=options, extra=extra))
    return "\n".join(lines), names


def _test_module(rng: random.Random, app: str, kind: str, lines: int) -> str:
    """A test module of about ``lines`` lines that names no task."""
    name = f"{kind}_{app}"
    if rng.random() < 0.4:
        header = "import pytest\n"
        block, per_block = TEST_GRAPHQL, 24
    else:
        header = "import pytest\n\npytestmark = pytest.mark.django_db\n"
        block, per_block = TEST_PLAIN, 12
    count = max(1, lines // per_block)
    fields = {"name": name, "app": app, "cap": name.capitalize(), "amount": rng.randint(1, 999), "tag": kind}
    return header + _blocks(block, count, **fields)


def _task_test_module(rng: random.Random, app: str, tasks: list[str], lines: int) -> str:
    """A test module that imports, calls and patches the app's tasks, padded with plain tests
    to about ``lines`` lines (as real test_tasks.py files grow)."""
    module = f"proj.{app}.tasks"
    parts = [
        "from unittest.mock import patch\n\nimport pytest\n",
        f"from {module} import {', '.join(tasks)}\n",
        "pytestmark = pytest.mark.django_db\n",
    ]
    for task in tasks:
        parts.append(_blocks(TEST_TASK_CALL, 2, task=task, module=module, app=app))
    written = sum(part.count("\n") for part in parts)
    if lines > written:
        fields = {"name": f"tasks_{app}", "app": app, "amount": rng.randint(1, 999), "tag": "tasks"}
        parts.append(_blocks(TEST_PLAIN, (lines - written) // 12, **fields))
    return "\n".join(parts)


def _app_files(rng: random.Random, index: int) -> tuple[list[tuple[str, str]], list[str]]:
    """The files of app ``index`` in the order they are written, and its task names."""
    app = f"app{index}"
    base = f"proj/{app}"
    tasks: list[str] = []
    files: list[tuple[str, str]] = [(f"{base}/__init__.py", "")]
    source = ""
    if index % 2 == 1:
        source, tasks = _tasks(rng, app)
    for kind in KINDS:
        files.append((f"{base}/{kind}.py", _module(rng, app, kind, tasks)))
    if tasks:
        files.append((f"{base}/tasks.py", source))
    for extra in range(rng.randint(1, 5)):
        files.append((f"{base}/helpers_{extra}.py", _module(rng, app, "helpers", [])))
    if index % 3 == 0:
        cap = app.capitalize()
        files.append((f"{base}/graphql/__init__.py", ""))
        files.append((f"{base}/graphql/types.py", "import graphene\n" + GRAPHQL_TYPES.format(name=cap)))
        files.append(
            (
                f"{base}/graphql/mutations.py",
                "import graphene\n\nfrom ..services import schedule_refresh\n"
                + GRAPHQL_MUTATION.format(name=cap),
            )
        )
    files.append((f"{base}/tests/__init__.py", ""))
    if tasks:
        # every fourth task test module is several thousand lines long
        lines = rng.randint(1500, 4000) if index % 8 == 1 else rng.randint(150, 600)
        files.append((f"{base}/tests/test_tasks.py", _task_test_module(rng, app, tasks, lines)))
    test_kinds = ("models", "views", "api", "graphql", "forms", "services", "filters", "webhooks", "utils")
    for kind in test_kinds[: rng.randint(3, 9)]:
        lines = rng.randint(2000, 4000) if rng.random() < 0.02 else rng.randint(60, 400)
        files.append((f"{base}/tests/test_{kind}.py", _test_module(rng, app, kind, lines)))
    return files, tasks


def _settings(apps: list[str], tasks: dict[str, list[str]]) -> dict[str, str]:
    beat = []
    for app in sorted(tasks)[:20]:
        name = tasks[app][0]
        beat.append(
            f'    "{name}": {{\n        "task": "proj.{app}.tasks.{name}",\n'
            f'        "schedule": crontab(minute="*/15"),\n    }},'
        )
    installed = "\n".join(f'    "proj.{app}",' for app in apps)
    return {
        "proj/settings/__init__.py": "from .base import *  # noqa: F403\n",
        "proj/settings/base.py": (
            "from celery.schedules import crontab\n\nDEBUG = False\n"
            f'INSTALLED_APPS = [\n    "django.contrib.contenttypes",\n{installed}\n]\n\n'
            "CELERY_BROKER_URL = 'redis://localhost:6379/0'\nCELERY_TASK_TIME_LIMIT = 300\n"
            "CELERY_TASK_SERIALIZER = 'json'\nCELERY_RESULT_BACKEND = 'redis://localhost:6379/1'\n\n"
            "CELERY_BEAT_SCHEDULE = {\n" + "\n".join(beat) + "\n}\n"
        ),
        "proj/settings/test.py": (
            "from .base import *  # noqa: F403\n\nCELERY_TASK_ALWAYS_EAGER = True\n"
            "CELERY_TASK_EAGER_PROPAGATES = True\nCELERY_BROKER_URL = 'memory://'\n"
        ),
        "proj/settings/production.py": (
            "import os\n\nfrom .base import *  # noqa: F403\n\nDEBUG = False\n"
            "CELERY_BROKER_URL = os.environ['CELERY_BROKER_URL']\nCELERY_TASK_ACKS_LATE = True\n"
            "CELERY_WORKER_PREFETCH_MULTIPLIER = 1\n"
        ),
    }


CORE = {
    "manage.py": (
        "import os\nimport sys\n\nif __name__ == '__main__':\n"
        "    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n"
        "    from django.core.management import execute_from_command_line\n\n"
        "    execute_from_command_line(sys.argv)\n"
    ),
    "conftest.py": ("import pytest\n\n\n@pytest.fixture\ndef api_client(client):\n    return client\n"),
    "proj/__init__.py": "from .celery import app as celery_app\n\n__all__ = ['celery_app']\n",
    "proj/celery.py": (
        "import os\n\nfrom celery import Celery\n\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n\n"
        "app = Celery('proj')\napp.config_from_object('django.conf:settings', namespace='CELERY')\n"
        "app.autodiscover_tasks()\n"
    ),
}
SETTINGS_FILES = 4


def generate(root: Path, files: int, seed: int = 1) -> None:
    """Write exactly ``files`` Python files (at least 8) under ``root`` (replaced if it exists)."""
    files = max(files, len(CORE) + SETTINGS_FILES)
    rng = random.Random(seed)
    if root.exists():
        shutil.rmtree(root)
    planned = dict(CORE)
    budget = files - len(CORE) - SETTINGS_FILES
    apps: list[str] = []
    tasks: dict[str, list[str]] = {}
    index = 0
    while budget > 0:
        app_files, app_tasks = _app_files(rng, index)
        app_files = app_files[:budget]
        budget -= len(app_files)
        apps.append(f"app{index}")
        if app_tasks and any(path.endswith("/tasks.py") for path, _ in app_files):
            tasks[f"app{index}"] = app_tasks
        planned.update(app_files)
        index += 1
    planned.update(_settings(apps, tasks))
    for relative, text in planned.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    (root / "pyproject.toml").write_text("[project]\nname = 'proj'\nversion = '0'\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("root", type=Path)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.root, args.files, args.seed)
    paths = list(args.root.rglob("*.py"))
    size = sum(path.stat().st_size for path in paths)
    tests = [path for path in paths if "tests" in path.parts]
    test_size = sum(path.stat().st_size for path in tests)
    print(
        f"generated {len(paths)} Python files ({size / 1e6:.1f} MB; tests: {len(tests)} files, "
        f"{test_size / 1e6:.1f} MB) under {args.root}"
    )


if __name__ == "__main__":
    main()
