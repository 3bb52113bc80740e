from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef
from checker.values import is_number


class SoftLimitNotBelowHard(TaskRule):
    """
    ## What it does
    Checks that a task's literal `soft_time_limit` is lower than its literal `time_limit`.
    Reported when the soft limit is greater than the hard one, and (with another message) when
    the two are equal. Limits that are not both literal numbers on the task are not compared.

    ## Why is this bad?
    With `soft_time_limit` greater than `time_limit`, Celery's `apply_async` raises
    `ValueError("soft_time_limit must be less than or equal to time_limit")`: `.delay()`,
    `.apply_async()` and beat all fail, and the task can never be sent. With equal limits the
    task can be sent, but the soft limit (which raises `SoftTimeLimitExceeded` inside the task so
    it can clean up) never fires before the hard one kills the worker process: the clean-up never
    runs.

    ## Example
    ```python
    @shared_task(soft_time_limit=120, time_limit=60)
    def render(report_id): ...
    ```

    ## Use instead
    ```python
    @shared_task(soft_time_limit=50, time_limit=60)
    def render(report_id): ...
    ```
    """

    code = "CT202"
    name = "soft-limit-not-below-hard"
    section = Section.RESILIENT
    severity = Severity.ERROR
    checklist = "The soft time limit fires before the hard one"
    VALID = [
        "from celery import shared_task\n\n@shared_task(soft_time_limit=50, time_limit=60)\n"
        "def f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(soft_time_limit=LIMIT, time_limit=60)\n"
        "def f():\n    pass\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task(soft_time_limit=120, time_limit=60)\n"
        "def f():\n    pass\n",
        "from proj.celery import app\n\n@app.task(time_limit=5 * 60, soft_time_limit=300)\n"
        "def f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(soft_time_limit=61, time_limit=60)\n"
        "def f():\n    pass\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        soft, hard = task.option("soft_time_limit"), task.option("time_limit")
        if soft is None or hard is None or not is_number(soft.value) or not is_number(hard.value):
            return
        assert isinstance(soft.value, (int, float)) and isinstance(hard.value, (int, float))
        if soft.value > hard.value:
            yield Report(
                soft.node or task.anchor,
                f"soft_time_limit ({soft.value}) is greater than time_limit ({hard.value}): Celery's "
                "`apply_async` raises ValueError, so the task cannot be sent at all",
                task,
            )
        elif soft.value == hard.value:
            yield Report(
                soft.node or task.anchor,
                f"soft_time_limit equals time_limit ({hard.value}): the soft limit never fires before "
                "the worker is killed, so the task cannot clean up",
                task,
            )
