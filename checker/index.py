"""Project-wide facts that task discovery and the rules consult, computed once per run."""

from __future__ import annotations

import dataclasses

from checker.values import Value


@dataclasses.dataclass(frozen=True)
class ClassInfo:
    """A class in the project that derives (directly or not) from a Celery ``Task``."""

    qualname: str
    options: dict[str, Value]  # literal class attributes, own ones only
    bases: tuple[str, ...]  # qualified names of its bases


@dataclasses.dataclass(frozen=True)
class Factory:
    """A decorator the project defines that makes Celery tasks (found without configuration).

    ``@factory(**use_site)`` applied to ``fn`` ends in ``<inner>(**options)(target)``, where
    ``inner`` is Celery's own decorator (``"celery"``) or another factory, ``options`` are the
    factory's own options plus the use-site keywords it forwards, and ``target`` is ``fn`` or a
    wrapper around it.
    """

    qualname: str  # where it is defined (re-exports and aliases share the entry)
    inner: str  # "celery" or the qualified name of the factory it applies
    fixed: dict[str, Value]  # options the factory passes itself (UNKNOWN: set, value unknown)
    renames: dict[str, str]  # use-site keyword -> option, for parameters passed on as ``opt=param``
    forwards: bool  # use-site keywords reach the inner decorator (``**kwargs`` passed on)
    consumed: frozenset[str]  # use-site keywords that are the factory's own (never options)
    complete: bool  # the forwarding could be followed; else the options are unknown
    # How the registered name is made: "decorated" (the function, or a wrapper with
    # ``functools.wraps``), "wrapper" (a wrapper without it: ``wrapper_name``), "module" (a
    # wrapper given the function's ``__name__`` only: ``<wrapper_name>.<function>``, where
    # ``wrapper_name`` is the factory's module) or "unknown".
    naming: str
    wrapper_name: str = ""
    wrapped: bool = False  # the worker calls a wrapper, not the decorated function itself
    bare: bool = True  # ``@factory`` makes a task
    called: bool = True  # ``@factory(...)`` makes a task


# ``handler = Dispatcher()`` and ``@handler("key", queue="q")``: an instance of a class whose
# ``__call__`` returns a decorator that applies a task decorator. The factory of the class's
# instances is kept under ``<class>.__call__``; a name bound to an instance shares it.
INSTANCE = ".__call__"


@dataclasses.dataclass
class ProjectIndex:
    # Qualified names (``proj.celery.app``) bound to ``Celery(...)`` at module level.
    apps: set[str] = dataclasses.field(default_factory=set)
    # Those bound to an instance of a subclass of Celery (``NotifyCelery()``): their task class
    # may be one the analyser cannot read.
    custom_apps: set[str] = dataclasses.field(default_factory=set)
    # The project's modules (those that may hold a task), by dotted name.
    modules: set[str] = dataclasses.field(default_factory=set)
    # Apps built from a class the project defines (``celery = ProjectCelery()``): the class's
    # qualified name, whose methods may be decorator factories (``@celery.periodic_task(...)``).
    app_classes: dict[str, str] = dataclasses.field(default_factory=dict)
    # The project's own subclasses of Celery whose names do not say so (``class CeleryApp(Celery)``).
    celery_classes: set[str] = dataclasses.field(default_factory=set)
    # Module-level functions that build and return an app (``def make_celery(app): celery =
    # Celery(...); ...; return celery``, Flask's pattern): the class they build.
    app_factories: dict[str, str] = dataclasses.field(default_factory=dict)
    # Task base classes defined in the project, by qualified name.
    task_classes: dict[str, ClassInfo] = dataclasses.field(default_factory=dict)
    # Decorator factories defined in the project, by every qualified name they are reachable as.
    factories: dict[str, Factory] = dataclasses.field(default_factory=dict)

    def factory_words(self) -> frozenset[str]:
        """The local names the factories (and app factories) are bound to (what a file using one
        must contain)."""
        names = (*self.factories, *self.app_factories)
        return frozenset(n.rpartition(".")[2] for n in names if not n.endswith(INSTANCE))

    def class_options(self, qualname: str) -> dict[str, Value]:
        """Options a project task class sets, its own winning over its bases' (MRO-like)."""
        merged: dict[str, Value] = {}
        seen: set[str] = set()

        def visit(name: str) -> None:
            info = self.task_classes.get(name)
            if info is None or name in seen:
                return
            seen.add(name)
            for base in reversed(info.bases):
                visit(base)
            merged.update(info.options)

        visit(qualname)
        return merged

    def merge(self, other: ProjectIndex) -> None:
        self.apps |= other.apps
        self.custom_apps |= other.custom_apps
        self.app_classes.update(other.app_classes)
        self.app_factories.update(other.app_factories)
        self.celery_classes |= other.celery_classes
        self.modules |= other.modules
        self.task_classes.update(other.task_classes)
        self.factories.update(other.factories)

    def fingerprint(self) -> str:
        """What the index holds, the same for the same content whatever the order it was built
        in (sets and dicts sorted): the analysis of a file depends on this, not on the files
        the index was read from."""
        return repr(_canonical(self))

    def size(self) -> tuple[int, int, int, int, int]:
        return (
            len(self.apps),
            len(self.task_classes),
            len(self.factories),
            len(self.app_factories),
            len(self.celery_classes),
        )


def _canonical(value: object) -> object:
    """``value`` with every set and dict in a sorted order (by the canonical items' ``repr``),
    dataclasses as their class name and fields."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = tuple((f.name, _canonical(getattr(value, f.name))) for f in dataclasses.fields(value))
        return (type(value).__name__, fields)
    if isinstance(value, dict):
        return ("dict", tuple(sorted(((_canonical(k), _canonical(v)) for k, v in value.items()), key=repr)))
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, tuple(sorted((_canonical(item) for item in value), key=repr)))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_canonical(item) for item in value))
    return value
