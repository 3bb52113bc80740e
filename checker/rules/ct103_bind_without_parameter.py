from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef


class BindWithoutParameter(TaskRule):
    """
    ## What it does
    Checks that a task declared with `bind=True` accepts the task instance as its first
    positional parameter, also when `bind=True` comes from the project's own decorator factory
    that registers the function itself. When the factory registers a wrapper around the
    function, the wrapper receives the task instance: nothing is reported.

    ## Why is this bad?
    A bound task is called with the task instance as its first argument. When the function takes
    no positional parameter, every call fails with `TypeError: takes 0 positional arguments but 1
    was given`, and the task never runs.

    ## Example
    ```python
    @app.task(bind=True)
    def cleanup():
        ...
    ```

    ## Use instead
    ```python
    @app.task(bind=True)
    def cleanup(self):
        ...
    ```
    """

    code = "CT103"
    name = "bind-without-parameter"
    section = Section.DEFINED
    severity = Severity.ERROR
    checklist = "A bound task accepts the task instance"
    VALID = [
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n    pass\n",
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(*args):\n    pass\n",
        "from celery import shared_task\n\n@shared_task\ndef f():\n    pass\n",
        # the factory binds its wrapper, which takes the task instance itself
        "from functools import wraps\nfrom celery import shared_task\n\n"
        "def locked_task(**options):\n    def decorate(fn):\n        @wraps(fn)\n"
        "        def wrapper(self, *args):\n            with lock(self.name):\n"
        "                return fn(*args)\n\n"
        "        return shared_task(bind=True, **options)(wrapper)\n\n    return decorate\n\n\n"
        "@locked_task()\ndef f():\n    pass\n",
    ]
    INVALID = [
        # a factory that passes ``bind=True`` and registers the function itself
        "from celery import shared_task\n\ndef bound_task(**options):\n"
        "    return shared_task(bind=True, **options)\n\n\n@bound_task()\ndef f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f():\n    pass\n",
        "from proj.celery import app\n\n@app.task(bind=True)\ndef f(*, user_id):\n    pass\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.kind == "class" or task.run is None or task.bound is not True:
            return
        if any(p.kind in ("positional", "vararg") for p in task.params):
            return
        yield Report(
            task.run.name,
            f"`bind=True` but `{task.function}` takes no positional parameter for the task instance: add `self`",
            task,
        )
