"""Plain data that flows between the stages: severities, sections, findings, task summaries."""

from __future__ import annotations

import dataclasses
import enum


class Severity(str, enum.Enum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 1, Severity.WARNING: 2, Severity.ERROR: 3}


class Section(str, enum.Enum):
    """The checklist's sections, in the order of a task's life; FILE holds CT0."""

    FILE = "file"
    DEFINED = "defined"
    RESILIENT = "resilient"
    TESTED = "tested"
    DEPLOYED = "deployed"
    OPTIMIZED = "optimized"
    OBSERVABLE = "observable"

    @property
    def label(self) -> str:
        return self.value.capitalize()


TASK_SECTIONS = (
    Section.DEFINED,
    Section.RESILIENT,
    Section.TESTED,
    Section.DEPLOYED,
    Section.OPTIMIZED,
    Section.OBSERVABLE,
)


# ``RunResult.setting_prefix`` for Django settings read with no namespace
# (``app.config_from_object("django.conf:settings")``): Celery then takes the old upper-case
# names (``CELERYD_TASK_TIME_LIMIT``), and advice is worded with them.
OLD_SETTING_NAMES = "*"


@dataclasses.dataclass(frozen=True)
class Finding:
    """One diagnostic. Positions are 1-based; ``path`` is relative to the working directory."""

    code: str
    name: str
    section: Section
    severity: Severity
    message: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    task: str | None = None
    # Identifies the task within the run (path and line of its definition), because two
    # definitions may share a registered name.
    task_key: str | None = None

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)


@dataclasses.dataclass(frozen=True)
class TaskSummary:
    """What the reports need to know about a discovered task."""

    key: str
    name: str
    function: str
    path: str
    line: int
    column: int
    kind: str  # "function", "class" or "call"
    module: str = ""
    name_known: bool = True  # False when ``name=`` is set to something that is not a literal
    suppression_lines: tuple[int, ...] = ()  # lines whose suppression comments cover the task
    # First and last line of the task's definition: the header's comments cover findings there.
    definition: tuple[int, int] = (0, 0)
    object_name: str | None = None  # the module-level name callers enqueue the task through
    # What project rules need of the task's options (decorator, ``base=`` class, class body):
    # the options set to something other than None, whether more may be set unseen
    # (``**opts``, an invisible base), and the ``serializer=`` value (UNKNOWN when not literal).
    set_options: frozenset[str] = frozenset()
    options_complete: bool = True
    serializer: object = None
    # Parameters with a default: (name, position as callers count it, or -1 if keyword-only).
    optional_params: tuple[tuple[str, int], ...] = ()
    # The parameters callers pass by position, in order, and those the body writes back
    # (``order.save()``, ``order.status = ...``): under pickle a stale snapshot matters there.
    positional_params: tuple[str, ...] = ()
    # What the task's whole body calls, when it is one call: a qualified function name, or
    # ``command:NAME`` for ``call_command("NAME")`` (CT301).
    delegate: str = ""
    written_params: frozenset[str] = frozenset()
    # Nothing in the body a test could check: it only logs or prints its request (Celery's
    # ``debug_task``), or is a stub (a docstring, ``pass``): CT301.
    nothing_to_test: bool = False
    # How it was found: the qualified task decorator (``celery.shared_task``,
    # ``proj.celery.app.task``, a project factory like ``proj.utils.cron_task``) or, for a task
    # class, its first base (``celery.Task``).
    decorator: str = ""
    # Defined inside a function: registered only when that function runs (CT301).
    local: bool = False
