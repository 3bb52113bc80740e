from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker import body
from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef

# What ``celery.exceptions.Retry`` derives from, besides Exception and BaseException.
_CATCHES_RETRY = frozenset({"Retry", "CeleryError", "TaskPredicate"})


class RetrySwallowed(TaskRule):
    """
    ## What it does
    Checks for `self.retry(...)` inside a `try` block whose first handler able to catch Celery's
    `Retry` exception (`except Retry`, `except Exception`, `except BaseException` or a bare
    `except:`) does not re-raise.

    ## Why is this bad?
    `self.retry()` works by raising `celery.exceptions.Retry`. A broad handler around it catches
    that exception: the retry is never scheduled, the task finishes as SUCCESS, and the work is
    silently dropped.

    ## Example
    ```python
    @shared_task(bind=True)
    def sync(self, account_id):
        try:
            if not api.ready():
                raise self.retry(countdown=30)
            api.sync(account_id)
        except Exception:
            logger.exception("sync failed")
    ```

    ## Use instead
    ```python
    @shared_task(bind=True)
    def sync(self, account_id):
        if not api.ready():
            raise self.retry(countdown=30)
        try:
            api.sync(account_id)
        except api.Error as exc:
            raise self.retry(exc=exc)
    ```
    """

    code = "CT205"
    name = "retry-swallowed"
    section = Section.RESILIENT
    severity = Severity.ERROR
    checklist = "Retries are not swallowed by a broad `except`"
    VALID = [
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n    try:\n"
        "        g()\n    except IOError as exc:\n        raise self.retry(exc=exc)\n",
        "from celery import shared_task\nfrom celery.exceptions import Retry\n\n@shared_task(bind=True)\n"
        "def f(self):\n    try:\n        raise self.retry()\n    except Retry:\n        raise\n"
        "    except Exception:\n        pass\n",
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n    try:\n"
        "        raise self.retry()\n    except Exception:\n        cleanup()\n        raise\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n    try:\n"
        "        raise self.retry(countdown=5)\n    except Exception:\n        log.exception('x')\n",
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n    try:\n"
        "        if not ready():\n            self.retry()\n    except:\n        return None\n",
        "from celery import Task\n\nclass T(Task):\n    def run(task):\n        try:\n"
        "            try:\n                raise task.retry()\n            except ValueError:\n"
        "                raise\n        except BaseException:\n            pass\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        receiver = task.self_name
        if receiver is None or task.run is None:
            return
        for node, ancestors in body.walk(task.run.body):
            if not isinstance(node, cst.Call) or not body.method_call(node, receiver, "retry"):
                continue
            handler = _swallowing_handler((*ancestors, node))
            if handler is not None:
                yield Report(
                    node,
                    "`retry()` raises `Retry`, which the broad `except` below catches without "
                    "re-raising: the retry never happens",
                    task,
                )


def _swallowing_handler(path: tuple[cst.CSTNode, ...]) -> cst.ExceptHandler | None:
    """The innermost handler that catches ``Retry`` raised at the end of ``path`` and keeps it."""
    for position in range(len(path) - 2, -1, -1):
        node = path[position]
        if not isinstance(node, cst.Try) or path[position + 1] is not node.body:
            continue
        for handler in node.handlers:
            if body.catches_broadly(handler, _CATCHES_RETRY):
                if not body.reraises(handler.body):
                    return handler
                break  # re-raised: an outer ``try`` may still catch it
    return None
