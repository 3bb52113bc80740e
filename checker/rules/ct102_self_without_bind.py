from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker import body
from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef


class SelfWithoutBind(TaskRule):
    """
    ## What it does
    Checks that a task which uses `self` (its first parameter is named `self`, or its body reads
    `self.<attr>`) is declared with `bind=True`. A task made by the project's own decorator factory
    follows the `bind` the factory passes; when the factory registers a wrapper around the
    function (the wrapper decides what the function receives), nothing is reported.

    ## Why is this bad?
    Without `bind=True` Celery does not pass the task instance: `self` is then the first argument
    the caller sent, or a `NameError`. `self.retry(...)` and `self.request.id` fail at run time,
    typically in the error path that was supposed to retry.

    ## Example
    ```python
    @shared_task
    def sync_account(self, account_id):
        try:
            push(account_id)
        except ConnectionError as exc:
            raise self.retry(exc=exc)
    ```

    ## Use instead
    ```python
    @shared_task(bind=True)
    def sync_account(self, account_id):
        try:
            push(account_id)
        except ConnectionError as exc:
            raise self.retry(exc=exc)
    ```
    """

    code = "CT102"
    name = "self-without-bind"
    section = Section.DEFINED
    severity = Severity.ERROR
    checklist = "Uses `self` only with `bind=True`"
    VALID = [
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self, x):\n    raise self.retry()\n",
        "from celery import shared_task\n\n@shared_task\ndef f(x):\n    return x\n",
        # ``self`` of the enclosing method, captured by a closure
        "class Plugin:\n    def setup(self):\n        @self.app.task\n        def f():\n"
        "            return self.name\n",
        # the project's factory registers a wrapper, which decides what the function receives
        "from functools import wraps\nfrom celery import shared_task\n\n"
        "def with_context(**options):\n    def decorate(fn):\n        @wraps(fn)\n"
        "        def wrapper(*args):\n            return fn(Context(), *args)\n\n"
        "        return shared_task(**options)(wrapper)\n\n    return decorate\n\n\n"
        "@with_context()\ndef f(self, x):\n    return self.user\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\ndef f(self, x):\n    return x\n",
        "from celery import shared_task\n\n@shared_task(max_retries=3)\ndef f(x):\n"
        "    raise self.retry(countdown=5)\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.kind == "class" or task.run is None or task.bound is not False or task.is_method:
            return
        if task.via_wrapper and not task.is_set("bind"):
            return  # the wrapper may bind the task itself
        if task.params and task.params[0].kind == "positional" and task.params[0].name == "self":
            yield Report(
                task.params[0].node,
                "the first parameter is `self` but the task is not bound: add `bind=True`",
                task,
            )
            return
        if task.enclosing_self:
            return
        for node in body.nodes(task.run.body):
            if (
                isinstance(node, cst.Attribute)
                and isinstance(node.value, cst.Name)
                and node.value.value == "self"
            ):
                yield Report(node, f"`{body.code(node)}` in a task without `bind=True`: bind the task", task)
                return
