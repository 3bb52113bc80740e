from __future__ import annotations

from collections.abc import Iterator

from checker import body
from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef


class UnusedResult(TaskRule):
    """
    ## What it does
    Checks tasks that never return a value and do not set `ignore_result`, in an app whose
    configuration does not set `task_ignore_result`.

    ## Why is this bad?
    With a result backend configured, Celery stores every task's return value and state, `None`
    included: a write per task to Redis or the database, kept for `result_expires` (a day by
    default). For fire-and-forget tasks that is load and memory spent for nothing.

    ## Example
    ```python
    @shared_task
    def send_welcome_email(user_id):
        mail.send(...)
    ```

    ## Use instead
    ```python
    @shared_task(ignore_result=True)
    def send_welcome_email(user_id):
        mail.send(...)
    ```
    """

    code = "CT501"
    name = "unused-result"
    section = Section.OPTIMIZED
    severity = Severity.INFO
    checklist = "Stores a result only when one is used"
    satisfied_by_settings = ("task_ignore_result",)
    satisfied_by_options = ("ignore_result",)
    VALID = [
        "from celery import shared_task\n\n@shared_task\ndef add(x, y):\n    return x + y\n",
        "from celery import shared_task\n\n@shared_task(ignore_result=True)\ndef f():\n    g()\n",
        "from celery import Celery\n\napp = Celery('proj', task_ignore_result=True)\n\n"
        "@app.task\ndef f():\n    g()\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
        "from celery import shared_task\n\n@shared_task\ndef f(x):\n    if not x:\n        return None\n"
        "    g(x)\n    return\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.run is None or not task.options_complete or task.is_set("ignore_result"):
            return
        if body.returns_value(task.run) or _uses_result_backend(task):
            return
        yield Report(
            task.anchor,
            "the task returns nothing but its result is stored: set `ignore_result=True`",
            task,
        )


def _uses_result_backend(task: TaskDef) -> bool:
    """The body reports progress through the result backend (``self.update_state``)."""
    receiver = task.self_name
    if receiver is None or task.run is None:
        return False
    return any(
        body.method_call(call, receiver, "update_state") or body.method_call(call, receiver, "replace")
        for call in body.calls(task.run.body)
    )
