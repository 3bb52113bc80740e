from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import libcst as cst

from checker import body
from checker.model import Finding, Section, Severity
from checker.project import ProjectContext
from checker.rules.base import FileContext, Report, TaskRule
from checker.rules.ct201_missing_time_limit import MissingTimeLimit
from checker.tasks import TaskDef


class SleepInTask(TaskRule):
    """
    ## What it does
    Checks for `time.sleep(...)` in the task body. Not reported inside an `if` that reads a test
    or debug setting (a name with the word `TEST`, `TESTING` or `DEBUG`:
    `if settings.BATCH_TEST_DELAY > 0:`, `if settings.DEBUG:`): a hook for tests, not
    production. Nor for a task that the project never sends as a message and only calls
    directly (from a management command, a view, another task): it sleeps in its caller, not in
    a worker slot of its own. Nor for a demo task that does nothing but log or print and sleep
    a fixed time (the sleep stands in for work). Nor for a pause in an `except` handler of a
    loop of a few attempts (`for attempt in range(3)`, `while attempt < 5`: `self.retry` would
    run the whole task again), nor in a task sent only by beat once a day or less often and by
    commands someone runs by hand (a Django management command, a CLI command, a view only
    staff reach: the Django admin, a DRF view for `IsAdminUser`; once per run).
    Nor for a pause between the items of a batch: a `time.sleep(...)` statement directly in a
    `for` loop over items (not `range(...)`) that also calls something (rate limiting calls to
    an API: `countdown` cannot replace it without one task per item and a `rate_limit`).

    ## Why is this bad?
    A sleeping task holds its worker slot (and its prefetched messages) while doing nothing; with
    a handful of sleeping tasks the worker stops consuming. Celery can wait for you without
    holding a slot: enqueue with `countdown`/`eta`, or `raise self.retry(countdown=...)`.

    ## Example
    ```python
    @shared_task
    def poll_export(export_id):
        while not export_ready(export_id):
            time.sleep(30)
    ```

    ## Use instead
    ```python
    @shared_task(bind=True, max_retries=20)
    def poll_export(self, export_id):
        if not export_ready(export_id):
            raise self.retry(countdown=30)
    ```
    """

    code = "CT505"
    name = "sleep-in-task"
    section = Section.OPTIMIZED
    severity = Severity.INFO
    checklist = "Does not sleep in a worker slot"
    VALID = [
        # a demo: the sleep stands in for work
        "import logging\nfrom celery import shared_task\n\nlogger = logging.getLogger(__name__)\n\n"
        "@shared_task\ndef demo():\n    logger.info('started')\n    import time\n    time.sleep(10)\n"
        "    logger.info('finished')\n",
        {  # never sent, only called by a management command: it sleeps in the command
            "proj/tasks.py": "import time\nfrom celery import shared_task\n\n@shared_task\ndef pace(ids):\n"
            "    for i in ids:\n        time.sleep(60)\n",
            "proj/management/commands/pace_all.py": "from proj.tasks import pace\n\n"
            "def handle(*args):\n    pace([1, 2])\n",
        },
        # a delay only tests turn on
        "import time\nfrom celery import shared_task\nfrom django.conf import settings\n\n@shared_task\n"
        "def f():\n    if settings.BATCH_TEST_DELAY > 0:\n        time.sleep(settings.BATCH_TEST_DELAY)\n",
        "import time\nfrom celery import shared_task\n\n@shared_task\ndef f():\n    return time.time()\n",
        "from celery import shared_task\n\n@shared_task\ndef f(page):\n    page.sleep(3)\n",
        "import time\nfrom celery import shared_task\n\ndef helper():\n    time.sleep(1)\n",
        # a pause between a few attempts at one step
        "import time\nfrom celery import shared_task\n\n@shared_task\ndef f(files):\n    for name in files:\n"
        "        for attempt in range(3):\n            try:\n                upload(name)\n                break\n"
        "            except Exception:\n                time.sleep(5)\n",
        {  # a pause between the calls of a batch (rate limiting an API), sent by a view
            "proj/tasks.py": "import time\nfrom celery import shared_task\n\n@shared_task\ndef sync(ids):\n"
            "    for game in Game.objects.filter(pk__in=ids):\n        fetch_details(game)\n"
            "        time.sleep(1)\n",
            "proj/views.py": "from proj.tasks import sync\n\ndef view(request):\n    sync.delay([1])\n",
        },
        {  # a weekly job, sent by beat only
            "proj/settings.py": "from celery.schedules import crontab\n\n"
            "CELERY_BEAT_SCHEDULE = {'backup': {'task': 'proj.tasks.backup', "
            "'schedule': crontab(minute=0, hour=4, day_of_week='sun')}}\n",
            "proj/tasks.py": "import time\nfrom celery import shared_task\n\n@shared_task\ndef backup():\n"
            "    for repo in repos():\n        snapshot(repo)\n        time.sleep(60)\n",
        },
    ]
    INVALID = [
        {  # sent by a view: it sleeps in a worker
            "proj/tasks.py": "import time\nfrom celery import shared_task\n\n@shared_task\ndef pace(ids):\n"
            "    for i in ids:\n        time.sleep(60)\n",
            "proj/views.py": "from proj.tasks import pace\n\ndef view(request):\n    pace.delay([1])\n",
        },
        # gated by a production setting
        "import time\nfrom celery import shared_task\nfrom django.conf import settings\n\n@shared_task\n"
        "def f():\n    if settings.THROTTLE > 0:\n        time.sleep(settings.THROTTLE)\n",
        "import time\nfrom celery import shared_task\n\n@shared_task\ndef f():\n    time.sleep(30)\n",
        "from time import sleep\nfrom celery import shared_task\n\n@shared_task\ndef f():\n"
        "    for _ in range(3):\n        sleep(1)\n",
        # waiting between polls of one job (a ``range`` of attempts is not a batch of items)
        "from time import sleep\nfrom celery import shared_task\n\n@shared_task\ndef f(job):\n"
        "    for _ in range(30):\n        if ready(job):\n            return fetch(job)\n        sleep(10)\n",
        # polling until something is ready, with no bound
        "import time\nfrom celery import shared_task\n\n@shared_task\ndef f(job):\n    while True:\n"
        "        try:\n            return fetch(job)\n        except NotReady:\n            time.sleep(30)\n",
        {  # beat every ten minutes
            "proj/settings.py": "CELERY_BEAT_SCHEDULE = {'sync': {'task': 'proj.tasks.sync', 'schedule': 600}}\n",
            "proj/tasks.py": "import time\nfrom celery import shared_task\n\n@shared_task\ndef sync():\n"
            "    time.sleep(60)\n",
        },
    ]

    @classmethod
    def revise(cls, finding: Finding, project: ProjectContext) -> Finding | None:
        """Dropped for a task never sent as a message that the project calls directly (as for
        CT201): it sleeps in its caller, never in a worker."""
        task = next((t for t in project.tasks if t.key == finding.task_key), None)
        if task is not None and project.rarely_sent(task, every=_DAY):
            return None  # a daily or rarer job (or one run by hand): its pauses cost nothing
        return MissingTimeLimit.revise(finding, project)

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.run is None or body.only_reports(task.run, request=bool(task.bound)):
            return  # a demo: log, sleep, log (the sleep stands in for work)
        for node, ancestors in body.walk(task.run.body):
            if type(node) is not cst.Call:
                continue
            assert isinstance(node, cst.Call)
            call = node
            if (
                ctx.info.qualify(call.func) == "time.sleep"
                and not _test_hook(call, ancestors)
                and not _backoff(ancestors)
                and not _pacing(ancestors, ctx)
            ):
                yield Report(
                    call,
                    "`time.sleep()` holds a worker slot: use `countdown`/`eta` or `self.retry(countdown=...)`",
                    task,
                )


# Words of a setting that gates code meant for tests or debugging only.
_TEST_WORDS = frozenset({"TEST", "TESTS", "TESTING", "DEBUG"})


def _test_hook(call: cst.Call, ancestors: tuple[cst.CSTNode, ...]) -> bool:
    """The call sits in the body of an ``if`` whose condition reads a test or debug setting
    (``if settings.BATCH_TEST_DELAY > 0:``, ``if DEBUG:``)."""
    for ancestor, inner in zip(ancestors, (*ancestors[1:], call)):
        if isinstance(ancestor, cst.If) and inner is ancestor.body:
            for name in body.nodes(ancestor.test):
                word = name.attr.value if isinstance(name, cst.Attribute) else getattr(name, "value", None)
                if (
                    isinstance(name, (cst.Name, cst.Attribute))
                    and isinstance(word, str)
                    and not _TEST_WORDS.isdisjoint(word.upper().split("_"))
                ):
                    return True
    return False


def _pacing(ancestors: tuple[cst.CSTNode, ...], ctx: FileContext) -> bool:
    """The sleep is a statement of its own directly in the body of a ``for`` loop over items
    (not ``range(...)``) that also calls something else: a pause between the calls of a batch
    (rate limiting an API), which ``countdown`` cannot replace without one task per item."""
    if len(ancestors) < 4:
        return False
    loop, block, line, statement = ancestors[-4:]
    if not (
        isinstance(loop, cst.For)
        and block is loop.body
        and isinstance(line, cst.SimpleStatementLine)
        and isinstance(statement, cst.Expr)
    ):
        return False
    over = loop.iter
    while isinstance(over, cst.Call) and ctx.info.qualify(over.func) == "enumerate" and over.args:
        over = over.args[0].value
    if isinstance(over, cst.Call) and ctx.info.qualify(over.func) in {"range", "itertools.count"}:
        return False
    return any(
        isinstance(node, cst.Call) and ctx.info.qualify(node.func) != "time.sleep"
        for other in loop.body.body
        if other is not line
        for node in body.descendants(other)
    )


_DAY = 86400.0
# A retry loop of a few attempts: ``for attempt in range(3)``, ``while attempt < 5``.
_FEW = 10


def _backoff(ancestors: tuple[cst.CSTNode, ...]) -> bool:
    """The sleep is in an ``except`` handler inside a loop of a few attempts: a pause between
    retries of one step (``self.retry`` would run the whole task again)."""
    handler = next(
        (i for i in range(len(ancestors) - 1, -1, -1) if isinstance(ancestors[i], cst.ExceptHandler)), None
    )
    if handler is None:
        return False
    loop = next(
        (a for a in reversed(ancestors[:handler]) if isinstance(a, (cst.For, cst.While, cst.FunctionDef))),
        None,
    )
    if isinstance(loop, cst.For):
        return _few(loop.iter)
    if isinstance(loop, cst.While) and isinstance(loop.test, cst.Comparison):
        test = loop.test
        return (
            len(test.comparisons) == 1
            and isinstance(test.comparisons[0].operator, (cst.LessThan, cst.LessThanEqual))
            and _small(test.comparisons[0].comparator)
        )
    return False


def _few(iterable: cst.BaseExpression) -> bool:
    """``range(3)``, ``range(1, 6)``: a few iterations, written as literals."""
    if not (
        isinstance(iterable, cst.Call)
        and isinstance(iterable.func, cst.Name)
        and iterable.func.value == "range"
    ):
        return False
    bounds = [a.value for a in iterable.args]
    if not 1 <= len(bounds) <= 2 or not all(isinstance(b, cst.Integer) for b in bounds):
        return False
    numbers = [int(cast(cst.Integer, b).value, 0) for b in bounds]
    return (numbers[-1] - (numbers[0] if len(numbers) == 2 else 0)) <= _FEW


def _small(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Integer) and int(node.value, 0) <= _FEW
