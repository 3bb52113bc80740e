"""Where a file enqueues or calls tasks: the facts behind CT106, CT503, CT504 and CT506.

The worker records every ``x.delay(...)``-style call with the qualified name of ``x`` and its
context (in a loop, in a transaction, the objects passed); the main process keeps those whose
``x`` turns out to be one of the project's tasks.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import libcst as cst

from checker import body
from checker.facts import Location
from checker.module_info import ModuleInfo
from checker.tasks import TaskDef

ENQUEUE = frozenset({"delay", "apply_async", "delay_on_commit"})
SIGNATURES = frozenset({"s", "si", "signature"})
_LOOPS = (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)
_MODEL_GETTERS = frozenset({"get", "first", "last", "create", "get_or_create", "earliest", "latest"})
_OBJECT_ARGUMENTS = frozenset({"request", "request.user", "self.request", "self.request.user"})


@dataclasses.dataclass(frozen=True)
class CallSite:
    target: str  # qualified name of the receiver, e.g. "shop.billing.tasks.charge"
    method: str  # delay, apply_async, delay_on_commit, s, si, signature
    where: Location
    in_loop: bool
    in_transaction: bool  # inside ``transaction.atomic`` and not deferred by ``on_commit``
    objects: tuple[tuple[str, Location], ...]  # arguments that are clearly objects


@dataclasses.dataclass(frozen=True)
class DirectCall:
    caller: str  # key of the task whose body makes the call
    target: str  # qualified name of the called function
    where: Location
    forwards: bool = False  # the call is the caller's whole body (``return other(...)``)


def _is(info: ModuleInfo, node: cst.BaseExpression, suffix: str) -> bool:
    target = node.func if isinstance(node, cst.Call) else node
    qualified = info.qualify(target) or ""
    return qualified == suffix or qualified.endswith("." + suffix)


def _model_bindings(scope: cst.CSTNode, info: ModuleInfo) -> set[str]:
    """Names bound in this scope to a model instance fetched through ``objects`` or a 404 helper."""
    bound: set[str] = set()
    for node in body.nodes(scope):
        if not isinstance(node, cst.Assign) or not isinstance(node.value, cst.Call):
            continue
        call = node.value
        fetched = _is(info, call, "get_object_or_404")
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in _MODEL_GETTERS:
            fetched = (
                fetched
                or ".objects" in f".{info.qualify(call.func.value) or body.code(call.func.value, 200)}"
            )
        if not fetched:
            continue
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                bound.add(target.target.value)
            elif isinstance(target.target, cst.Tuple) and target.target.elements:
                first = target.target.elements[0].value
                if isinstance(first, cst.Name):
                    bound.add(first.value)
    return bound


def _argument_values(call: cst.Call, method: str) -> list[cst.BaseExpression]:
    if method != "apply_async":
        return [a.value for a in call.args if not a.star]
    values: list[cst.BaseExpression] = []
    for arg in call.args:
        container = arg.value
        if arg.keyword is not None and arg.keyword.value not in ("args", "kwargs"):
            continue
        if isinstance(container, (cst.Tuple, cst.List)):
            values.extend(e.value for e in container.elements)
        elif isinstance(container, cst.Dict):
            values.extend(e.value for e in container.elements if isinstance(e, cst.DictElement))
    return values


def call_sites(
    info: ModuleInfo,
    module: cst.Module,
    tasks: list[tuple[str, TaskDef]],
    where: Callable[[cst.CSTNode], Location],
) -> tuple[list[CallSite], list[DirectCall]]:
    """Enqueue calls anywhere in the module, and direct calls in the bodies of ``tasks``
    (given with their keys)."""
    sites: list[CallSite] = []
    if any(
        isinstance(c.func, cst.Attribute) and c.func.attr.value in ENQUEUE | SIGNATURES for c in info.calls
    ):
        scopes: list[cst.CSTNode] = [module, *(r.node for r in info.functions)]
        for scope in scopes:
            sites.extend(_scope_sites(scope, info, where))
    direct: list[DirectCall] = []
    for key, task in tasks:
        if task.run is None:
            continue
        forwarding = body.forwarding_call(task.run)
        for call in body.calls(task.run.body):
            if isinstance(call.func, (cst.Name, cst.Attribute)):
                target = info.qualify_local(call.func)
                if target:
                    direct.append(DirectCall(key, target, where(call), call is forwarding))
    return sites, direct


def _scope_sites(
    scope: cst.CSTNode, info: ModuleInfo, where: Callable[[cst.CSTNode], Location]
) -> list[CallSite]:
    found: list[CallSite] = []
    models: set[str] | None = None
    atomic_function = isinstance(scope, cst.FunctionDef) and any(
        _is(info, d.decorator, "transaction.atomic") for d in scope.decorators
    )
    root = scope.body if isinstance(scope, cst.FunctionDef) else scope
    for node, ancestors in body.walk(root):
        if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
            continue
        method = node.func.attr.value
        if method not in ENQUEUE and method not in SIGNATURES:
            continue
        target = info.qualify_local(node.func.value)
        if target is None:
            continue
        in_loop = any(isinstance(a, _LOOPS) for a in ancestors)
        deferred = any(isinstance(a, cst.Call) and _is(info, a, "transaction.on_commit") for a in ancestors)
        in_atomic = atomic_function or any(
            isinstance(a, cst.With) and any(_is(info, item.item, "transaction.atomic") for item in a.items)
            for a in ancestors
        )
        if models is None:
            models = _model_bindings(root, info)
        objects = []
        for value in _argument_values(node, method):
            text = body.code(value, 200)
            if text in _OBJECT_ARGUMENTS or (isinstance(value, cst.Name) and value.value in models):
                objects.append((text, where(value)))
        found.append(
            CallSite(target, method, where(node), in_loop, in_atomic and not deferred, tuple(objects))
        )
    return found
