from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker import body
from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef


class RetryNotRaised(TaskRule):
    """
    ## What it does
    Checks that `self.retry(...)` is written as `raise self.retry(...)`, not as a bare statement.

    ## Why is this bad?
    `retry()` raises on its own, so the bare call works, but the code reads as if execution goes
    on after it. `raise self.retry(...)` is the documented idiom: it makes the control flow
    explicit for readers and for type checkers, and keeps code after it from looking reachable.

    ## Example
    ```python
    except RequestException as exc:
        self.retry(exc=exc)
        return None
    ```

    ## Use instead
    ```python
    except RequestException as exc:
        raise self.retry(exc=exc)
    ```
    """

    code = "CT206"
    name = "retry-not-raised"
    section = Section.RESILIENT
    severity = Severity.INFO
    checklist = "Retries are raised (`raise self.retry(...)`)"
    VALID = [
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n"
        "    raise self.retry(countdown=5)\n",
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n"
        "    return self.retry(countdown=5)\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n"
        "    self.retry(countdown=5)\n",
        "from celery import Task\n\nclass T(Task):\n    def run(self, x):\n        if not x:\n"
        "            self.retry()\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        receiver = task.self_name
        if receiver is None or task.run is None:
            return
        for node in body.nodes(task.run.body):
            if (
                isinstance(node, cst.Expr)
                and isinstance(node.value, cst.Call)
                and body.method_call(node.value, receiver, "retry")
            ):
                yield Report(node, f"write `raise {receiver}.retry(...)`: retry() raises", task)
