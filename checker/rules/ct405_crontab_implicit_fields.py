from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, Rule
from checker.values import evaluate

_FIELDS = ("minute", "hour", "day_of_week", "day_of_month", "month_of_year")
_RANK = {"minute": 0, "hour": 1, "day_of_week": 2, "day_of_month": 2, "month_of_year": 2}
_CRONTAB = frozenset({"celery.schedules.crontab", "celery.crontab", "crontab"})


class CrontabImplicitFields(Rule):
    """
    ## What it does
    Checks `crontab(...)` schedules that set a larger unit (hour, day, month) but leave a smaller
    one at its `*` default.

    ## Why is this bad?
    Every field of `crontab` defaults to `*`. `crontab(hour=7)` does not mean "at 7:00": it means
    every minute from 7:00 to 7:59, sixty runs a day instead of one. `crontab(day_of_week="mon")`
    runs every minute of every Monday.

    ## Example
    ```python
    "daily-report": {"task": "reports.daily", "schedule": crontab(hour=7)}
    ```

    ## Use instead
    ```python
    "daily-report": {"task": "reports.daily", "schedule": crontab(minute=0, hour=7)}
    ```
    """

    code = "CT405"
    name = "crontab-implicit-fields"
    section = Section.DEPLOYED
    severity = Severity.WARNING
    checklist = "Crontab schedules give every smaller field"
    per_task = False
    VALID = [
        "from celery.schedules import crontab\n\nSCHEDULE = crontab(minute=0, hour=7)\n",
        "from celery.schedules import crontab\n\nEVERY_15 = crontab(minute='*/15')\n"
        "MONDAYS = crontab(0, 9, day_of_week='mon')\n",
        "from celery.schedules import crontab\n\nEVERY_MINUTE = crontab()\n",
    ]
    INVALID = [
        "from celery.schedules import crontab\n\nSCHEDULE = crontab(hour=7)\n",
        "from celery.schedules import crontab\n\n"
        "CELERY_BEAT_SCHEDULE = {'weekly': {'task': 't', 'schedule': crontab(minute=0, day_of_week=1)}}\n",
        "from celery import schedules\n\nMONTHLY = schedules.crontab(minute=0, hour=0, day_of_month=1)\n"
        "YEARLY = schedules.crontab(month_of_year=1)\n",
    ]

    def check(self, ctx: FileContext) -> Iterator[Report]:
        for call in ctx.info.calls:
            if ctx.info.qualify(call.func) not in _CRONTAB:
                continue
            given = self._given(call)
            if given is None:
                continue
            explicit = [f for f, value in given.items() if value != "*"]
            if not explicit:
                continue
            largest = max(_RANK[f] for f in explicit)
            missing = [f for f in ("minute", "hour") if _RANK[f] < largest and f not in given]
            if missing:
                yield Report(
                    call,
                    f"`{missing[0]}` is left at '*': this schedule runs every {missing[0]} within the "
                    f"given {'hour' if largest == 1 else 'days'}; set `{missing[0]}=0` (or the value you mean)",
                )

    @staticmethod
    def _given(call: cst.Call) -> dict[str, object] | None:
        given: dict[str, object] = {}
        for position, arg in enumerate(call.args):
            if arg.star:
                return None
            name = (
                arg.keyword.value
                if arg.keyword is not None
                else (_FIELDS[position] if position < len(_FIELDS) else None)
            )
            if name in _RANK:
                given[name] = evaluate(arg.value)
        return given
