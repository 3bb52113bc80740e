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
    Checks that `self.retry(...)` is written as `raise self.retry(...)`, not as a bare statement
    that other code can follow.

    Not reported when nothing in the task could run after the call: it is the last statement
    of its block, and so is each block around it up to the task's body (a loop body is never
    last: the loop goes on), or when it is in the body of a `try`, however far out, whose
    handlers catch `Retry` or `MaxRetriesExceededError` (the code says that `retry()` raises).

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
        # nothing can follow it
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n"
        "    self.retry(countdown=5)\n",
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self, x):\n"
        "    try:\n        g(x)\n    except IOError as exc:\n        with lock():\n"
        "            self.retry(exc=exc)\n    except KeyError:\n        pass\n",
        # handlers for what retry() raises
        "from celery import shared_task\nfrom celery.exceptions import MaxRetriesExceededError, Retry\n\n"
        "@shared_task(bind=True)\ndef f(self, x):\n    try:\n        self.retry(countdown=5)\n"
        "    except MaxRetriesExceededError:\n        give_up(x)\n    except Retry:\n        raise\n"
        "    log(x)\n",
        # an outer ``try`` handles it, and a ``return`` follows the inner one
        "from celery import shared_task\nfrom celery.exceptions import Retry\n\n"
        "@shared_task(bind=True)\ndef f(self, x):\n    try:\n        try:\n            g(x)\n"
        "        except KeyError:\n            self.retry(countdown=5)\n        return\n"
        "    except Retry:\n        raise\n    except Exception:\n        log(x)\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n"
        "    self.retry(countdown=5)\n    return None\n",
        "from celery import Task\n\nclass T(Task):\n    def run(self, x):\n        if not x:\n"
        "            self.retry()\n        return x\n",
        # a loop goes on after its body
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self, xs):\n"
        "    for x in xs:\n        if not x:\n            self.retry()\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        receiver = task.self_name
        if receiver is None or task.run is None:
            return
        for node, ancestors in body.walk(task.run.body):
            if (
                isinstance(node, cst.Expr)
                and isinstance(node.value, cst.Call)
                and body.method_call(node.value, receiver, "retry")
                and not _nothing_follows(node, ancestors, ctx)
            ):
                yield Report(node, f"write `raise {receiver}.retry(...)`: retry() raises", task)


_RETRY_ERRORS = frozenset({"Retry", "MaxRetriesExceededError"})


def _passing(node: cst.CSTNode) -> bool:
    """A statement or clause after whose block nothing else runs in it (libcst's classes are
    read when a file is analysed, not when the rule is imported)."""
    return isinstance(
        node,
        (
            cst.If,
            cst.Else,
            cst.ExceptHandler,
            cst.ExceptStarHandler,
            cst.Finally,
            cst.With,
            cst.Match,
            cst.MatchCase,
        ),
    )


def _nothing_follows(expr: cst.Expr, ancestors: tuple[cst.CSTNode, ...], ctx: FileContext) -> bool:
    """No statement of the task could run after ``expr`` (``ancestors``: from the task's body
    down), or a ``try`` around it handles what ``retry()`` raises."""
    line = ancestors[-1] if ancestors else None
    if not isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) or line.body[-1] is not expr:
        return False
    inner: cst.CSTNode = line
    for parent in reversed(ancestors[:-1]):
        if isinstance(parent, cst.Try) and inner is parent.body and _handles_retry(parent, ctx):
            return True  # any ``try`` around it, however far out, that handles ``Retry``
        inner = parent
    current: cst.CSTNode = line
    for parent in reversed(ancestors[:-1]):
        if isinstance(parent, cst.IndentedBlock):
            if parent.body[-1] is not current:
                return False
        elif isinstance(parent, cst.Try):
            if current is parent.body:
                if _handles_retry(parent, ctx):
                    return True
                if parent.orelse is not None:
                    return False
        elif isinstance(parent, (cst.For, cst.While)):
            if current is parent.body:
                return False
        elif not _passing(parent):
            return False
        current = parent
    return True


def _handles_retry(node: cst.Try, ctx: FileContext) -> bool:
    for handler in node.handlers:
        caught = handler.type
        names = caught.elements if isinstance(caught, cst.Tuple) else [caught] if caught is not None else []
        for name in names:
            value = name.value if isinstance(name, cst.Element) else name
            qualified = ctx.info.qualify(value) if isinstance(value, cst.BaseExpression) else None
            if qualified is not None and qualified.rpartition(".")[2] in _RETRY_ERRORS:
                return True
    return False
