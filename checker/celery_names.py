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
        # django-celery-transactions and django-atomic-celery: Celery's ``task`` with a base
        # class that sends once the transaction commits
        "djcelery_transactions.task",
        "django_atomic_celery.task",
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
        "djcelery_transactions.PostTransactionTask",
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


# What kind of value each task option takes, for the decorator-only options (the others come
# from ``celery.Task``'s attributes and the settings they default to). ``class`` and
# ``callable`` take no literal at all.
_DECORATOR_OPTION_KINDS: dict[str, frozenset[str]] = {
    "base": frozenset({"class"}),
    "bind": frozenset({"bool"}),
    "shared": frozenset({"bool"}),
    "lazy": frozenset({"bool"}),
    "name": frozenset({"str"}),
    "autoretry_for": frozenset({"container"}),
    "dont_autoretry_for": frozenset({"container"}),
    "retry_kwargs": frozenset({"container"}),
    "retry_backoff": frozenset({"bool", "number"}),
    "retry_backoff_max": frozenset({"number"}),
    "retry_jitter": frozenset({"bool"}),
    "pydantic": frozenset({"bool"}),
    "pydantic_strict": frozenset({"bool"}),
    "pydantic_context": frozenset({"container"}),
    "pydantic_dump_kwargs": frozenset({"container"}),
    "queue": frozenset({"str"}),
    "routing_key": frozenset({"str"}),
    "exchange": frozenset({"str"}),
    "compression": frozenset({"str"}),
    "immediate": frozenset({"bool"}),
    "mandatory": frozenset({"bool"}),
    "filter": frozenset({"callable"}),
}
_SETTING_TYPES: dict[object, frozenset[str]] = {
    "bool": frozenset({"bool"}),
    "int": frozenset({"number"}),
    int: frozenset({"number"}),
    "float": frozenset({"number"}),
    "string": frozenset({"str"}),
    "str": frozenset({"str"}),
    "bytes": frozenset({"str"}),
    "dict": frozenset({"container"}),
    "list": frozenset({"container", "str"}),  # Celery splits a comma-separated string
    "tuple": frozenset({"container", "str"}),
}


@functools.cache
def setting_kinds() -> dict[str, frozenset[str]]:
    """The kinds of value each setting takes (current names), from ``celery.app.defaults``;
    settings of type ``any`` are left out (any value fits)."""
    from celery.app import defaults

    kinds: dict[str, frozenset[str]] = {}
    for key, option in defaults.flatten(defaults.NAMESPACES):
        kind = _SETTING_TYPES.get(option.type)
        if kind is not None:
            kinds[key] = kind
    return kinds


@functools.cache
def old_setting_names() -> dict[str, str]:
    """Each setting's old (Celery 3) name where it has one, lower-case, from
    ``celery.app.defaults`` (``task_time_limit``: ``celeryd_task_time_limit``)."""
    from celery.app import defaults

    return {key: sorted(option.old)[0] for key, option in defaults.flatten(defaults.NAMESPACES) if option.old}


@functools.cache
def backend_aliases() -> frozenset[str]:
    """The result backends Celery knows by a short name (``redis``, ``rpc``, ``db``), from
    ``celery.app.backends``; any other name is one a package registers as an entry point."""
    from celery.app.backends import BACKEND_ALIASES

    return frozenset(BACKEND_ALIASES)


@functools.cache
def setting_defaults() -> dict[str, object]:
    """Each setting's default (current names), from ``celery.app.defaults``."""
    from celery.app import defaults

    return {key: option.default for key, option in defaults.flatten(defaults.NAMESPACES)}


@functools.cache
def task_option_kinds() -> dict[str, frozenset[str]]:
    """The kinds of value each task option takes, from ``celery.Task``'s attribute defaults, or
    the type of the setting an attribute defaults to (``acks_late`` → ``task_acks_late``);
    options whose kind cannot be told are left out (any value fits)."""
    from celery.app.task import Task

    settings = setting_kinds()
    from_config = dict(getattr(Task, "from_config", ()))
    kinds: dict[str, frozenset[str]] = {}
    for name in known_task_options():
        if name in _DECORATOR_OPTION_KINDS:
            kinds[name] = _DECORATOR_OPTION_KINDS[name]
            continue
        default = inspect.getattr_static(Task, name, None)
        if isinstance(default, bool):
            kinds[name] = frozenset({"bool"})
        elif isinstance(default, (int, float)):
            kinds[name] = frozenset({"number"})
        elif isinstance(default, str):
            kinds[name] = frozenset({"str"})
        elif isinstance(default, (tuple, list, dict)):
            kinds[name] = frozenset({"container"})
        elif default is None:
            if name in from_config and from_config[name] in settings:
                kinds[name] = settings[from_config[name]]
        else:  # a method, property or class: no literal is meant for it
            kinds[name] = frozenset({"callable"})
    return kinds


def value_fits(value: object, kinds: frozenset[str] | None) -> bool:
    """A literal ``value`` is of one of ``kinds``; a value that is not a literal, None, or an
    option of unknown kind always fits."""
    if kinds is None or value is None:
        return True
    if isinstance(value, bool):
        return "bool" in kinds
    if isinstance(value, (int, float)):
        return "number" in kinds
    if isinstance(value, str):
        return "str" in kinds
    if isinstance(value, (tuple, list, set, frozenset, dict)):
        return "container" in kinds
    return True
