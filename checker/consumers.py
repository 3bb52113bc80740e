"""Decorators written to receive a task object (CT101).

A project may put its own decorator above the task decorator on purpose: one that takes the
task and enqueues it after the request's commit (``task.si(*args)`` handed to a queue), so that
calling the decorated name sends the task. Such a decorator uses its argument as a task; one
that wraps a plain function (``func(*args)``) does not. This module records, per module, which
parameters of its functions are used as tasks (directly, or handed on to another function), and
resolves that across the project.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

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

# For each function: the positions of its parameters used as a task, and the parameters it
# hands on (``(position, callee, position in the callee's call)``).
Uses = tuple[frozenset[int], frozenset[tuple[int, str, int]]]


def task_parameters(info: ModuleInfo) -> dict[str, Uses]:
    """How the module-level functions of ``info`` use their parameters as tasks: keyed by the
    function's qualified name, and by that name plus ``()`` for the inner function a decorator
    factory returns (``def run_later(**options): def wrapper(func): ...; return wrapper``)."""
    prefix = f"{info.name}." if info.name else ""
    found: dict[str, Uses] = {}
    for record in info.functions:
        if not record.is_module_level:
            continue
        name = prefix + record.node.name.value
        uses = _uses(record.node, info)
        if uses[0] or uses[1]:
            found[name] = uses
        inner = _returned_function(record.node)
        if inner is not None:
            uses = _uses(inner, info)
            if uses[0] or uses[1]:
                found[name + CALLED] = uses
    return found


def _returned_function(function: cst.FunctionDef) -> cst.FunctionDef | None:
    """The function defined in ``function``'s own body that it returns by name."""
    if not isinstance(function.body, cst.IndentedBlock):
        return None
    defined = {s.name.value: s for s in function.body.body if isinstance(s, cst.FunctionDef)}
    if not defined:
        return None
    for node in body.nodes(function.body):
        if isinstance(node, cst.Return) and isinstance(node.value, cst.Name) and node.value.value in defined:
            return defined[node.value.value]
    return None


def _parameters(function: cst.FunctionDef) -> list[str]:
    params = function.params
    return [p.name.value for p in (*params.posonly_params, *params.params)]


def _uses(function: cst.FunctionDef, info: ModuleInfo) -> Uses:
    names = _parameters(function)
    if not names:
        return frozenset(), frozenset()
    position = {name: number for number, name in enumerate(names)}
    direct: set[int] = set()
    handed: set[tuple[int, str, int]] = set()
    for node in _walk(function.body):
        if (
            isinstance(node, cst.Attribute)
            and isinstance(node.value, cst.Name)
            and node.value.value in position
            and node.attr.value in TASK_ATTRIBUTES
        ):
            direct.add(position[node.value.value])
        elif isinstance(node, cst.Call) and isinstance(node.func, (cst.Name, cst.Attribute)):
            callee = info.qualify_local(node.func)
            if not callee:
                continue
            for number, argument in enumerate(a for a in node.args if a.keyword is None and not a.star):
                if isinstance(argument.value, cst.Name) and argument.value.value in position:
                    handed.add((position[argument.value.value], callee, number))
    return frozenset(direct), frozenset(handed)


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under ``node``, nested functions included (a decorator's wrapper uses the task
    in a function it defines)."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


def project_consumers(modules: Iterable[dict[str, Uses]]) -> frozenset[str]:
    """The keys (see :func:`task_parameters`) of the functions whose first parameter is used as
    a task, directly or by a function it hands the parameter to (followed through the project)."""
    uses: dict[str, Uses] = {}
    for module in modules:
        uses.update(module)
    consuming = {(name, number) for name, (direct, _) in uses.items() for number in direct}
    changed = True
    while changed:
        changed = False
        for name, (_, handed) in uses.items():
            for number, callee, position in handed:
                if (name, number) not in consuming and (callee, position) in consuming:
                    consuming.add((name, number))
                    changed = True
    return frozenset(name for name, number in consuming if number == 0)
