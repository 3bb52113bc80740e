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
            fields = implicit_fields(given)
            if not fields:
                continue
            largest = max(_RANK[f] for f, value in given.items() if value != "*")
            missing = [f for f, _ in fields]
            names = [f"`{f}`" for f in missing]
            listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
            within = (
                "within the given hours"
                if largest == 1
                else "of every day of the given months"
                if "day_of_month" in missing
                else "of the given days"
            )
            values = ", ".join(f"{f}={value}" for f, value in fields)
            yield Report(
                call,
                f"{listed} {'is' if len(missing) == 1 else 'are'} left at '*': this schedule runs every "
                f"minute {within}; set `{values}` (or the values you mean)",
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


def implicit_fields(given: dict[str, object]) -> list[tuple[str, str]]:
    """The smaller fields a ``crontab`` leaves at ``*`` below a larger one it gives, with the
    value that makes it run once per larger unit: ``minute`` and ``hour`` (0), and
    ``day_of_month`` (1) when only months are given besides."""
    explicit = [f for f, value in given.items() if value != "*"]
    if not explicit:
        return []
    largest = max(_RANK[f] for f in explicit)
    missing = [(f, "0") for f in ("minute", "hour") if _RANK[f] < largest and f not in given]
    if missing and "month_of_year" in explicit and "day_of_week" not in given and "day_of_month" not in given:
        missing.append(("day_of_month", "1"))
    return missing
