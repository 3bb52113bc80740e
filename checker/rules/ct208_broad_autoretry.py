from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef, is_ref
from checker.values import iter_items


class BroadAutoretry(TaskRule):
    """
    ## What it does
    Checks that `autoretry_for` does not include `Exception` or `BaseException`.

    ## Why is this bad?
    Retrying is right for transient failures: timeouts, connection resets, rate limits. With
    `Exception` in the list, a `KeyError`, a `TypeError` or a validation error is retried too:
    the bug runs again and again, the queue fills with doomed retries, and the real error shows
    up late, after the last retry.

    ## Example
    ```python
    @shared_task(autoretry_for=(Exception,), retry_backoff=True)
    def charge(payment_id): ...
    ```

    ## Use instead
    ```python
    @shared_task(autoretry_for=(stripe.error.APIConnectionError,), retry_backoff=True)
    def charge(payment_id): ...
    ```
    """

    code = "CT208"
    name = "broad-autoretry"
    section = Section.RESILIENT
    severity = Severity.INFO
    checklist = "Retries only transient errors"
    VALID = [
        "from celery import shared_task\n\n@shared_task(autoretry_for=(ConnectionError, TimeoutError))\n"
        "def f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(autoretry_for=RETRYABLE)\ndef f():\n    pass\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task(autoretry_for=(Exception,))\ndef f():\n    pass\n",
        "from proj.celery import app\n\n@app.task(autoretry_for=[IOError, BaseException])\n"
        "def f():\n    pass\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        option = task.option("autoretry_for")
        if option is None:
            return
        broad = [item for item in iter_items(option.value) if is_ref(item, "Exception", "BaseException")]
        if broad:
            name = broad[0].last if hasattr(broad[0], "last") else "Exception"
            yield Report(
                option.node or task.anchor,
                f"`autoretry_for` includes `{name}`: programming errors are retried too; "
                "list the transient errors instead",
                task,
            )
