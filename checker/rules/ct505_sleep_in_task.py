from __future__ import annotations

from collections.abc import Iterator

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
    a fixed time (the sleep stands in for work).

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
    ]

    @classmethod
    def revise(cls, finding: Finding, project: ProjectContext) -> Finding | None:
        """Dropped for a task never sent as a message that the project calls directly (as for
        CT201): it sleeps in its caller, never in a worker."""
        return MissingTimeLimit.revise(finding, project)

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.run is None or body.only_reports(task.run, request=bool(task.bound)):
            return  # a demo: log, sleep, log (the sleep stands in for work)
        for node, ancestors in body.walk(task.run.body):
            if type(node) is not cst.Call:
                continue
            assert isinstance(node, cst.Call)
            call = node
            if ctx.info.qualify(call.func) == "time.sleep" and not _test_hook(call, ancestors):
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
