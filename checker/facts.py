"""Facts a file contributes to the project: settings, config sources, beat entries, routes.

Extracted in the worker that parsed the file, with positions, so the project-wide rules run in
the main process without parsing anything again. Everything here is plain picklable data.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Optional, cast

import libcst as cst

from checker.body import descendants
from checker.module_info import ModuleInfo
from checker.periods import period
from checker.settings import CONF, LOWER, UPPER, Setting
from checker.suppressions import Suppressions
from checker.values import Value, dotted_name, evaluate, string_value

if TYPE_CHECKING:
    from checker.callsites import CallSite, DirectCall

Span = tuple[int, int, int, int]  # line, column, end line, end column (1-based, end exclusive)

BEAT_SETTING = "beat_schedule"
ROUTES_SETTING = "task_routes"
GLOB_CHARS = frozenset("*?[")
_SIGNATURE = frozenset({"signature", "subtask", "celery.signature", "celery.canvas.signature"})


@dataclasses.dataclass(frozen=True)
class Location:
    path: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclasses.dataclass(frozen=True)
class SettingFact:
    name: str | None  # current Celery name; None when Celery does not know it
    raw: str
    value: Value
    kind: str  # settings.CONF / UPPER / LOWER
    module: str
    where: Location  # the value
    key_where: Location  # the name
    # Read from the environment with no default, or a None/empty one
    # (``os.environ.get("X", None)``): the setting may well be unset where the code runs.
    maybe_unset: bool = False
    # The literal a class-based settings class writes (its value is UNKNOWN: a subclass may
    # override it): what the project most likely runs with, for exemptions only.
    literal: Value = None


@dataclasses.dataclass(frozen=True)
class TaskReference:
    """A task named by a string: a beat entry, a route or ``send_task``."""

    task: str
    via: str  # "beat", "route" or "send_task"
    where: Location
    kind: str  # how the enclosing setting is spelt (CONF for calls)
    module: str
    has_expires: bool = True  # beat entries only
    # Beat entries only: seconds between runs, None when the analyser cannot tell
    # (``checker.periods``).
    period: float | None = None


@dataclasses.dataclass(frozen=True)
class BeatEntry:
    """A literal beat entry (``{"task": "name", ...}``) found outside a beat setting."""

    task: str
    where: Location
    has_expires: bool
    period: float | None = None


@dataclasses.dataclass(frozen=True)
class NamedSchedule:
    """What a module-level name holds that a beat schedule may be built from: literal entries,
    and the qualified names of the dicts it is built from (``{**A, **B}``, ``dict(A)``)."""

    entries: tuple[BeatEntry, ...] = ()
    sources: tuple[str, ...] = ()


@dataclasses.dataclass
class FileFacts:
    path: str
    module: str
    settings: list[SettingFact] = dataclasses.field(default_factory=list)
    # ``app.config_from_object(...)``: (module or "django.conf:settings", namespace)
    config_sources: list[tuple[str, str | None]] = dataclasses.field(default_factory=list)
    django_settings: list[str] = dataclasses.field(default_factory=list)  # DJANGO_SETTINGS_MODULE
    star_imports: list[str] = dataclasses.field(default_factory=list)
    references: list[TaskReference] = dataclasses.field(default_factory=list)
    call_sites: list[CallSite] = dataclasses.field(default_factory=list)
    direct_calls: list[DirectCall] = dataclasses.field(default_factory=list)
    # objects calls receive as arguments outside test code (a task handed to a dispatch helper)
    handed: frozenset[str] = frozenset()
    # For test files: every qualified name and string the file mentions (CT301).
    test_references: frozenset[str] = frozenset()
    # For test files: the attribute names they use (``view.post``, ``obj.run``: which methods of
    # a class they name may call), and whether they make Celery run tasks eagerly
    # (``CELERY_TASK_ALWAYS_EAGER = True``, ``app.conf.task_always_eager = True``, a pytest-celery
    # worker fixture). CT301.
    test_attributes: frozenset[str] = frozenset()
    eager_tests: bool = False
    # For test files Python cannot parse: why (their references were then read token by token).
    unparsed: str = ""
    # What the module binds by importing, {local name: qualified name}: CT301 follows re-exports
    # (``from .mail import send`` in ``pkg/tasks/__init__.py``) and ``mock.patch`` targets through
    # modules that import a task. Star imports of modules read only for this (analysed modules
    # have theirs in ``star_imports``).
    imports: dict[str, str] = dataclasses.field(default_factory=dict)
    imported_stars: list[str] = dataclasses.field(default_factory=list)
    suppressions: Suppressions = dataclasses.field(default_factory=Suppressions)
    # Functions of this module that log, and what the others call (CT207, see checker.loggers).
    logging_functions: frozenset[str] = frozenset()
    function_calls: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    # Functions of this module that catch ``SoftTimeLimitExceeded`` (CT209).
    limit_handlers: frozenset[str] = frozenset()
    # The module's decorators written to receive a task object (``checker.consumers``, CT101).
    task_consumers: frozenset[str] = frozenset()
    # Django signal receivers by the model whose signals they receive (CT301).
    signal_receivers: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    # The functions a finding's code calls, by (code, line, column) of the finding.
    finding_calls: dict[tuple[str, int, int], frozenset[str]] = dataclasses.field(default_factory=dict)
    # The logger a finding's code logs through, by (code, line, column) of the finding (CT602).
    finding_loggers: dict[tuple[str, int, int], str] = dataclasses.field(default_factory=dict)
    # The module connects a receiver to ``celery.signals.setup_logging`` (CT602).
    connects_setup_logging: bool = False
    # The module sets ``DEBUG = True`` unconditionally: a development settings module (CT302).
    debug_on: bool = False
    # Upper-case names the module reads from Django's settings (``settings.CELERY_SOFT_LIMIT``,
    # ``getattr(settings, "CELERY_X")``): the project's own variables (CT406).
    settings_read: frozenset[str] = frozenset()
    # The module passes ``--time-limit``/``--soft-time-limit`` to a worker it starts
    # (``app.worker_main(["worker", "--time-limit=1800"])``, a command list): CT201.
    worker_limit: bool = False
    # Strings in code outside tests that may be a task's registered name (``"shop.tasks.send"``,
    # ``"billing:charge"``): a workflow table or a dispatch by name the analysis cannot follow
    # to a send (CT301).
    named_strings: frozenset[str] = frozenset()
    # Names given as ``"task": "<name>"`` in a dict literal (a beat entry the analysis may not
    # have read, built or applied in a way it does not follow), the task's own module too (CT301).
    scheduled_strings: frozenset[str] = frozenset()
    # Names sent in its text (``notify.delay(``, ``notify.s(``), resolved or not: whatever the
    # analysis made of the imports, such a name is no dead code (CT301's message).
    sent_words: frozenset[str] = frozenset()
    # The module names a scheduler that keeps beat entries outside the code (django-celery-beat
    # or django-celery's database, RedBeat's Redis): any task may be scheduled there (CT301).
    stored_schedules: bool = False
    # Directories the module puts on ``sys.path`` (``sys.path.insert(0, root("apps"))``): their
    # modules are imported from there too (``cla_butler.tasks``, not ``proj.apps.cla_butler.tasks``).
    path_dirs: frozenset[str] = frozenset()
    # Non-root loggers its logging configuration (Django ``LOGGING``, ``dictConfig``) gives
    # handlers (CT602: ``get_task_logger`` would take a module's records away from them).
    configured_loggers: frozenset[str] = frozenset()
    # Module-level dicts a beat schedule may be built from, by qualified name (also names of
    # other modules, for ``imported["key"] = {...}``), and the names each beat setting of this
    # module is built from, with the setting's kind. Resolved in the project phase.
    schedules: dict[str, list[NamedSchedule]] = dataclasses.field(default_factory=dict)
    beat_sources: list[tuple[str, tuple[str, ...]]] = dataclasses.field(default_factory=list)


# A class named as the Celery configuration (``CeleryConfiguration``, ``CelerySettings``,
# ``CeleryConfig``): its attributes that are Celery settings by name configure the app.
_CELERY_CONFIG_CLASS = re.compile(r"(?i)^\w*celery\w*(conf|config|configuration|settings)$")


def extract(
    path: str,
    info: ModuleInfo,
    settings: list[Setting],
    span: Callable[[cst.CSTNode], Span],
) -> FileFacts:
    def where(node: cst.CSTNode) -> Location:
        return Location(path, *span(node))

    facts = FileFacts(path, info.name)
    for setting in settings:
        key = setting.key_node if setting.key_node is not None else setting.node
        # a config class's attributes belong to the class (``proj.settings.CeleryConfig``)
        module = f"{info.name}.{setting.owner}" if setting.owner else info.name
        # ``class CeleryConfiguration(BaseSettings): task_time_limit: int = 1800``, dumped into
        # ``app.conf.update(...)`` through code a static reading does not follow
        owned = setting.owner and _CELERY_CONFIG_CLASS.search(setting.owner)
        if owned and (module, None) not in facts.config_sources:
            facts.config_sources.append((module, None))
        facts.settings.append(
            SettingFact(
                setting.name,
                setting.raw,
                setting.value,
                setting.kind,
                module,
                where(setting.node),
                where(key),
                environment_without_default(setting.node),
                setting.literal,
            )
        )
        if setting.name == BEAT_SETTING and isinstance(setting.node, cst.BaseExpression):
            entries, sources = _schedule_parts(setting.node, info)
            for name, node, expires, every in entries:
                facts.references.append(
                    TaskReference(name, "beat", where(node), setting.kind, module, expires, every)
                )
            if sources:
                facts.beat_sources.append((setting.kind, tuple(sources)))
        elif setting.name == ROUTES_SETTING:
            for name, node in _route_keys(setting.node):
                facts.references.append(TaskReference(name, "route", where(node), setting.kind, module))
    for call in info.calls:
        _call_facts(call, info, facts, where)
    _schedule_facts(info, facts, where)
    for statement, _ in info.module_statements:
        if isinstance(statement, cst.ImportFrom) and isinstance(statement.names, cst.ImportStar):
            target = _import_target(statement, info)
            if target:
                facts.star_imports.append(target)
    return facts


_ENVIRONMENT_READERS = frozenset({"getenv", "env", "config", "str"})


def environment_without_default(node: cst.CSTNode) -> bool:
    """``os.environ.get("X")``, ``os.getenv("X", None)``, ``env("X", default="")``: a value read
    from the environment that is None or empty when the variable is not set."""
    if not isinstance(node, cst.Call):
        return False
    callee = dotted_name(node.func) or ""
    last = callee.rpartition(".")[2]
    environ_get = last == "get" and "environ" in callee
    reader = environ_get or last == "getenv" or (last in _ENVIRONMENT_READERS and "env" in callee.lower())
    if not reader and callee != "config":  # ``config(...)``: python-decouple
        return False
    positional = [a.value for a in node.args if a.keyword is None and not a.star]
    keyword = next(
        (a.value for a in node.args if a.keyword is not None and a.keyword.value == "default"), None
    )
    default = keyword if keyword is not None else (positional[1] if len(positional) > 1 else None)
    if default is None:
        # ``os.environ.get``/``getenv`` default to None; django-environ and decouple raise instead.
        return environ_get or last == "getenv"
    value = evaluate(default)
    return value is None or value == ""


def _import_target(node: cst.ImportFrom, info: ModuleInfo) -> str | None:
    from checker.module_info import resolve_relative
    from checker.values import dotted_name

    target = dotted_name(node.module) if node.module is not None else ""
    if target is None:
        return None
    return resolve_relative(info.name, info.is_package, len(node.relative), target)


# ``send_task`` as a function: Celery's compat module (``celery.execute``), the current app's.
_SEND_TASK_FUNCTIONS = frozenset({"celery.execute.send_task", "celery.current_app.send_task"})


def _call_facts(
    call: cst.Call, info: ModuleInfo, facts: FileFacts, where: Callable[[cst.CSTNode], Location]
) -> None:
    func = call.func
    method = func.attr.value if isinstance(func, cst.Attribute) else None
    if isinstance(func, cst.Name) and info.qualify(func) in _SEND_TASK_FUNCTIONS:
        method = "send_task"  # ``from celery.execute import send_task``: Celery's compat function
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if method == "config_from_object" and positional:
        namespace = next(
            (
                string_value(a.value)
                for a in call.args
                if a.keyword is not None and a.keyword.value == "namespace"
            ),
            None,
        )
        target = string_value(positional[0].value)
        if target is None and isinstance(positional[0].value, (cst.Name, cst.Attribute)):
            target = info.qualify(positional[0].value)
        if target:
            facts.config_sources.append((target, namespace))
    elif method == "setdefault" and len(positional) == 2:
        if string_value(positional[0].value) == "DJANGO_SETTINGS_MODULE":
            value = string_value(positional[1].value)
            if value:
                facts.django_settings.append(value)
    elif method == "send_task" and positional:
        name = string_value(positional[0].value)
        if name:
            facts.references.append(
                TaskReference(name, "send_task", where(positional[0].value), CONF, info.name)
            )
    elif method == "add_periodic_task" and len(positional) >= 2:
        signature = positional[1].value
        if isinstance(signature, cst.Call) and info.qualify(signature.func) in _SIGNATURE:
            args = [a for a in signature.args if a.keyword is None and not a.star]
            name = string_value(args[0].value) if args else None
            if name:
                expires = any(a.keyword is not None and a.keyword.value == "expires" for a in call.args)
                every = period(positional[0].value, info)  # the first argument is the schedule
                facts.references.append(
                    TaskReference(name, "beat", where(args[0].value), CONF, info.name, expires, every)
                )


# A literal beat entry: task name, its string node, has ``options.expires``, seconds between runs.
if TYPE_CHECKING:
    _Entry = tuple[str, cst.CSTNode, bool, Optional[float]]


def _beat_entry(node: cst.BaseExpression, info: ModuleInfo) -> _Entry | None:
    """``(task name, its string node, has options.expires, period)`` for a literal beat entry."""
    entry = _mapping(node)
    if entry is None or "task" not in entry:
        return None
    task_node = entry["task"]
    name = string_value(task_node)
    if name is None:
        return None
    options = _mapping(entry["options"]) if "options" in entry else None
    expires = (options is not None and "expires" in options) or ("options" in entry and options is None)
    every = period(entry["schedule"], info) if "schedule" in entry else None
    return name, task_node, expires, every


_COPIES = frozenset({"copy.copy", "copy.deepcopy", "deepcopy"})
_MAX_PARTS_DEPTH = 20


def _schedule_parts(
    node: cst.BaseExpression, info: ModuleInfo, depth: int = 0
) -> tuple[list[_Entry], list[str]]:
    """The literal beat entries of a schedule expression, and the qualified names of the dicts
    it is built from: ``{"k": {...}, **A}``, ``dict(A, k={...})``, ``A | B``, ``A``,
    ``A.copy()``, ``deepcopy(A)``, ``{} if DISABLED else {...}``."""
    entries: list[_Entry] = []
    sources: list[str] = []

    def parts(value: cst.BaseExpression) -> None:
        inner = _schedule_parts(value, info, depth + 1)
        entries.extend(inner[0])
        sources.extend(inner[1])

    if depth > _MAX_PARTS_DEPTH:
        return entries, sources
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                entry = _beat_entry(element.value, info)
                if entry is not None:
                    entries.append(entry)
            else:
                parts(element.value)
    elif isinstance(node, (cst.Name, cst.Attribute)):
        qualified = info.qualify_local(node)
        if qualified:
            sources.append(qualified)
    elif isinstance(node, cst.Tuple):  # (what :func:`_schedule_facts` gathers for one setting)
        for item in node.elements:
            parts(item.value)
    elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        parts(node.left)
        parts(node.right)
    elif isinstance(node, cst.IfExp):
        # ``{} if BEAT_DISABLED else {...}``: either may be in force
        parts(node.body)
        parts(node.orelse)
    elif isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Name) and func.value == "dict":
            for arg in node.args:
                if arg.keyword is not None:
                    entry = _beat_entry(arg.value, info)
                    if entry is not None:
                        entries.append(entry)
                else:
                    parts(arg.value)
        elif isinstance(func, cst.Attribute) and func.attr.value == "copy" and not node.args:
            parts(func.value)
        elif info.qualify(func) in _COPIES and node.args and node.args[0].keyword is None:
            parts(node.args[0].value)
    return entries, sources


_BEAT_NAMES = {"CELERY_BEAT_SCHEDULE": UPPER, "CELERYBEAT_SCHEDULE": UPPER, "beat_schedule": LOWER}


def _beat_target(node: cst.BaseExpression) -> str | None:
    """The kind of beat setting ``node`` names (``CELERY_BEAT_SCHEDULE``, ``beat_schedule``,
    ``app.conf.beat_schedule``), if it names one."""
    if isinstance(node, cst.Name):
        return _BEAT_NAMES.get(node.value)
    if isinstance(node, cst.Subscript):  # ``app.config["CELERY_BEAT_SCHEDULE"]`` (Flask)
        key = _item_key(node)
        return _BEAT_NAMES.get(key) if key is not None else None
    if isinstance(node, cst.Attribute) and node.attr.value == BEAT_SETTING:
        value = node.value
        if isinstance(value, cst.Attribute) and value.attr.value == "conf":
            return CONF
    return None


def _item_key(node: cst.Subscript) -> str | None:
    """The string of ``x["key"]``."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return string_value(node.slice[0].slice.value)


def _schedule_facts(info: ModuleInfo, facts: FileFacts, where: Callable[[cst.CSTNode], Location]) -> None:
    """Module-level dicts that beat schedules may be built from, and entries added to a
    schedule after the fact (``SCHEDULE["key"] = {...}``, ``SCHEDULE.update(...)``)."""

    def record(
        target: cst.BaseExpression, value: cst.BaseExpression, keywords: bool = False, added: bool = True
    ) -> None:
        """``value`` is bound to ``target`` (``added=False``) or added to it."""
        entries: list[_Entry]
        sources: list[str]
        if keywords:  # ``.update(key={...})``
            found = _beat_entry(value, info)
            entries, sources = ([found] if found else []), []
        else:
            entries, sources = _schedule_parts(value, info)
        if not entries and not sources:
            return
        kind = _beat_target(target) if added else None  # (a beat setting's value is a setting)
        if kind is not None:
            facts.references.extend(
                TaskReference(name, "beat", where(node), kind, info.name, expires, every)
                for name, node, expires, every in entries
            )
            if sources:
                facts.beat_sources.append((kind, tuple(sources)))
        qualified = info.qualify_local(target) if isinstance(target, (cst.Name, cst.Attribute)) else None
        if qualified and "." in qualified:
            schedule = NamedSchedule(
                tuple(BeatEntry(n, where(w), e, every) for n, w, e, every in entries), tuple(sources)
            )
            facts.schedules.setdefault(qualified, []).append(schedule)

    for statement, _ in info.module_statements:
        if isinstance(statement, (cst.Assign, cst.AnnAssign)) and statement.value is not None:
            value = statement.value
            targets = (
                [t.target for t in statement.targets]
                if isinstance(statement, cst.Assign)
                else [statement.target]
            )
            for target in targets:
                if isinstance(target, cst.Name):
                    # a plain alias (``A = B``) matters only for constants
                    if not isinstance(value, (cst.Name, cst.Attribute)) or target.value.isupper():
                        record(target, value, added=False)
                elif (
                    isinstance(target, cst.Subscript)
                    and len(target.slice) == 1
                    and isinstance(target.slice[0].slice, cst.Index)
                ):
                    found = _beat_entry(value, info)
                    if found is not None:
                        record(target.value, cst.Dict([cst.DictElement(target.slice[0].slice.value, value)]))
        elif isinstance(statement, cst.AugAssign) and isinstance(statement.operator, cst.BitOrAssign):
            record(statement.target, statement.value)  # ``SCHEDULE |= PRODUCTION_ONLY`` (a dict union)
        elif isinstance(statement, cst.Expr) and isinstance(statement.value, cst.Call):
            call = statement.value
            func = call.func
            if isinstance(func, cst.Attribute) and func.attr.value == "update":
                for arg in call.args:
                    if arg.star:
                        continue
                    record(func.value, arg.value, keywords=arg.keyword is not None)

    # an entry added to the schedule at start-up, in a function (a Flask extension's ``init_app``:
    # ``app.config["CELERY_BEAT_SCHEDULE"]["key"] = {"task": ..., "schedule": ...}``)
    for assign, scope in zip(info.item_assignments, info.item_scopes):
        for assigned in assign.targets:
            target = assigned.target
            if (
                isinstance(target, cst.Subscript)
                and _beat_target(target.value) is not None
                and _item_key(target) is not None
                and _beat_entry(assign.value, info) is not None
            ):
                key = cast(cst.Index, target.slice[0].slice).value
                record(target.value, cst.Dict([cst.DictElement(key, assign.value)]))
            elif isinstance(target, cst.Subscript) and _beat_target(target) is not None:
                # ``settings["CELERY_BEAT_SCHEDULE"] = dict((j, jobs[j]) for j in ENABLED)`` in the
                # function that post-processes the settings: the entries of the dicts it names
                local = [info.local_dicts.get((scope, name)) for name in _names_in(assign.value)]
                record(target, cst.Tuple([cst.Element(assign.value), *(cst.Element(d) for d in local if d)]))


def _names_in(node: cst.BaseExpression) -> set[str]:
    """The plain names an expression uses, at any depth (comprehensions included)."""
    return {n.value for n in descendants(node) if isinstance(n, cst.Name)}


def may_hold_schedule(info: ModuleInfo) -> bool:
    """The module binds a dict at module level or adds to one (beat schedules may be built
    from it)."""
    if info.item_assignments:
        return True
    for statement, _ in info.module_statements:
        if isinstance(statement, (cst.Assign, cst.AnnAssign)) and isinstance(
            statement.value, (cst.Dict, cst.Name, cst.Attribute, cst.BinaryOperation)
        ):
            return True
    return False


def _mapping(node: cst.BaseExpression) -> dict[str, cst.BaseExpression] | None:
    """A literal ``{"k": v}`` or ``dict(k=v)`` with string keys, as a dict of value nodes."""
    result: dict[str, cst.BaseExpression] = {}
    if isinstance(node, cst.Dict):
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return None
            key = string_value(element.key)
            if key is None:
                return None
            result[key] = element.value
        return result
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "dict":
        for arg in node.args:
            if arg.keyword is None:
                return None
            result[arg.keyword.value] = arg.value
        return result
    return None


def _route_keys(node: cst.CSTNode) -> Iterator[tuple[str, cst.CSTNode]]:
    """Task names used as keys of literal ``task_routes`` (a dict, or a list/tuple of dicts)."""
    mappings: list[cst.BaseExpression] = []
    if isinstance(node, cst.Dict):
        mappings = [node]
    elif isinstance(node, (cst.List, cst.Tuple)):
        mappings = [e.value for e in node.elements if isinstance(e.value, cst.Dict)]
    for mapping in mappings:
        assert isinstance(mapping, cst.Dict)
        for element in mapping.elements:
            if isinstance(element, cst.DictElement):
                name = string_value(element.key)
                if name and not GLOB_CHARS & set(name):
                    yield name, element.key
