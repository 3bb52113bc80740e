from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import DEFAULT_MAX_RETRIES, TaskDef, is_ref, retry_bound
from checker.values import UNKNOWN, iter_items

# Exceptions whose retries spare no failing service: Celery's time limits (the task retries its
# own run that ran out of time) and the ORM's "no such row" (the task waits for a row its sender
# has not committed yet: a short fixed interval is the point).
_NO_SERVICE = ("SoftTimeLimitExceeded", "TimeLimitExceeded", "DoesNotExist", "ObjectDoesNotExist")


class AutoretryWithoutBackoff(TaskRule):
    """
    ## What it does
    Checks that a task with `autoretry_for` also sets `retry_backoff`. Not reported when
    `retry_backoff` is given explicitly, even as `False`: a fixed retry interval is then a
    conscious choice (a task that waits for a lock or a slot, not for a failing service); nor
    when `autoretry_for` lists only Celery's time-limit exceptions (`SoftTimeLimitExceeded`,
    `TimeLimitExceeded`) or the ORM's "no such row" (`Model.DoesNotExist`,
    `ObjectDoesNotExist`): the task retries its own run that ran out of time, or waits for a row
    its sender has not committed yet; no service is hit. Nor when `max_retries` (on the task or
    in `retry_kwargs`) is 0 or 1: a task retried once at most sends no stream of retries, and
    with `retry_backoff=True` its one retry would come sooner, not later. Nor when the interval
    is given (`default_retry_delay`, or `countdown` in `retry_kwargs`): a fixed interval chosen
    on purpose; nor for Celery's default of three retries (`max_retries` unset or at most 3) at
    its default three-minute interval: four calls in nine minutes hammer nothing, and
    `retry_backoff=True` (1, 2, 4 s) would retry sooner. Nor when `max_retries` is not a literal
    (`settings.MAX_RETRIES`): the bound may be 0 or 1. What is reported is many retries (more
    than 3, or no bound) at a fixed interval.

    ## Why is this bad?
    Without backoff, automatic retries come at a fixed interval (three minutes by default, or
    whatever `default_retry_delay` says): a struggling service receives every failed call again
    at the same rate, from every worker, and recovers later than it would otherwise.

    ## Example
    ```python
    @shared_task(autoretry_for=(requests.RequestException,), max_retries=10)
    def notify(user_id): ...
    ```

    ## Use instead
    ```python
    @shared_task(autoretry_for=(requests.RequestException,), max_retries=10, retry_backoff=30)
    def notify(user_id): ...
    ```
    """

    code = "CT204"
    name = "autoretry-without-backoff"
    section = Section.RESILIENT
    severity = Severity.INFO
    checklist = "Automatic retries back off"
    VALID = [
        "from celery import shared_task\n\n@shared_task(autoretry_for=(IOError,), retry_backoff=True)\n"
        "def f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(autoretry_for=(IOError,), retry_backoff=5)\n"
        "def f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(autoretry_for=())\ndef f():\n    pass\n",
        "from celery import shared_task\nfrom celery.exceptions import SoftTimeLimitExceeded\n\n"
        "@shared_task(autoretry_for=(SoftTimeLimitExceeded,))\ndef f():\n    pass\n",
        # waits for the row its sender has not committed yet
        "from celery import shared_task\nfrom shop.models import Order\n\n"
        "@shared_task(autoretry_for=(Order.DoesNotExist,), default_retry_delay=5)\n"
        "def f(order_id):\n    Order.objects.get(pk=order_id)\n",
        "from celery import shared_task\n\n@shared_task(autoretry_for=(IOError,), retry_backoff=False)\n"
        "def f():\n    pass\n",
        # retried once at most
        "from celery import shared_task\n\n@shared_task(autoretry_for=(IOError,), max_retries=0)\n"
        "def f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(autoretry_for=(IOError,), "
        "retry_kwargs={'max_retries': 1})\ndef f():\n    pass\n",
        # a few retries at Celery's default three minutes
        "from celery import shared_task\n\n@shared_task(autoretry_for=(IOError,))\ndef f():\n    pass\n",
        # an interval chosen on purpose
        "from celery import shared_task\n\n@shared_task(autoretry_for=(IOError,), max_retries=10, "
        "retry_kwargs={'countdown': 30})\ndef f():\n    pass\n",
        # a bound read from the settings: it may be 0 or 1
        "from celery import shared_task\nfrom proj.config import settings\n\n"
        "@shared_task(autoretry_for=(IOError,), max_retries=settings.retries)\ndef f():\n    pass\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task(autoretry_for=(IOError,), max_retries=10)\n"
        "def f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(autoretry_for=(IOError,), max_retries=None)\n"
        "def f():\n    pass\n",
        "from celery import shared_task\nfrom shop.models import Order\n\n"
        "@shared_task(autoretry_for=(Order.DoesNotExist, IOError), retry_kwargs={'max_retries': 5})\n"
        "def f(order_id):\n    pass\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        autoretry = task.option("autoretry_for")
        if autoretry is None or autoretry.value is None:
            return
        if autoretry.value is not UNKNOWN and not iter_items(autoretry.value):
            return  # an empty tuple retries nothing
        if autoretry.value is not UNKNOWN and all(
            is_ref(e, *_NO_SERVICE) for e in iter_items(autoretry.value)
        ):
            return  # its own run out of time, or a row not committed yet: no failing service
        bound = retry_bound(task, ctx.info.assignments)
        known = bound is None or (isinstance(bound, int) and not isinstance(bound, bool))
        if not known or (isinstance(bound, int) and 0 <= bound <= 1):
            return  # never retried, or once (or a bound read from elsewhere): no stream of retries
        backoff = task.option("retry_backoff")
        if backoff is None and not task.options_complete:
            return
        if backoff is not None and backoff.value is not None:
            return  # set explicitly, even to False: a deliberate choice
        if _explicit_delay(task):
            return  # a fixed interval chosen on purpose (``countdown``, ``default_retry_delay``)
        if isinstance(bound, int) and not isinstance(bound, bool) and bound <= DEFAULT_MAX_RETRIES:
            return  # a few retries, three minutes apart: backing off from 1 s would retry sooner
        yield Report(
            autoretry.node or task.anchor,
            "`autoretry_for` without `retry_backoff`: retries hit the failing service at a fixed rate",
            task,
        )


def _explicit_delay(task: TaskDef) -> bool:
    """The retry interval is given: ``default_retry_delay``, or ``countdown`` in
    ``retry_kwargs``."""
    kwargs = task.value("retry_kwargs")
    return task.is_set("default_retry_delay") or (isinstance(kwargs, dict) and "countdown" in kwargs)
