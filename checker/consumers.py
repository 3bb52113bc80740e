"""Decorators written to receive a task object (CT101).

A project may put its own decorator above the task decorator on purpose: one that takes the
task and enqueues it after the request's commit (``task.si(*args)`` handed to a queue), so that
calling the decorated name sends the task; or one that registers the task and returns it as it
is. Such a decorator uses its argument as a task, or hands it back; one that wraps a plain
function (``func(*args)``) does neither. This module finds them among a module's functions.

Only functions shaped like decorators are read (a function that returns a function it defines,
or its own first parameter), so the cost follows the decorators, not the size of the module;
what a decorator hands its argument to is followed into the functions of the same module.
"""

from __future__ import annotations

import libcst as cst

from checker import body
from checker.module_info import ModuleInfo

# What only a task (or a signature) offers: using one of these on a parameter uses it as a task.
TASK_ATTRIBUTES = frozenset(
    {
        "s",
        "si",
        "signature",
        "subtask",
        "delay",
        "apply_async",
        "delay_on_commit",
        "apply",
        "map",
        "starmap",
        "chunks",
    }
)
# The key of the function a decorator factory returns: ``proj.hooks.run_later()``.
CALLED = "()"
_DEPTH = 3  # calls followed within the module from a decorator to where the task is used


def task_consumers(info: ModuleInfo) -> frozenset[str]:
    """The module-level functions of ``info`` that are decorators receiving a task object (by
    qualified name), and the decorator factories whose product is one (the name plus ``()``)."""
    prefix = f"{info.name}." if info.name else ""
    functions = {r.node.name.value: r.node for r in info.functions if r.is_module_level}
    found: set[str] = set()
    for name, function in functions.items():
        if _receives_task(function, functions):
            found.add(prefix + name)
        inner = _returned_function(function)
        if inner is not None and _receives_task(inner, functions):
            found.add(prefix + name + CALLED)
    return frozenset(found)


def _receives_task(function: cst.FunctionDef, module: dict[str, cst.FunctionDef]) -> bool:
    """A decorator (its argument is its first parameter) that returns that argument as it is,
    or returns a function it defines that uses the argument as a task."""
    parameter = _first_parameter(function)
    if parameter is None:
        return False
    returned = _returned(function)
    if any(isinstance(r, cst.Name) and r.value == parameter for r in returned):
        return True  # hands the task back (registers it, sets an attribute on it)
    if not any(isinstance(r, cst.Name) for r in returned):
        return False  # not shaped like a decorator: not read further
    return _uses_as_task(function, parameter, module, _DEPTH)


def _uses_as_task(
    function: cst.FunctionDef, parameter: str, module: dict[str, cst.FunctionDef], depth: int
) -> bool:
    """``parameter`` is used as a task in ``function`` (functions it defines included), or
    handed to a function of the module that uses it so."""
    for node in body.descendants(function.body):
        if isinstance(node, cst.Attribute):
            if (
                isinstance(node.value, cst.Name)
                and node.value.value == parameter
                and node.attr.value in TASK_ATTRIBUTES
            ):
                return True
        elif isinstance(node, cst.Call) and depth > 0 and isinstance(node.func, cst.Name):
            callee = module.get(node.func.value)
            if callee is None or callee is function:
                continue
            positional = [a for a in node.args if a.keyword is None and not a.star]
            params = _parameters(callee)
            for number, argument in enumerate(positional):
                if (
                    isinstance(argument.value, cst.Name)
                    and argument.value.value == parameter
                    and number < len(params)
                    and _uses_as_task(callee, params[number], module, depth - 1)
                ):
                    return True
    return False


def _returned(function: cst.FunctionDef) -> list[cst.BaseExpression]:
    """The values of the ``return`` statements directly in ``function``'s body."""
    if not isinstance(function.body, cst.IndentedBlock):
        return []
    return [
        small.value
        for line in function.body.body
        if isinstance(line, cst.SimpleStatementLine)
        for small in line.body
        if isinstance(small, cst.Return) and small.value is not None
    ]


def _returned_function(function: cst.FunctionDef) -> cst.FunctionDef | None:
    """The function defined in ``function``'s own body that it returns by name."""
    if not isinstance(function.body, cst.IndentedBlock):
        return None
    defined = {s.name.value: s for s in function.body.body if isinstance(s, cst.FunctionDef)}
    if not defined:
        return None
    for value in _returned(function):
        if isinstance(value, cst.Name) and value.value in defined:
            return defined[value.value]
    return None


def _parameters(function: cst.FunctionDef) -> list[str]:
    params = function.params
    return [p.name.value for p in (*params.posonly_params, *params.params)]


def _first_parameter(function: cst.FunctionDef) -> str | None:
    params = _parameters(function)
    return params[0] if params else None
