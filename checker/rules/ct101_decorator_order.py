from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef
from checker.values import dotted_name


class DecoratorOrder(TaskRule):
    """
    ## What it does
    Checks that the task decorator is the outermost decorator, listed first above the function.
    Not reported for a decorator that belongs to a task class of the project (the task's `base=`
    class, say `@MyTask.permission_check(...)`): such a decorator is written to receive the task
    object, so listing it above the task decorator is intended.

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
        "from celery import Task, shared_task\n\nclass Guarded(Task):\n    @classmethod\n"
        "    def permission_check(cls, check):\n        def wrap(task):\n            task.check = check\n"
        "            return task\n        return wrap\n\n"
        "@Guarded.permission_check(lambda user: True)\n@shared_task(base=Guarded)\ndef f(): ...\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@retry_on_deadlock\n@shared_task\ndef f(): ...\n",
        "from proj.celery import app\n\n@log_calls\n@app.task(bind=True)\ndef f(self): ...\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.kind != "function" or task.decorator is None or task.node is None:
            return
        decorators = list(task.node.decorators)
        above = decorators[: decorators.index(task.decorator)] if task.decorator in decorators else []
        if above and not all(self._of_task_class(d, task, ctx) for d in above):
            yield Report(
                task.decorator,
                "the task decorator is not the outermost decorator: list it first, above the others",
                task,
            )

    @staticmethod
    def _of_task_class(decorator: cst.Decorator, task: TaskDef, ctx: FileContext) -> bool:
        """``@SomeTask.method`` or ``@SomeTask.method(...)`` where ``SomeTask`` is the task's
        ``base=`` class or another task class of the project."""
        expr = decorator.decorator
        callee = expr.func if isinstance(expr, cst.Call) else expr
        if not isinstance(callee, cst.Attribute):
            return False
        owner = ctx.info.qualify(callee.value)
        if owner is not None and owner in ctx.index.task_classes:
            return True
        base = task.option("base")
        node = base.node.value if base is not None and isinstance(base.node, cst.Arg) else None
        return node is not None and dotted_name(node) == dotted_name(callee.value)
