"""Facts a file contributes to the project: settings, config sources, beat entries, routes.

Extracted in the worker that parsed the file, with positions, so the project-wide rules run in
the main process without parsing anything again. Everything here is plain picklable data.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import libcst as cst

from checker.module_info import ModuleInfo
from checker.settings import CONF, Setting
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


@dataclasses.dataclass(frozen=True)
class TaskReference:
    """A task named by a string: a beat entry, a route or ``send_task``."""

    task: str
    via: str  # "beat", "route" or "send_task"
    where: Location
    kind: str  # how the enclosing setting is spelt (CONF for calls)
    module: str
    has_expires: bool = True  # beat entries only


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
    # For test files: every qualified name and string the file mentions (CT301).
    test_references: frozenset[str] = frozenset()
    suppressions: dict[int, frozenset[str]] = dataclasses.field(default_factory=dict)
    # Functions of this module that log, and what the others call (CT207, see checker.loggers).
    logging_functions: frozenset[str] = frozenset()
    function_calls: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    # The functions a finding's code calls, by (code, line, column) of the finding.
    finding_calls: dict[tuple[str, int, int], frozenset[str]] = dataclasses.field(default_factory=dict)
    # The module connects a receiver to ``celery.signals.setup_logging`` (CT602).
    connects_setup_logging: bool = False


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
        facts.settings.append(
            SettingFact(
                setting.name,
                setting.raw,
                setting.value,
                setting.kind,
                info.name,
                where(setting.node),
                where(key),
                environment_without_default(setting.node),
            )
        )
        if setting.name == BEAT_SETTING:
            for name, node, expires in _beat_entries(setting.node):
                facts.references.append(
                    TaskReference(name, "beat", where(node), setting.kind, info.name, expires)
                )
        elif setting.name == ROUTES_SETTING:
            for name, node in _route_keys(setting.node):
                facts.references.append(TaskReference(name, "route", where(node), setting.kind, info.name))
    for call in info.calls:
        _call_facts(call, info, facts, where)
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


def _call_facts(
    call: cst.Call, info: ModuleInfo, facts: FileFacts, where: Callable[[cst.CSTNode], Location]
) -> None:
    func = call.func
    method = func.attr.value if isinstance(func, cst.Attribute) else None
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
                facts.references.append(
                    TaskReference(name, "beat", where(args[0].value), CONF, info.name, expires)
                )


def _beat_entries(node: cst.CSTNode) -> Iterator[tuple[str, cst.CSTNode, bool]]:
    """``(task name, its string node, has options.expires)`` for each literal beat entry."""
    if not isinstance(node, cst.Dict):
        return
    for element in node.elements:
        if not isinstance(element, cst.DictElement):
            continue
        entry = _mapping(element.value)
        if entry is None or "task" not in entry:
            continue
        task_node = entry["task"]
        name = string_value(task_node)
        if name is None:
            continue
        options = _mapping(entry["options"]) if "options" in entry else None
        expires = (options is not None and "expires" in options) or ("options" in entry and options is None)
        yield name, task_node, expires


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
