"""One pass over a parsed module that collects what task discovery and the rules look up.

Imports become a map from local names to qualified names; assignments, classes, functions and
calls are recorded with their enclosing scope so later stages never walk the whole tree again.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import TYPE_CHECKING, Union, cast

import libcst as cst

from checker.body import children
from checker.values import dotted_name

if TYPE_CHECKING:
    Scope = Union[cst.FunctionDef, cst.ClassDef]


@dataclasses.dataclass
class FunctionRecord:
    node: cst.FunctionDef
    scopes: tuple[Scope, ...]  # enclosing classes and functions, outermost first

    @property
    def is_method(self) -> bool:
        return bool(self.scopes) and isinstance(self.scopes[-1], cst.ClassDef)

    @property
    def is_module_level(self) -> bool:
        return not self.scopes


@dataclasses.dataclass
class ClassRecord:
    node: cst.ClassDef
    scopes: tuple[Scope, ...]


@dataclasses.dataclass
class ModuleInfo:
    """What one module binds and contains, collected in a single visit."""

    name: str  # dotted module name, e.g. "proj.tasks"
    is_package: bool  # the file is an ``__init__.py``
    imports: dict[str, str] = dataclasses.field(default_factory=dict)
    # Module-level ``name = <expr>`` bindings (the last one wins) and names assigned under an
    # ``if``/``try``/loop at module level.
    assignments: dict[str, cst.BaseExpression] = dataclasses.field(default_factory=dict)
    functions: list[FunctionRecord] = dataclasses.field(default_factory=list)
    classes: list[ClassRecord] = dataclasses.field(default_factory=list)
    calls: list[cst.Call] = dataclasses.field(default_factory=list)
    # Values bound to a name in a function or class that are a plain name or attribute chain
    # (``task = tasks.change_webhook``), and names or attribute chains held by a dict, list,
    # tuple or set literal bound to a name anywhere (``EXPORTERS = {"csv": export_csv}``):
    # objects the code holds to use later.
    bound_references: list[cst.BaseExpression] = dataclasses.field(default_factory=list)
    # Assignments to an item inside a function or class (``app.config["X"]["k"] = {...}``):
    # entries added to a beat schedule at start-up.
    item_assignments: list[cst.Assign] = dataclasses.field(default_factory=list)
    # The function or class each of those is in (by position), and the dicts bound to plain
    # names inside functions, by (``id`` of the function, name): a schedule built at start-up
    # from a local dict of entries (``settings["CELERY_BEAT_SCHEDULE"] = dict(... jobs[j] ...)``).
    item_scopes: list[int] = dataclasses.field(default_factory=list)
    local_dicts: dict[tuple[int, str], cst.Dict] = dataclasses.field(default_factory=dict)
    # Top-level statements with the number of enclosing conditional blocks (if/try/for/while/with).
    module_statements: list[tuple[cst.BaseSmallStatement, bool]] = dataclasses.field(default_factory=list)
    _local_names: frozenset[str] | None = None

    def qualify(self, node: cst.BaseExpression) -> str | None:
        """The qualified name of a name or attribute chain, resolving the module's imports.

        ``job`` after ``from celery import shared_task as job`` gives ``celery.shared_task``;
        an unimported name gives itself, prefixed by nothing (``app`` stays ``app``).
        """
        dotted = dotted_name(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        target = self.imports.get(head)
        if target is None:
            return dotted
        return f"{target}.{rest}" if rest else target

    def qualify_local(self, node: cst.BaseExpression) -> str | None:
        """Like :meth:`qualify`, but a name defined at module level gets the module's prefix
        (``charge`` in ``shop.tasks`` is ``shop.tasks.charge``)."""
        qualified = self.qualify(node)
        if qualified is None:
            return None
        head = qualified.partition(".")[0]
        if head not in self.imports and head in self.local_names():
            return f"{self.name}.{qualified}" if self.name else qualified
        return qualified

    def local_names(self) -> frozenset[str]:
        """Names the module binds at module level: functions, classes and assignments."""
        if self._local_names is None:
            self._local_names = frozenset(
                [
                    *(r.node.name.value for r in self.functions if r.is_module_level),
                    *(r.node.name.value for r in self.classes if not r.scopes),
                    *self.assignments,
                ]
            )
        return self._local_names

    def module_level_functions(self) -> dict[str, cst.FunctionDef]:
        return {r.node.name.value: r.node for r in self.functions if r.is_module_level}

    def module_level_classes(self) -> dict[str, cst.ClassDef]:
        return {r.node.name.value: r.node for r in self.classes if not r.scopes}


def resolve_relative(module: str, is_package: bool, level: int, target: str) -> str:
    """Absolute module name for ``from <level dots><target> import ...`` inside ``module``."""
    if level == 0:
        return target
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    base = ".".join(parts)
    if target:
        return f"{base}.{target}" if base else target
    return base


def collect(module: cst.Module, name: str, is_package: bool) -> ModuleInfo:
    """Visit every node of the module once (iteratively: no recursion, no node rebuilding)."""
    info = ModuleInfo(name=name, is_package=is_package)
    blocks = _block_types()
    # (node, enclosing scopes, inside a module-level block)
    stack: list[tuple[cst.CSTNode, tuple[Scope, ...], bool]] = [
        (child, (), False) for child in reversed(module.body)
    ]
    # (by exact type: libcst's node classes are abstract base classes, slow to ``isinstance``,
    # and the parser builds exactly these classes)
    while stack:
        node, scopes, conditional = stack.pop()
        kind = type(node)
        if kind is cst.SimpleStatementLine:
            if not scopes:
                _module_statements(info, cast(cst.SimpleStatementLine, node), conditional)
        elif kind is cst.Call:
            info.calls.append(cast(cst.Call, node))
        elif kind is cst.Import:
            _import(info, cast(cst.Import, node))
        elif kind is cst.ImportFrom:
            _import_from(info, cast(cst.ImportFrom, node))
        elif kind is cst.FunctionDef:
            info.functions.append(FunctionRecord(cast(cst.FunctionDef, node), scopes))
        elif kind is cst.ClassDef:
            info.classes.append(ClassRecord(cast(cst.ClassDef, node), scopes))
        elif kind is cst.Assign:
            value = cast(cst.Assign, node).value
            if scopes and any(type(t.target) is cst.Subscript for t in cast(cst.Assign, node).targets):
                info.item_assignments.append(cast(cst.Assign, node))
                info.item_scopes.append(id(scopes[-1]))
            if scopes and isinstance(value, cst.Dict):
                for assigned in cast(cst.Assign, node).targets:
                    if isinstance(assigned.target, cst.Name):
                        info.local_dicts[(id(scopes[-1]), assigned.target.value)] = value
            if scopes and (type(value) is cst.Attribute or type(value) is cst.Name):
                info.bound_references.append(value)
            elif type(value) in _containers():
                # ``exporters = {"csv": export_csv, ...}``, then ``exporters[kind].delay()``
                info.bound_references.extend(_held(value))
            elif type(value) is cst.IfExp:
                # ``send = send_email.delay if USE_CELERY else do_send_email``, then ``send(...)``
                chosen = value
                info.bound_references.extend(
                    v for v in (chosen.body, chosen.orelse) if type(v) is cst.Attribute or type(v) is cst.Name
                )
        elif kind is cst.AnnAssign:
            annotated = cast(cst.AnnAssign, node).value
            if annotated is not None and type(annotated) in _containers():
                # ``_tasks: dict[str, Any] = {"email": send_email}``, then ``_tasks[channel].s()``
                info.bound_references.extend(_held(annotated))
        inner_scopes = (
            (*scopes, cast("Scope", node)) if kind is cst.FunctionDef or kind is cst.ClassDef else scopes
        )
        inner_conditional = conditional or (not scopes and kind in blocks)
        below = children(node)
        stack.extend((child, inner_scopes, inner_conditional) for child in reversed(below))
    return info


@functools.cache
def _block_types() -> frozenset[type[cst.CSTNode]]:
    """The module-level blocks (set on first use: libcst is imported lazily)."""
    return frozenset(
        (cst.If, cst.Try, cst.For, cst.While, cst.With, *((cst.TryStar,) if hasattr(cst, "TryStar") else ()))
    )


def _import(info: ModuleInfo, node: cst.Import) -> None:
    for alias in node.names:
        full = dotted_name(alias.name)
        if full is None:
            continue
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            info.imports[alias.asname.name.value] = full
        else:
            head = full.partition(".")[0]
            info.imports[head] = head


def _import_from(info: ModuleInfo, node: cst.ImportFrom) -> None:
    if isinstance(node.names, cst.ImportStar):
        return
    target = dotted_name(node.module) if node.module is not None else ""
    if target is None:
        return
    base = resolve_relative(info.name, info.is_package, len(node.relative), target)
    for alias in node.names:
        imported = dotted_name(alias.name)
        if imported is None:
            continue
        local = imported
        if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
            local = alias.asname.name.value
        info.imports[local] = f"{base}.{imported}" if base else imported


@functools.cache
def _containers() -> tuple[type[cst.CSTNode], ...]:
    return (cst.Dict, cst.List, cst.Tuple, cst.Set)


def _held(value: cst.BaseExpression, depth: int = 0) -> list[cst.BaseExpression]:
    """The names and attribute chains a container literal holds as its values, also inside
    containers it holds (``{EVENT: (send_task, "template_id")}``), three levels deep."""
    if isinstance(value, cst.Dict):
        items = [e.value for e in value.elements if isinstance(e, cst.DictElement)]
    elif isinstance(value, (cst.List, cst.Tuple, cst.Set)):
        items = [e.value for e in value.elements if isinstance(e, cst.Element)]
    else:
        items = []
    found: list[cst.BaseExpression] = [v for v in items if type(v) is cst.Name or type(v) is cst.Attribute]
    if depth < 2:
        for item in items:
            if type(item) in _containers():
                found.extend(_held(item, depth + 1))
    return found


def _module_statements(info: ModuleInfo, node: cst.SimpleStatementLine, conditional: bool) -> None:
    for statement in node.body:
        info.module_statements.append((statement, conditional))
        if isinstance(statement, cst.Assign):
            for target in statement.targets:
                if isinstance(target.target, cst.Name):
                    info.assignments[target.target.value] = statement.value
        elif (
            isinstance(statement, cst.AnnAssign)
            and statement.value is not None
            and isinstance(statement.target, cst.Name)
        ):
            info.assignments[statement.target.value] = statement.value
