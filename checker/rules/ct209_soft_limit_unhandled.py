from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker import body
from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef
from checker.values import is_number


class SoftLimitUnhandled(TaskRule):
    """
    ## What it does
    Checks that a task with a `soft_time_limit` handles `SoftTimeLimitExceeded` somewhere in its
    body (by name, or through a broad `except`). Not reported when the task's literal
    `soft_time_limit` is not below its literal `time_limit`: the soft limit can then never fire
    first, and CT202 reports the limits themselves.

    ## Why is this bad?
    The soft limit exists so the task can stop cleanly: release a lock, save progress, mark the
    job as timed out. Unhandled, `SoftTimeLimitExceeded` simply fails the task, and the soft limit
    buys nothing over the hard one.

    ## Example
    ```python
    @shared_task(soft_time_limit=300, time_limit=330)
    def export(report_id):
        build_export(report_id)
    ```

    ## Use instead
    ```python
    @shared_task(soft_time_limit=300, time_limit=330)
    def export(report_id):
        try:
            build_export(report_id)
        except SoftTimeLimitExceeded:
            mark_timed_out(report_id)
            raise
    ```
    """

    code = "CT209"
    name = "soft-limit-unhandled"
    section = Section.RESILIENT
    severity = Severity.INFO
    checklist = "A soft time limit is handled"
    VALID = [
        "from celery import shared_task\nfrom celery.exceptions import SoftTimeLimitExceeded\n\n"
        "@shared_task(soft_time_limit=60)\ndef f():\n    try:\n        g()\n"
        "    except SoftTimeLimitExceeded:\n        cleanup()\n",
        "from celery import shared_task\n\n@shared_task(time_limit=60)\ndef f():\n    g()\n",
        "from celery import shared_task\n\n@shared_task(soft_time_limit=60)\ndef f():\n    try:\n"
        "        g()\n    except Exception:\n        cleanup()\n        raise\n",
        "from celery import shared_task\n\n@shared_task(soft_time_limit=60, time_limit=60)\n"
        "def f():\n    g()\n",
        "from celery import shared_task\n\n@shared_task(soft_time_limit=90, time_limit=60)\n"
        "def f():\n    g()\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task(soft_time_limit=60)\ndef f():\n    g()\n",
        "from celery import Task\n\nclass T(Task):\n    soft_time_limit = 60\n\n    def run(self):\n"
        "        try:\n            g()\n        except ValueError:\n            pass\n",
        "from celery import shared_task\n\n@shared_task(soft_time_limit=50, time_limit=60)\n"
        "def f():\n    g()\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        option = task.option("soft_time_limit")
        if option is None or option.value is None or option.origin == "base" or task.run is None:
            return
        hard = task.option("time_limit")
        if hard is not None and is_number(option.value) and is_number(hard.value):
            assert isinstance(option.value, (int, float)) and isinstance(hard.value, (int, float))
            if option.value >= hard.value:
                return  # the soft limit never fires first (CT202)
        for node in body.nodes(task.run.body):
            if isinstance(node, cst.ExceptHandler) and body.catches_broadly(
                node, frozenset({"SoftTimeLimitExceeded"})
            ):
                return
        yield Report(
            option.node or task.anchor,
            "`soft_time_limit` is set but the task never handles `SoftTimeLimitExceeded`",
            task,
        )
