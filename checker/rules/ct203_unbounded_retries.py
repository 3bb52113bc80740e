from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker import body
from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef
from checker.values import string_value

MESSAGE = "`max_retries=None` retries forever: a permanent failure never stops; set a bound"


class UnboundedRetries(TaskRule):
    """
    ## What it does
    Checks for `max_retries=None` on a task, inside its `retry_kwargs`, or passed to
    `self.retry(...)`.

    ## Why is this bad?
    With no bound, a task that fails for a permanent reason (a deleted row, a revoked token, a bug)
    retries forever: it never reaches the failure handlers, keeps consuming worker time, and
    hides the error from monitoring.

    ## Example
    ```python
    @shared_task(autoretry_for=(IOError,), retry_kwargs={"max_retries": None})
    def upload(path): ...
    ```

    ## Use instead
    ```python
    @shared_task(autoretry_for=(IOError,), retry_kwargs={"max_retries": 8}, retry_backoff=True)
    def upload(path): ...
    ```
    """

    code = "CT203"
    name = "unbounded-retries"
    section = Section.RESILIENT
    severity = Severity.WARNING
    checklist = "Retries are bounded"
    VALID = [
        "from celery import shared_task\n\n@shared_task(max_retries=5)\ndef f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n"
        "    raise self.retry(max_retries=3)\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task(max_retries=None)\ndef f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(autoretry_for=(IOError,), "
        "retry_kwargs={'max_retries': None})\ndef f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n"
        "    raise self.retry(countdown=5, max_retries=None)\n",
        "from celery import Task\n\nclass T(Task):\n    max_retries = None\n\n"
        "    def run(self):\n        pass\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        option = task.option("max_retries")
        if option is not None and option.value is None and option.origin != "base":
            yield Report(option.node or task.anchor, MESSAGE, task)
        retry_kwargs = task.option("retry_kwargs")
        if retry_kwargs is not None and isinstance(retry_kwargs.node, cst.Arg):
            value = retry_kwargs.node.value
            if isinstance(value, cst.Dict):
                for element in value.elements:
                    if (
                        isinstance(element, cst.DictElement)
                        and string_value(element.key) == "max_retries"
                        and isinstance(element.value, cst.Name)
                        and element.value.value == "None"
                    ):
                        yield Report(element, MESSAGE, task)
            elif (
                isinstance(value, cst.Call)
                and isinstance(value.func, cst.Name)
                and value.func.value == "dict"
            ):
                arg = body.keyword(value, "max_retries")
                if arg is not None and isinstance(arg.value, cst.Name) and arg.value.value == "None":
                    yield Report(arg, MESSAGE, task)
        receiver = task.self_name
        if receiver is None or task.run is None:
            return
        for call in body.calls(task.run.body):
            if body.method_call(call, receiver, "retry"):
                arg = body.keyword(call, "max_retries")
                if arg is not None and isinstance(arg.value, cst.Name) and arg.value.value == "None":
                    yield Report(arg, MESSAGE, task)
