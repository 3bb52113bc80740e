"""What a rule is: a small class with its code, docs, examples and the check itself."""

from __future__ import annotations

import abc
import dataclasses
import inspect
import re
from collections.abc import Iterator
from typing import ClassVar, Union

import libcst as cst

from checker.facts import Location
from checker.index import ProjectIndex
from checker.model import Finding, Section, Severity, TaskSummary
from checker.module_info import ModuleInfo
from checker.project import ProjectContext
from checker.settings import Setting
from checker.tasks import TaskDef

# An example is one file's source (``proj/tasks.py``), or several files by path.
Example = Union[str, bytes, dict[str, str]]
DOC_HEADINGS = ("What it does", "Why is this bad?", "Example", "Use instead")


@dataclasses.dataclass(frozen=True)
class Report:
    """What a rule says: the node to point at, the message, and the task it is about."""

    node: cst.CSTNode
    message: str
    task: TaskDef | None = None
    # Qualified names of the functions the reported code calls, kept for the project phase
    # (see ``Rule.revise``).
    calls: frozenset[str] = frozenset()
    # The name of the logger the reported code logs through, for the project phase (CT602).
    logger: str | None = None


@dataclasses.dataclass(frozen=True)
class ProjectReport:
    """A finding of a project-wide rule, at a position another file's worker computed."""

    where: Location
    message: str
    task: TaskSummary | None = None
    severity: Severity | None = None  # a lower severity for a less certain case


@dataclasses.dataclass
class FileContext:
    """Everything a rule may consult about one file."""

    path: str
    module: cst.Module
    info: ModuleInfo
    tasks: list[TaskDef]
    settings: list[Setting]
    index: ProjectIndex
    known_options: frozenset[str]


class Rule(abc.ABC):
    """Base class of every rule. Subclasses set the class attributes and implement ``check``.

    The class docstring is the rule's documentation in Markdown, with the sections of
    ``DOC_HEADINGS``; ``VALID`` and ``INVALID`` are examples (a source file, or a small project
    as ``{path: source}``) on which the rule must stay silent or report at least once.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    section: ClassVar[Section]
    severity: ClassVar[Severity]
    opt_in: ClassVar[bool] = False
    # The checklist item this rule verifies, phrased as what a good task does.
    checklist: ClassVar[str]
    # Whether the rule judges individual tasks (an item on every task's checklist).
    per_task: ClassVar[bool] = True
    # Settings for running the examples (e.g. ``{"task-decorators": [...]}``).
    example_config: ClassVar[dict[str, object]] = {}
    VALID: ClassVar[list[Example]]
    INVALID: ClassVar[list[Example]]

    # Project settings that make the check pass for every task (e.g. a global time limit), and
    # the task options that do the same through ``task_annotations``.
    satisfied_by_settings: ClassVar[tuple[str, ...]] = ()
    satisfied_by_options: ClassVar[tuple[str, ...]] = ()

    def check(self, ctx: FileContext) -> Iterator[Report]:
        """Yield a report for every violation in one file (rules that need only the file)."""
        return iter(())

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        """Yield a report for every violation that needs the whole project."""
        return iter(())

    @classmethod
    def revise(cls, finding: Finding, project: ProjectContext) -> Finding | None:
        """A finding of ``check`` as the whole project has it: reworded, or None to drop it when
        what the project knows makes it wrong (its serializer, its result backend, a helper in
        another file that logs)."""
        return finding

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first paragraph of "What it does", on one line."""
        match = re.search(r"## What it does\s*\n(.*?)(\n\s*\n|\Z)", cls.docs(), re.S)
        return " ".join(match.group(1).split()) if match else ""


class TaskRule(Rule):
    """A rule that looks at one task at a time."""

    def check(self, ctx: FileContext) -> Iterator[Report]:
        for task in ctx.tasks:
            yield from self.check_task(task, ctx)

    @abc.abstractmethod
    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        """Yield a report for every violation in this task."""
