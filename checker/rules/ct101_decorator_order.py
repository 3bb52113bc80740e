from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef


class DecoratorOrder(TaskRule):
    """
    ## What it does
    Checks that the task decorator is the outermost decorator, listed first above the function.

    ## Why is this bad?
    Decorators apply bottom-up. A decorator listed above `@app.task` wraps the task object instead
    of the function: Celery registers the undecorated function, and the worker never runs the
    extra behaviour (or the wrapper hides the task's `delay`/`apply_async`). Celery's docs say the
    task decorator must be applied last, that is, listed first.

    ## Example
    ```python
    @cache_result
    @app.task
    def refresh_feed(url): ...
    ```

    ## Use instead
    ```python
    @app.task
    @cache_result
    def refresh_feed(url): ...
    ```
    """

    code = "CT101"
    name = "decorator-order"
    section = Section.DEFINED
    severity = Severity.ERROR
    checklist = "The task decorator is the outermost decorator"
    VALID = [
        "from celery import shared_task\n\n@shared_task\n@retry_on_deadlock\ndef f(): ...\n",
        "from proj.celery import app\n\n@app.task(bind=True)\ndef f(self): ...\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@retry_on_deadlock\n@shared_task\ndef f(): ...\n",
        "from proj.celery import app\n\n@log_calls\n@app.task(bind=True)\ndef f(self): ...\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.kind != "function" or task.decorator is None or task.node is None:
            return
        first = task.node.decorators[0]
        if first is not task.decorator:
            yield Report(
                task.decorator,
                "the task decorator is not the outermost decorator: list it first, above the others",
                task,
            )
