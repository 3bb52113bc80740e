from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker import body
from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef


class PrintInTask(TaskRule):
    """
    ## What it does
    Checks for `print(...)` in the task body.

    ## Why is this bad?
    `print` writes to the worker's stdout, which Celery redirects to its logger at WARNING level
    without the task's name or id (or discards, depending on `worker_redirect_stdouts`). The
    output cannot be filtered, correlated with a task run, or routed like the rest of the logs.

    ## Example
    ```python
    @shared_task
    def import_rows(path):
        print("importing", path)
    ```

    ## Use instead
    ```python
    logger = get_task_logger(__name__)

    @shared_task
    def import_rows(path):
        logger.info("importing %s", path)
    ```
    """

    code = "CT601"
    name = "print-in-task"
    section = Section.OBSERVABLE
    severity = Severity.INFO
    checklist = "Logs through a logger, not print"
    VALID = [
        "from celery import shared_task\nfrom celery.utils.log import get_task_logger\n\n"
        "logger = get_task_logger(__name__)\n\n@shared_task\ndef f():\n    logger.info('x')\n",
        "from celery import shared_task\n\ndef helper():\n    print('not a task')\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\ndef f(x):\n    print('got', x)\n",
        "from celery import Task\n\nclass T(Task):\n    def run(self):\n        if True:\n"
        "            print('running')\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.run is None or "print" in ctx.info.imports or "print" in ctx.info.assignments:
            return
        for call in body.calls(task.run.body):
            if isinstance(call.func, cst.Name) and call.func.value == "print":
                yield Report(
                    call,
                    "`print()` in a task bypasses the task logger: use `get_task_logger`",
                    task,
                )
