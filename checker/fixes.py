"""Automatic fixes: libcst edits that keep every comment and blank line.

A fix is applied only to a finding the run reported (after suppressions, the baseline and the
project's configuration), located again by re-running the finding's own rule on a fresh parse of
the file: the rule's report names the exact node, so no fix guesses where a finding points.
Every edit of a file happens in one transformation of that parse; the result is parsed again and
kept only when it is valid Python.

Safe fixes keep what the code does (or make it do what it evidently meant to do without changing
what it does today when it works); unsafe ones change behaviour and run only with
``--unsafe-fixes``.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import libcst as cst

from checker.index import ProjectIndex
from checker.model import Finding
from checker.module_info import collect
from checker.positions import positions_of
from checker.rules import Rule, rule_by_code
from checker.rules.base import FileContext, Report
from checker.rules.ct101_decorator_order import DecoratorOrder
from checker.rules.ct405_crontab_implicit_fields import CrontabImplicitFields, implicit_fields
from checker.tasks import discover

# code -> (safe, what the fix does)
FIXES: dict[str, tuple[bool, str]] = {
    "CT101": (True, "moves the task decorator to the top"),
    "CT102": (True, "adds `bind=True` when the first parameter is `self`"),
    "CT103": (True, "adds `self` as the first parameter"),
    "CT206": (True, "writes `raise self.retry(...)`"),
    "CT107": (False, "renames the option to the one it evidently means"),
    "CT405": (False, "sets the smaller fields left at '*' to their first value"),
    "CT501": (False, "adds `ignore_result=True`"),
}


def fixable(code: str) -> str | None:
    """ "safe", "unsafe" or None."""
    fix = FIXES.get(code)
    if fix is None:
        return None
    return "safe" if fix[0] else "unsafe"


def fix_codes(unsafe: bool) -> frozenset[str]:
    return frozenset(code for code, (safe, _) in FIXES.items() if safe or unsafe)


@dataclasses.dataclass
class FileFix:
    text: str  # the fixed source
    fixed: list[Finding]  # the findings the edits address


@dataclasses.dataclass
class _Edits:
    """What to change, keyed by the id() of nodes of the original parse."""

    set_keywords: dict[int, list[tuple[str, str]]] = dataclasses.field(default_factory=dict)  # Decorator
    add_keywords: dict[int, list[tuple[str, str]]] = dataclasses.field(default_factory=dict)  # Call
    rename: dict[int, str] = dataclasses.field(default_factory=dict)  # Arg -> keyword
    add_self: set[int] = dataclasses.field(default_factory=set)  # FunctionDef
    raise_expr: set[int] = dataclasses.field(default_factory=set)  # Expr
    # FunctionDef -> (index of the task decorator, indices of the decorators that stay above it)
    first_decorator: dict[int, tuple[int, frozenset[int]]] = dataclasses.field(default_factory=dict)

    def __bool__(self) -> bool:
        return any(
            (self.set_keywords, self.add_keywords, self.rename, self.add_self, self.raise_expr)
        ) or bool(self.first_decorator)


def _append_arg(call: cst.Call, arg: cst.Arg) -> cst.Call:
    """``call`` with ``arg`` added last, following the call's layout (one line or one per line)."""
    args = list(call.args)
    if not args:
        return call.with_changes(args=[arg])
    last = args[-1]
    multiline = isinstance(call.whitespace_before_args, cst.ParenthesizedWhitespace)
    if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
        separator = args[-2].comma
    elif multiline:
        separator = cst.Comma(whitespace_after=call.whitespace_before_args)
    else:
        separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if isinstance(last.comma, cst.Comma):  # a trailing comma stays trailing
        new = arg.with_changes(comma=last.comma)
        args[-1] = last.with_changes(comma=separator)
    else:  # what followed the last argument (a newline before ``)``) now follows the new one
        new = arg.with_changes(whitespace_after_arg=last.whitespace_after_arg)
        args[-1] = last.with_changes(comma=separator, whitespace_after_arg=cst.SimpleWhitespace(""))
    args.append(new)
    return call.with_changes(args=args)


def _keyword(name: str, value: str) -> cst.Arg:
    return cst.Arg(
        keyword=cst.Name(name),
        value=cst.parse_expression(value),
        equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
        ),
    )


def _set_keywords(call: cst.Call, pairs: Sequence[tuple[str, str]]) -> cst.Call:
    for name, value in pairs:
        index = next(
            (i for i, a in enumerate(call.args) if a.keyword is not None and a.keyword.value == name), None
        )
        if index is None:
            call = _append_arg(call, _keyword(name, value))
        else:
            args = list(call.args)
            args[index] = args[index].with_changes(value=cst.parse_expression(value))
            call = call.with_changes(args=args)
    return call


class _Transformer(cst.CSTTransformer):
    def __init__(self, edits: _Edits) -> None:
        super().__init__()
        self.edits = edits

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        pairs = self.edits.add_keywords.get(id(original_node))
        return _set_keywords(updated_node, pairs) if pairs else updated_node

    def leave_Decorator(self, original_node: cst.Decorator, updated_node: cst.Decorator) -> cst.Decorator:
        pairs = self.edits.set_keywords.get(id(original_node))
        if not pairs:
            return updated_node
        target = updated_node.decorator
        if isinstance(target, cst.Call):
            return updated_node.with_changes(decorator=_set_keywords(target, pairs))
        call = cst.Call(func=target, args=[])
        return updated_node.with_changes(decorator=_set_keywords(call, pairs))

    def leave_Arg(self, original_node: cst.Arg, updated_node: cst.Arg) -> cst.Arg:
        name = self.edits.rename.get(id(original_node))
        if name is None or updated_node.keyword is None:
            return updated_node
        return updated_node.with_changes(keyword=updated_node.keyword.with_changes(value=name))

    def leave_Expr(self, original_node: cst.Expr, updated_node: cst.Expr) -> cst.BaseSmallStatement:
        if id(original_node) not in self.edits.raise_expr:
            return updated_node
        return cst.Raise(exc=updated_node.value, semicolon=updated_node.semicolon)

    def leave_FunctionDef(
        self, original_node: cst.FunctionDef, updated_node: cst.FunctionDef
    ) -> cst.FunctionDef:
        if id(original_node) in self.edits.add_self:
            params = updated_node.params
            updated_node = updated_node.with_changes(
                params=params.with_changes(params=[cst.Param(cst.Name("self")), *params.params])
            )
        move = self.edits.first_decorator.get(id(original_node))
        if move is not None:
            index, wrapping = move
            decorators = list(updated_node.decorators)
            above = decorators[:index]
            updated_node = updated_node.with_changes(
                decorators=[
                    *(d for i, d in enumerate(above) if i in wrapping),
                    decorators[index],
                    *(d for i, d in enumerate(above) if i not in wrapping),
                    *decorators[index + 1 :],
                ]
            )
        return updated_node


_SUGGESTION = re.compile(r"did you mean `([A-Za-z_]\w*)`\?")


def _plan(code: str, report: Report, edits: _Edits, ctx: FileContext) -> bool:
    """Record the edit for one report; False when this report has no safe edit to make."""
    node, task = report.node, report.task
    if code == "CT101":
        if task is None or not isinstance(task.node, cst.FunctionDef) or task.decorator is None:
            return False
        index = next((i for i, d in enumerate(task.node.decorators) if d is task.decorator), None)
        if not index:
            return False
        # decorators of the task's class (``@PublicTask.permission_check(...)``) wrap the task
        # object on purpose: they stay above it
        wrapping = frozenset(
            i
            for i, d in enumerate(task.node.decorators[:index])
            if DecoratorOrder._of_task_class(d, task, ctx)
        )
        edits.first_decorator[id(task.node)] = (index, wrapping)
        return True
    if code in ("CT102", "CT501"):
        if task is None or task.decorator is None:
            return False
        if code == "CT102" and not isinstance(node, cst.Param):
            return False  # `self.x` without a `self` parameter: binding alone would not do
        pair = ("bind", "True") if code == "CT102" else ("ignore_result", "True")
        edits.set_keywords.setdefault(id(task.decorator), []).append(pair)
        return True
    if code == "CT103":
        if task is None or task.run is None or task.run.params.posonly_params:
            return False
        edits.add_self.add(id(task.run))
        return True
    if code == "CT206":
        if not isinstance(node, cst.Expr):
            return False
        edits.raise_expr.add(id(node))
        return True
    if code == "CT107":
        match = _SUGGESTION.search(report.message)
        if task is None or task.decorator_call is None or match is None:
            return False
        arg = next((a for a in task.decorator_call.args if a.keyword is node), None)
        if arg is None:
            return False
        edits.rename[id(arg)] = match.group(1)
        return True
    if code == "CT405":
        if not isinstance(node, cst.Call):
            return False
        given = CrontabImplicitFields._given(node)
        if given is None:
            return False
        pairs = implicit_fields(given)
        if not pairs:
            return False
        edits.add_keywords[id(node)] = pairs
        return True
    return False


def fix_file(
    text: str,
    display: str,
    module_name: str,
    is_package: bool,
    findings: Iterable[Finding],
    index: ProjectIndex,
    wrappers: frozenset[str],
    known_options: frozenset[str],
    codes: frozenset[str],
) -> FileFix | None:
    """Fix the ``findings`` of ``codes`` in one file's ``text``; None when nothing changes."""
    wanted = {(f.code, f.line, f.column): f for f in findings if f.code in codes}
    if not wanted:
        return None
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError:
        return None
    info = collect(module, module_name, is_package)
    tasks, _ = discover(info, index, wrappers)
    ctx = FileContext(display, module, info, tasks, [], index, known_options)
    positions = positions_of(module)
    edits = _Edits()
    fixed: list[Finding] = []
    by_code = rule_by_code()
    for code in sorted({c for c, _, _ in wanted}):
        rule: Rule = by_code[code]()
        for report in rule.check(ctx):
            line, column = positions[report.node][:2]
            finding = wanted.get((code, line, column + 1))
            if finding is not None and _plan(code, report, edits, ctx):
                fixed.append(finding)
    if not edits:
        return None
    new = module.visit(_Transformer(edits)).code
    if new == text:
        return None
    try:
        compile(new, display, "exec", dont_inherit=True)
        cst.parse_module(new)
    except (SyntaxError, ValueError, cst.ParserSyntaxError):
        return None  # never write a file that no longer parses
    return FileFix(new, fixed)


@dataclasses.dataclass
class Change:
    path: str  # as displayed (relative to the working directory)
    before: str
    after: str
    fixed: list[Finding]


def plan(
    findings: Sequence[Finding],
    index: ProjectIndex | None,
    wrappers: frozenset[str],
    known_options: frozenset[str],
    unsafe: bool,
    read: Callable[[str], str | None] | None = None,
) -> list[Change]:
    """The changes that fix what can be fixed of ``findings``, file by file (nothing written)."""
    from checker.files import module_name

    codes = fix_codes(unsafe)
    by_path: dict[str, list[Finding]] = {}
    for finding in findings:
        if finding.code in codes:
            by_path.setdefault(finding.path, []).append(finding)
    changes: list[Change] = []
    for path, found in sorted(by_path.items()):
        text = read(path) if read is not None else None
        if text is None:
            text = _read(path)
        if text is None:
            continue
        name, is_package = module_name(Path(os.path.abspath(path)))
        fix = fix_file(
            text, path, name, is_package, found, index or ProjectIndex(), wrappers, known_options, codes
        )
        if fix is not None:
            changes.append(Change(path, text, fix.text, fix.fixed))
    return changes


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def write(change: Change) -> None:
    with open(change.path, "w", encoding="utf-8", newline="") as handle:
        handle.write(change.after)


def unified_diff(change: Change) -> str:
    import difflib

    return "".join(
        difflib.unified_diff(
            change.before.splitlines(keepends=True),
            change.after.splitlines(keepends=True),
            fromfile=f"a/{change.path}",
            tofile=f"b/{change.path}",
        )
    )
