from __future__ import annotations

from collections.abc import Iterator, Mapping

import libcst as cst

from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import DEFAULT_MAX_RETRIES, TaskDef, is_ref, resolved, retry_bound
from checker.values import iter_items


class BroadAutoretry(TaskRule):
    """
    ## What it does
    Checks that `autoretry_for` does not include `Exception` or `BaseException`.

    When the option comes from a decorator the module makes once and applies to several tasks
    (`retrying = shared_task(autoretry_for=(Exception,), ...)`, then `@retrying`), it is
    reported once, at that decorator's `autoretry_for`, not at every task: that is the line to
    change. So is an `autoretry_for` that a base class in the same module gives several tasks
    (`class Retrying(Task): autoretry_for = (Exception,)`, then `@shared_task(base=Retrying)`).

    Not reported when the retries are few and back off: at most Celery's default of 3
    (`max_retries`, or `retry_kwargs={"max_retries": ...}`, unset meaning 3) and a truthy
    `retry_backoff` or an interval chosen of a second or more (`default_retry_delay=30`, or
    `countdown` in `retry_kwargs`). Retrying anything a few times, minutes apart, is a deliberate policy whose
    cost is small: a bug surfaces after the last retry, minutes late, not never. Nor when the
    task is retried once at most (`max_retries` 0 or 1): a programming error costs one more run;
    nor when `max_retries` is not a literal (`settings.MAX_RETRIES`): it may be 0 or 1 (a
    choice of literals, `1 if settings.DEBUG else None`, counts as the largest of them).

    ## Why is this bad?
    Retrying is right for transient failures: timeouts, connection resets, rate limits. With
    `Exception` in the list, a `KeyError`, a `TypeError` or a validation error is retried too:
    the bug runs again and again, the queue fills with doomed retries, and the real error shows
    up late, after the last retry.

    ## Example
    ```python
    @shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=10)
    def charge(payment_id): ...
    ```

    ## Use instead
    ```python
    @shared_task(autoretry_for=(stripe.error.APIConnectionError,), retry_backoff=True, max_retries=10)
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
        # a few retries (Celery's default 3, or fewer), backing off
        "from celery import shared_task\n\n@shared_task(autoretry_for=(Exception,), retry_backoff=2, "
        "retry_kwargs={'max_retries': 3})\ndef f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(autoretry_for=(Exception,), retry_backoff=True)\n"
        "def f():\n    pass\n",
        # retried once at most: a programming error costs one more run
        # three retries, thirty seconds apart
        "from celery import shared_task\n\n@shared_task(autoretry_for=(Exception,), max_retries=3, "
        "default_retry_delay=30)\ndef f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(autoretry_for=(Exception,), max_retries=1)\n"
        "def f():\n    pass\n",
        # three retries backing off, both from module constants
        "from celery import shared_task\n\nMAX_ATTEMPTS = 3\nRETRY_BACKOFF = 180\n\n"
        "@shared_task(autoretry_for=(Exception,), max_retries=MAX_ATTEMPTS, retry_backoff=RETRY_BACKOFF)\n"
        "def f():\n    pass\n",
        # a bound read from the settings: it may be 0 or 1
        "from celery import shared_task\nfrom proj.config import settings\n\n"
        "@shared_task(autoretry_for=(Exception,), max_retries=settings.retries)\ndef f():\n    pass\n",
    ]
    INVALID = [
        # a base class several tasks share: reported once, at its ``autoretry_for``
        "import celery\nfrom celery import shared_task\n\nclass Retrying(celery.Task):\n"
        "    autoretry_for = (Exception,)\n    max_retries = 6\n\n"
        "@shared_task(base=Retrying)\ndef f():\n    pass\n\n@shared_task(base=Retrying)\ndef g():\n    pass\n",
        # a shared decorator: reported once, at its ``autoretry_for``
        "from celery import shared_task\n\nretrying = shared_task(autoretry_for=(Exception,), max_retries=5)\n\n"
        "@retrying\ndef f():\n    pass\n\n@retrying\ndef g():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(autoretry_for=(Exception,))\ndef f():\n    pass\n",
        "from proj.celery import app\n\n@app.task(autoretry_for=[IOError, BaseException])\n"
        "def f():\n    pass\n",
        # an interval chosen, but more retries than Celery's default
        "from celery import shared_task\n\n@shared_task(autoretry_for=(Exception,), max_retries=8, "
        "default_retry_delay=30)\ndef f():\n    pass\n",
        # backing off, but retrying without end, or more than Celery's default
        "from celery import shared_task\n\n@shared_task(autoretry_for=(Exception,), retry_backoff=True, "
        "max_retries=None)\ndef f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(autoretry_for=(Exception,), retry_backoff=True, "
        "retry_kwargs={'max_retries': 8})\ndef f():\n    pass\n",
        # ten retries, from a module constant that is ten in production
        "from celery import shared_task\nfrom django.conf import settings\n\n"
        "MAX_RETRIES = 1 if settings.DEBUG else 10\n\n"
        "@shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=MAX_RETRIES)\n"
        "def f():\n    pass\n",
        # unbounded in production
        "from celery import shared_task\nfrom django.conf import settings\n\n"
        "@shared_task(autoretry_for=(Exception,), retry_backoff=True, "
        "max_retries=1 if settings.DEBUG else None)\ndef f():\n    pass\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        option = task.option("autoretry_for")
        if option is None:
            return
        broad = [item for item in iter_items(option.value) if is_ref(item, "Exception", "BaseException")]
        if not broad or _few_and_backed_off(task, ctx.info.assignments):
            return
        name = broad[0].last if hasattr(broad[0], "last") else "Exception"
        message = (
            f"`autoretry_for` includes `{name}`: programming errors are retried too; "
            "list the transient errors instead"
        )
        if option.origin == "base" and option.node is not None:
            # a base class's attribute: once, where it is written, for every task here it reaches
            users = [
                t
                for t in ctx.tasks
                if (o := t.option("autoretry_for")) is not None
                and o.node is option.node
                and not _few_and_backed_off(t, ctx.info.assignments)
            ]
            if users[0] is task:
                many = f" (set on a base class, for {len(users)} tasks here)" if len(users) > 1 else ""
                yield Report(option.node, message + many, task)
            return
        shared = _shared_decorator(task, ctx) if option.node is None else None
        if shared is None:
            yield Report(option.node or task.anchor, message, task)
            return
        local, keyword = shared
        users = [t for t in ctx.tasks if t.decorator_name == task.decorator_name]
        if users[0] is task:  # once, where the option is written, for every task it decorates
            count = f"{len(users)} tasks" if len(users) > 1 else "1 task"
            yield Report(keyword, f"{message} (in `{local}`, the decorator of {count} here)", task)


def _few_and_backed_off(task: TaskDef, constants: Mapping[str, cst.BaseExpression]) -> bool:
    """The task retries at most once, or at most Celery's default number of times and backs
    off."""
    bound = retry_bound(task, constants)
    if bound is not None and (not isinstance(bound, int) or isinstance(bound, bool)):
        return True  # a bound read from elsewhere (``settings.MAX_RETRIES``): it may be 0 or 1
    if not isinstance(bound, int) or isinstance(bound, bool) or bound < 0:
        return False
    if bound <= 1:
        return True  # a programming error is retried once at most
    backoff = resolved(task, "retry_backoff", constants)
    if not (backoff is True or (type(backoff) in (int, float) and backoff > 0)) and not _spaced(  # type: ignore[operator]
        task, constants
    ):
        return False
    return bound <= DEFAULT_MAX_RETRIES


def _spaced(task: TaskDef, constants: Mapping[str, cst.BaseExpression]) -> bool:
    """The retries wait a chosen interval of a second or more: ``default_retry_delay=30``, or
    ``countdown`` in ``retry_kwargs``."""
    delay = resolved(task, "default_retry_delay", constants)
    kwargs = task.value("retry_kwargs")
    countdown = kwargs.get("countdown") if isinstance(kwargs, dict) else None
    return any(type(v) in (int, float) and v >= 1 for v in (delay, countdown))  # type: ignore[operator]


def _shared_decorator(task: TaskDef, ctx: FileContext) -> tuple[str, cst.Arg] | None:
    """The module-level decorator the task's options come from (``retrying = shared_task(
    autoretry_for=...)`` then ``@retrying``), and its ``autoretry_for`` keyword, when it is
    written in this file."""
    prefix = f"{ctx.info.name}." if ctx.info.name else ""
    if not task.decorator_name.startswith(prefix):
        return None
    local = task.decorator_name[len(prefix) :]
    bound = ctx.info.assignments.get(local)
    if not isinstance(bound, cst.Call):
        return None
    keyword = next(
        (a for a in bound.args if a.keyword is not None and a.keyword.value == "autoretry_for"), None
    )
    return (local, keyword) if keyword is not None else None
