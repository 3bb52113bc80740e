"""Names that Celery itself defines, read from the installed Celery rather than written by hand.

Importing Celery costs a noticeable fraction of a second, so everything here is computed on first
use and only by the rules that need it.
"""

from __future__ import annotations

import functools
import inspect
import keyword

# Qualified names of Celery's decorators and classes as users import them.
SHARED_TASK = frozenset({"celery.shared_task", "celery.app.shared_task", "celery.app.base.shared_task"})
OLD_TASK = frozenset(
    {
        "celery.task",
        "celery.task.task",
        "celery.task.periodic_task",
        "celery.task.base.task",
        "celery.task.base.periodic_task",
        "celery.decorators.task",
        "celery.decorators.periodic_task",
    }
)
# Options that only the old ``periodic_task`` decorator took.
OLD_PERIODIC_OPTIONS = frozenset({"run_every", "relative", "options"})
CELERY_CLASS = frozenset({"celery.Celery", "celery.app.Celery", "celery.app.base.Celery"})
TASK_CLASS = frozenset(
    {
        "celery.Task",
        "celery.app.Task",
        "celery.app.task.Task",
        "celery.task.Task",
        "celery.task.base.Task",
    }
)
CURRENT_APP = frozenset({"celery.current_app", "celery.app.current_app"})


def _identifiers(names: object) -> set[str]:
    return {
        n
        for n in (names if isinstance(names, (list, tuple, set, frozenset)) else ())
        if isinstance(n, str) and n.isidentifier() and not n.startswith("_") and not keyword.iskeyword(n)
    }


@functools.cache
def known_task_options() -> frozenset[str]:
    """Every keyword the task decorators accept with an effect, per the installed Celery.

    - the public attributes of ``celery.app.task.Task`` (every decorator keyword becomes a class
      attribute of the generated task class, so these are the ones Celery reads);
    - the parameters of ``Celery._task_from_fun`` (``name``, ``base``, ``bind``, ``pydantic*``);
    - the parameters of the decorator factory inside ``Celery.task`` (``shared``, ``lazy``, ...);
    - the options the auto-retry wrapper reads (``autoretry_for``, ``retry_backoff``, ...);
    - the publishing options a task carries (``queue``, ``routing_key``, ``exchange``, ...).
    """
    from celery.app import autoretry
    from celery.app import task as task_module
    from celery.app.base import Celery

    names: set[str] = {n for n in dir(task_module.Task) if not n.startswith("_")}
    signature = inspect.signature(Celery._task_from_fun)
    names |= {
        p.name
        for p in signature.parameters.values()
        if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and p.name != "self"
    }
    for const in Celery.task.__code__.co_consts:
        code = getattr(const, "co_varnames", None)
        if code is not None:
            count = const.co_argcount + const.co_kwonlyargcount
            names |= _identifiers(code[:count])
    names |= _identifiers(autoretry.add_autoretry_behaviour.__code__.co_consts)
    getter = getattr(task_module, "extract_exec_options", None)
    for cell in getattr(getter, "__closure__", None) or ():
        names |= _identifiers(cell.cell_contents)
    return frozenset(names)
