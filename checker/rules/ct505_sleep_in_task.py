from __future__ import annotations

from collections.abc import Iterator

from checker import body
from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef


class SleepInTask(TaskRule):
    """
    ## What it does
    Checks for `time.sleep(...)` in the task body.

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
        "import time\nfrom celery import shared_task\n\n@shared_task\ndef f():\n    return time.time()\n",
        "from celery import shared_task\n\n@shared_task\ndef f(page):\n    page.sleep(3)\n",
        "import time\nfrom celery import shared_task\n\ndef helper():\n    time.sleep(1)\n",
    ]
    INVALID = [
        "import time\nfrom celery import shared_task\n\n@shared_task\ndef f():\n    time.sleep(30)\n",
        "from time import sleep\nfrom celery import shared_task\n\n@shared_task\ndef f():\n"
        "    for _ in range(3):\n        sleep(1)\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.run is None:
            return
        for call in body.calls(task.run.body):
            if ctx.info.qualify(call.func) == "time.sleep":
                yield Report(
                    call,
                    "`time.sleep()` holds a worker slot: use `countdown`/`eta` or `self.retry(countdown=...)`",
                    task,
                )
