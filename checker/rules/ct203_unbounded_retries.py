from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping

import libcst as cst

from checker import body
from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef
from checker.values import dotted_name, evaluate, is_number

MESSAGE = "`max_retries=None` retries forever: a permanent failure never stops; set a bound"


class UnboundedRetries(TaskRule):
    """
    ## What it does
    Checks for `max_retries=None` on a task (decorator keyword, or class attribute of a task
    class).

    Not reported:
    - when every `self.retry(...)` in the body passes its own bound, a number, a module-level
      constant or arithmetic on one (`max_retries=MAX_TRIES - 1`), or a parameter of the task
      (`self.retry(max_retries=max_retries)`: the caller chooses the bound), and the task does
      not use `autoretry_for`;
    - a task that raises `MaxRetriesExceededError` itself (it counts its error retries in its
      kwargs and stops at its own bound, while the waits of a time window or a throttle retry
      without one);
    - a task whose `autoretry_for` holds only exceptions its body raises itself, none of them
      a builtin one (`raise JobRunning(event)` while an outside job runs): a poll that re-queues
      until the job ends, whose failures are raised as other exceptions and end the task; its
      own `self.retry(...)` calls, if any, outside `except` handlers;
    - `max_retries=None` passed to `self.retry(...)` or inside `retry_kwargs`: Celery reads it as
      "use the task's `max_retries`" (3 by default), so it does not make retries unbounded.

    ## Why is this bad?
    With no bound, a task that fails for a permanent reason (a deleted row, a revoked token, a bug)
    retries forever: it never reaches the failure handlers, keeps consuming worker time, and
    hides the error from monitoring.

    ## Example
    ```python
    @shared_task(autoretry_for=(IOError,), max_retries=None)
    def upload(path): ...
    ```

    ## Use instead
    ```python
    @shared_task(autoretry_for=(IOError,), max_retries=8, retry_backoff=True)
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
        # a bound of its own on error retries; waits for a time window retry without one
        "from celery import shared_task\nfrom celery.exceptions import MaxRetriesExceededError\n\n"
        "@shared_task(bind=True, max_retries=None)\ndef f(self, msg, errors=0):\n    if errors >= 5:\n"
        "        raise MaxRetriesExceededError()\n    try:\n        send(msg)\n    except IOError as exc:\n"
        "        raise self.retry(exc=exc, kwargs={'msg': msg, 'errors': errors + 1})\n",
        # the caller passes the bound
        "from celery import shared_task\n\n@shared_task(bind=True, max_retries=None)\n"
        "def f(self, url, max_retries=5):\n    try:\n        g(url)\n    except IOError as exc:\n"
        "        raise self.retry(exc=exc, max_retries=max_retries)\n",
        # a module constant, or arithmetic on one
        "from celery import shared_task\n\nMAX_TRIES = 10\n\n@shared_task(bind=True, max_retries=None)\n"
        "def f(self):\n    try:\n        g()\n    except IOError:\n"
        "        raise self.retry(countdown=30, max_retries=MAX_TRIES - 1)\n",
        # None in retry() and retry_kwargs means "the task's max_retries" (3 by default)
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n"
        "    raise self.retry(countdown=5, max_retries=None)\n",
        "from celery import shared_task\n\n@shared_task(autoretry_for=(IOError,), "
        "retry_kwargs={'max_retries': None})\ndef f():\n    pass\n",
        # a poll: re-queued while the job runs; a failed job raises another exception
        "from celery import shared_task\n\nclass JobRunning(Exception):\n    pass\n\n"
        "@shared_task(bind=True, autoretry_for=(JobRunning,), max_retries=None, retry_backoff=True)\n"
        "def wait(self, job):\n    state = read(job)\n    if state == 'failed':\n        raise JobFailed(job)\n"
        "    if state != 'done':\n        raise JobRunning(job)\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task(max_retries=None)\ndef f():\n    pass\n",
        # the sentinel is raised, but error retries by hand have no bound either
        "from celery import shared_task\n\nclass JobRunning(Exception):\n    pass\n\n"
        "@shared_task(bind=True, autoretry_for=(JobRunning,), max_retries=None)\n"
        "def wait(self, job):\n    try:\n        state = read(job)\n    except IOError as exc:\n"
        "        raise self.retry(exc=exc)\n    if state != 'done':\n        raise JobRunning(job)\n",
        # a builtin exception raised by the body is no sentinel of the project's
        "from celery import shared_task\n\n@shared_task(autoretry_for=(IOError,), max_retries=None)\n"
        "def upload(path):\n    if not sent(path):\n        raise IOError(path)\n",
        "from celery import Task\n\nclass T(Task):\n    max_retries = None\n\n"
        "    def run(self):\n        pass\n",
        # one retry passes no bound of its own
        "from celery import shared_task\n\n@shared_task(bind=True, max_retries=None)\n"
        "def f(self, url, max_retries=5):\n    try:\n        g(url)\n    except IOError as exc:\n"
        "        raise self.retry(exc=exc, max_retries=max_retries)\n"
        "    except OSError as exc:\n        raise self.retry(exc=exc)\n",
        # autoretry_for uses the task's bound
        "from celery import shared_task\n\n@shared_task(bind=True, max_retries=None, autoretry_for=(KeyError,))\n"
        "def f(self, url, max_retries=5):\n    try:\n        g(url)\n    except IOError as exc:\n"
        "        raise self.retry(exc=exc, max_retries=max_retries)\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        option = task.option("max_retries")
        if option is None or option.value is not None or option.origin == "base":
            return
        if task.option("autoretry_for") is None and _every_retry_bounded(task, ctx.info.assignments):
            return
        if task.run is not None and _stops_itself(task.run):
            return  # it counts its own error retries and raises when they run out
        if task.run is not None and _polls(task, task.run):
            return  # it re-queues while an outside job runs; its failures end it
        yield Report(option.node or task.anchor, MESSAGE, task)


def _stops_itself(run: cst.FunctionDef) -> bool:
    """The body raises ``MaxRetriesExceededError`` itself: it keeps a count of its own (of the
    error retries, in its kwargs) and stops at a bound, while waits that are not errors (a time
    window, a throttle) retry without one."""
    for node in body.descendants(run.body):
        if isinstance(node, cst.Raise) and node.exc is not None:
            made = node.exc.func if isinstance(node.exc, cst.Call) else node.exc
            if (dotted_name(made) or "").rpartition(".")[2] == "MaxRetriesExceededError":
                return True
    return False


def _polls(task: TaskDef, run: cst.FunctionDef) -> bool:
    """``autoretry_for`` holds only exceptions the body raises itself, none of them a builtin
    one (``raise JobRunning(event)``): a poll that re-queues the task until an outside job ends,
    while failures are raised as other exceptions and end it. Its own ``self.retry(...)`` calls,
    if any, are outside ``except`` handlers (not error retries)."""
    option = task.option("autoretry_for")
    node = option.node if option is not None else None
    value = node.value if isinstance(node, cst.Arg) else None
    if value is None:
        return False
    elements = [e.value for e in value.elements] if isinstance(value, (cst.Tuple, cst.List)) else [value]
    names = [dotted_name(e) for e in elements]
    if not names or any(n is None or n.rpartition(".")[2] in _BUILTIN_NAMES for n in names):
        return False
    raised: set[str] = set()
    for found in body.descendants(run.body):
        if isinstance(found, cst.Raise) and found.exc is not None:
            made = found.exc.func if isinstance(found.exc, cst.Call) else found.exc
            raised.add(dotted_name(made) or "")
    if not raised.issuperset(n for n in names if n is not None):
        return False
    receiver = task.self_name
    if receiver is None:
        return True
    return not any(
        body.method_call(c, receiver, "retry")
        for handler in body.descendants(run.body)
        if isinstance(handler, cst.ExceptHandler)
        for c in body.calls(handler.body)
    )


_BUILTIN_NAMES = frozenset(n for n in dir(builtins) if n[:1].isupper())


def _every_retry_bounded(task: TaskDef, constants: Mapping[str, cst.BaseExpression]) -> bool:
    """The body retries, and every ``self.retry(...)`` passes a number or a parameter of the task
    as ``max_retries``."""
    receiver = task.self_name
    if receiver is None or task.run is None:
        return False
    parameters = {p.name for p in task.params}
    retries = [c for c in body.calls(task.run.body) if body.method_call(c, receiver, "retry")]
    if not retries:
        return False
    return all(_bounded(body.keyword(call, "max_retries"), parameters, constants) for call in retries)


def _bounded(arg: cst.Arg | None, parameters: set[str], constants: Mapping[str, cst.BaseExpression]) -> bool:
    """The ``max_retries=`` of a ``retry(...)`` call is a bound: a number, a parameter of the task
    (the caller chooses it), a module-level constant holding a number, or arithmetic on such
    (``MAX_TRIES - 1``)."""
    if arg is None:
        return False
    value = arg.value
    if isinstance(value, cst.BinaryOperation):
        return _bounded(cst.Arg(value.left), parameters, constants) or _bounded(
            cst.Arg(value.right), parameters, constants
        )
    if isinstance(value, cst.Name):
        if value.value in parameters:
            return True
        bound = constants.get(value.value)
        return bound is not None and is_number(evaluate(bound))
    return is_number(evaluate(value))
