"""How often a beat schedule runs, read from its expression without running code (CT407).

A schedule is a number of seconds, a ``timedelta``, ``celery.schedules.schedule(run_every=...)``
or a ``crontab``. Names bound at module level in the same module are followed. Anything else
(``solar``, a custom schedule class, a value read from the environment) has no known period.
"""

from __future__ import annotations

import libcst as cst

from checker.module_info import ModuleInfo
from checker.values import evaluate

CRONTAB = frozenset({"celery.schedules.crontab", "celery.crontab", "crontab"})
CRONTAB_FIELDS = ("minute", "hour", "day_of_week", "day_of_month", "month_of_year")
_TIMEDELTA = frozenset({"datetime.timedelta", "timedelta"})
_SCHEDULE = frozenset({"celery.schedules.schedule"})
# ``timedelta``'s positional parameters, in seconds per unit.
_TIMEDELTA_UNITS = (
    ("days", 86400.0),
    ("seconds", 1.0),
    ("microseconds", 1e-6),
    ("milliseconds", 1e-3),
    ("minutes", 60.0),
    ("hours", 3600.0),
    ("weeks", 604800.0),
)
_MAX_DEPTH = 8


def period(node: cst.BaseExpression, info: ModuleInfo, depth: int = 0) -> float | None:
    """Seconds between two runs of the schedule ``node``, or None when it cannot be told.

    For a ``crontab`` this is told only when it runs every hour (``hour`` left at ``*``) or
    every n-th hour (``*/n``): the average gap between runs within the hours it runs (3600 /
    the number of minutes it runs at), or n hours when it runs at one minute; or when it runs
    at one minute of given hours: the shortest gap between those hours (days left out: a lower
    bound). A ``crontab`` with fixed hours and several minutes runs in bursts: None. A
    ``crontab`` CT405 reports (``crontab(hour=7)``: the minute left at ``*``) is read as meant,
    its missing minute (and hour) at their first value.
    """
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, cst.Name):
        bound = info.assignments.get(node.value)
        return period(bound, info, depth + 1) if bound is not None else None
    if isinstance(node, cst.Call):
        qualified = info.qualify(node.func)
        if qualified in _TIMEDELTA:
            return _timedelta(node, info, depth)
        if qualified in _SCHEDULE:
            every = _argument(node, 0, "run_every")
            return period(every, info, depth + 1) if every is not None else None
        if qualified in CRONTAB:
            return _crontab(node)
        return None
    seconds = _number(node, info, depth)
    return seconds if seconds is not None and seconds > 0 else None


def _number(node: cst.BaseExpression, info: ModuleInfo, depth: int) -> float | None:
    if isinstance(node, cst.Name) and node.value in info.assignments and depth <= _MAX_DEPTH:
        return _number(info.assignments[node.value], info, depth + 1)
    value = evaluate(node)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _argument(call: cst.Call, position: int, keyword: str) -> cst.BaseExpression | None:
    if any(arg.star for arg in call.args):
        return None
    positional = [arg.value for arg in call.args if arg.keyword is None]
    if position < len(positional):
        return positional[position]
    return next((arg.value for arg in call.args if arg.keyword and arg.keyword.value == keyword), None)


def _timedelta(call: cst.Call, info: ModuleInfo, depth: int) -> float | None:
    total = 0.0
    units = dict(_TIMEDELTA_UNITS)
    for position, arg in enumerate(call.args):
        if arg.star:
            return None
        if arg.keyword is not None:
            unit = units.get(arg.keyword.value)
        else:
            unit = _TIMEDELTA_UNITS[position][1] if position < len(_TIMEDELTA_UNITS) else None
        amount = _number(arg.value, info, depth + 1)
        if unit is None or amount is None:
            return None
        total += amount * unit
    return total if total > 0 else None


def _crontab(call: cst.Call) -> float | None:
    """As the schedule was meant: a smaller field left out below a larger one that is given
    (``crontab(hour=7)``, CT405's mistake, which CT405 reports) counts as its first value, so
    that other rules judge the daily job it was written to be, not its sixty runs an hour."""
    fields: dict[str, object] = {}
    for position, arg in enumerate(call.args):
        if arg.star:
            return None
        name = arg.keyword.value if arg.keyword is not None else None
        if name is None:
            name = CRONTAB_FIELDS[position] if position < len(CRONTAB_FIELDS) else None
        if name in CRONTAB_FIELDS:
            fields[name] = _field_value(arg.value)
    given = [CRONTAB_FIELDS.index(f) for f, value in fields.items() if value != "*"]
    largest = max(given, default=-1)
    minutes = values(fields.get("minute", 0 if largest > 0 else "*"), 60)
    hours = values(fields.get("hour", 0 if largest > 1 and "minute" not in fields else "*"), 24)
    if not minutes or not hours:
        return None
    step = _every_nth(hours, 24)
    if step is None:
        if len(minutes) == 1:
            # once in each of a few given hours: the shortest gap between them (at least that)
            ordered = sorted(hours)
            gaps = [b - a for a, b in zip(ordered, ordered[1:])] + [24 - ordered[-1] + ordered[0]]
            return 3600.0 * min(gaps)
        return None  # fixed hours, several minutes in each: runs in bursts
    return 3600.0 / len(minutes) if len(minutes) > 1 else 3600.0 * step


def _field_value(node: cst.BaseExpression) -> object:
    """A crontab field's literal value; ``range(...)`` of numbers becomes a list."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "range":
        bounds = [evaluate(arg.value) for arg in node.args if arg.keyword is None and not arg.star]
        numbers = [b for b in bounds if isinstance(b, int) and not isinstance(b, bool)]
        if len(numbers) != len(node.args) or not 1 <= len(numbers) <= 3 or numbers[2:] == [0]:
            return None
        return list(range(*numbers))
    return evaluate(node)


def values(field: object, size: int) -> frozenset[int] | None:
    """The values (0 to size - 1) a crontab field selects: ``*``, ``*/n``, ``a``, ``a-b``,
    ``a-b/n`` and comma-separated lists of those, an int, or a list/tuple/set of those. None
    when the analyser cannot tell (names, wrap-around ranges, day names)."""
    if isinstance(field, bool):
        return None
    if isinstance(field, int):
        return frozenset({field}) if 0 <= field < size else None
    if isinstance(field, (list, tuple, set, frozenset)):
        found: set[int] = set()
        for item in field:
            selected = values(item, size)
            if selected is None:
                return None
            found |= selected
        return frozenset(found) or None
    if not isinstance(field, str):
        return None
    found = set()
    for part in field.split(","):
        part = part.strip()
        step = 1
        if "/" in part:
            part, _, step_text = part.partition("/")
            if not step_text.isdigit() or int(step_text) == 0:
                return None
            step = int(step_text)
        if part == "*":
            low, high = 0, size - 1
        elif "-" in part:
            first, _, last = part.partition("-")
            if not (first.isdigit() and last.isdigit()):
                return None
            low, high = int(first), int(last)
        elif part.isdigit() and step == 1:
            low = high = int(part)
        else:
            return None
        if low > high or high >= size:
            return None
        found.update(range(low, high + 1, step))
    return frozenset(found) or None


def _every_nth(selected: frozenset[int], size: int) -> int | None:
    """n when ``selected`` is every n-th value from 0 (``*`` is n = 1), else None."""
    for step in range(1, size):
        if selected == frozenset(range(0, size, step)):
            return step
    return None
