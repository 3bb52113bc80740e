from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef


class ImplicitName(TaskRule):
    """
    ## What it does
    Checks that every task sets an explicit `name=` (or a `name` attribute on a task class).

    ## Why is this bad?
    Without one, Celery names the task after its module and function (`proj.billing.tasks.charge`).
    Moving or renaming the function changes the name: messages already queued under the old name
    and beat entries that name it are rejected by workers as unregistered tasks.

    ## Example
    ```python
    @shared_task
    def charge(payment_id): ...
    ```

    ## Use instead
    ```python
    @shared_task(name="billing.charge")
    def charge(payment_id): ...
    ```
    """

    code = "CT109"
    name = "implicit-name"
    section = Section.DEFINED
    severity = Severity.INFO
    opt_in = True
    checklist = "Has an explicit, stable name"
    VALID = [
        "from celery import shared_task\n\n@shared_task(name='billing.charge')\ndef f():\n    pass\n",
        "from celery import Task\n\nclass Charge(Task):\n    name = 'billing.charge'\n\n"
        "    def run(self):\n        pass\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\ndef f():\n    pass\n",
        "from proj.celery import app\n\n@app.task(bind=True)\ndef f(self):\n    pass\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        option = task.option("name")
        if option is None or option.value is None:
            yield Report(
                task.anchor,
                f"no explicit `name=`: the task is registered as `{task.name}`, which changes "
                "when the function moves",
                task,
            )
