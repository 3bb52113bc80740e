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


@dataclasses.dataclass
class ProjectIndex:
    # Qualified names (``proj.celery.app``) bound to ``Celery(...)`` at module level.
    apps: set[str] = dataclasses.field(default_factory=set)
    # The project's modules (those that may hold a task), by dotted name.
    modules: set[str] = dataclasses.field(default_factory=set)
    # Task base classes defined in the project, by qualified name.
    task_classes: dict[str, ClassInfo] = dataclasses.field(default_factory=dict)

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
        self.modules |= other.modules
        self.task_classes.update(other.task_classes)
