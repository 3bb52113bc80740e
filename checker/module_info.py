"""One pass over a parsed module that collects what task discovery and the rules look up.

Imports become a map from local names to qualified names; assignments, classes, functions and
calls are recorded with their enclosing scope so later stages never walk the whole tree again.
"""

from __future__ import annotations

import dataclasses
from typing import Union

import libcst as cst

from checker.values import dotted_name

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
    # Top-level statements with the number of enclosing conditional blocks (if/try/for/while/with).
    module_statements: list[tuple[cst.BaseSmallStatement, bool]] = dataclasses.field(default_factory=list)

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


class _Collector(cst.CSTVisitor):
    def __init__(self, info: ModuleInfo) -> None:
        self.info = info
        self.scopes: list[Scope] = []
        self.block_depth = 0

    # Scopes -----------------------------------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.info.functions.append(FunctionRecord(node, tuple(self.scopes)))
        self.scopes.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.scopes.pop()

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.info.classes.append(ClassRecord(node, tuple(self.scopes)))
        self.scopes.append(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.scopes.pop()

    def _enter_block(self, node: cst.CSTNode) -> None:
        if not self.scopes:
            self.block_depth += 1

    def _leave_block(self, node: cst.CSTNode) -> None:
        if not self.scopes:
            self.block_depth -= 1

    def visit_If(self, node: cst.If) -> None:
        self._enter_block(node)

    def leave_If(self, original_node: cst.If) -> None:
        self._leave_block(original_node)

    def visit_Try(self, node: cst.Try) -> None:
        self._enter_block(node)

    def leave_Try(self, original_node: cst.Try) -> None:
        self._leave_block(original_node)

    def visit_For(self, node: cst.For) -> None:
        self._enter_block(node)

    def leave_For(self, original_node: cst.For) -> None:
        self._leave_block(original_node)

    def visit_While(self, node: cst.While) -> None:
        self._enter_block(node)

    def leave_While(self, original_node: cst.While) -> None:
        self._leave_block(original_node)

    def visit_With(self, node: cst.With) -> None:
        self._enter_block(node)

    def leave_With(self, original_node: cst.With) -> None:
        self._leave_block(original_node)

    # Imports ----------------------------------------------------------------------------
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted_name(alias.name)
            if full is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.info.imports[alias.asname.name.value] = full
            else:
                head = full.partition(".")[0]
                self.info.imports[head] = head

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        target = dotted_name(node.module) if node.module is not None else ""
        if target is None:
            return
        base = resolve_relative(self.info.name, self.info.is_package, len(node.relative), target)
        for alias in node.names:
            imported = dotted_name(alias.name)
            if imported is None:
                continue
            local = imported
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            self.info.imports[local] = f"{base}.{imported}" if base else imported

    # Statements -------------------------------------------------------------------------
    def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
        if self.scopes:
            return
        conditional = self.block_depth > 0
        for statement in node.body:
            self.info.module_statements.append((statement, conditional))
            if isinstance(statement, cst.Assign):
                for target in statement.targets:
                    if isinstance(target.target, cst.Name):
                        self.info.assignments[target.target.value] = statement.value
            elif (
                isinstance(statement, cst.AnnAssign)
                and statement.value is not None
                and isinstance(statement.target, cst.Name)
            ):
                self.info.assignments[statement.target.value] = statement.value

    def visit_Call(self, node: cst.Call) -> None:
        self.info.calls.append(node)


def collect(module: cst.Module, name: str, is_package: bool) -> ModuleInfo:
    info = ModuleInfo(name=name, is_package=is_package)
    module.visit(_Collector(info))
    return info
