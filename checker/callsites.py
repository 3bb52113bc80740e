"""Where a file enqueues or calls tasks: the facts behind CT106, CT503, CT504 and CT506.

The worker records every ``x.delay(...)``-style call with the qualified name of ``x`` and its
context (in a loop, in a transaction, the objects passed); the main process keeps those whose
``x`` turns out to be one of the project's tasks.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterator
from typing import Union, cast

import libcst as cst

from checker import body
from checker.body import LOG_METHODS
from checker.facts import Location
from checker.module_info import ModuleInfo
from checker.tasks import TaskDef
from checker.values import dotted_name, string_value

ENQUEUE = frozenset({"delay", "apply_async", "delay_on_commit"})
SIGNATURES = frozenset({"s", "si", "signature", "subtask"})
# Calls that keep what they are given: an enqueue's AsyncResult collected in a loop (CT503).
_COLLECTORS = frozenset({"append", "add", "extend", "put"})
# Between a loop and an enqueue, these make the enqueue conditional: not reached every iteration.
# (libcst's classes: set on first use, libcst is imported lazily; see ``checker/__init__.py``)


@functools.cache
def _loops() -> tuple[type[cst.CSTNode], ...]:
    return (cst.For, cst.While, *_comprehensions())


@functools.cache
def _comprehensions() -> tuple[
    type[cst.ListComp], type[cst.SetComp], type[cst.DictComp], type[cst.GeneratorExp]
]:
    return (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


@functools.cache
def _conditional() -> tuple[type[cst.CSTNode], ...]:
    return (cst.If, cst.Else, cst.Match, cst.IfExp, cst.ExceptHandler, cst.BooleanOperation, cst.CompIf)


# A loop over pre-made batches: ``batched(ids, 100)``, ``chunks``, a ``batch_ids`` variable.
_BATCH_WORDS = re.compile(r"batch|chunk|grouper|partition|paginat|slice|page", re.I)
# Methods that write through Django's ORM.
ORM_WRITES = frozenset(
    {
        "save",
        "create",
        "update",
        "delete",
        "add",
        "get_or_create",
        "update_or_create",
        "set",
        "remove",
        "clear",
    }
)
# Calls known not to write to the database: queryset reads, logging, plain data handling,
# enqueueing. Any other call (a model method, a service function) may write: "unknown code".
_READ_ONLY_METHODS = frozenset(
    {
        # querysets and managers
        "all",
        "filter",
        "exclude",
        "get",
        "first",
        "last",
        "exists",
        "count",
        "values",
        "values_list",
        "select_related",
        "prefetch_related",
        "order_by",
        "only",
        "defer",
        "annotate",
        "aggregate",
        "select_for_update",
        "using",
        "in_bulk",
        "iterator",
        "distinct",
        "none",
        "earliest",
        "latest",
        "refresh_from_db",
        # plain data
        "append",
        "extend",
        "items",
        "keys",
        "pop",
        "format",
        "join",
        "split",
        "strip",
        "lower",
        "upper",
        "replace",
        "startswith",
        "endswith",
        "copy",
        "isoformat",
        "now",
        "today",
        "on_commit",
        *LOG_METHODS,
    }
)
_READ_ONLY_FUNCTIONS = frozenset(
    {
        "len",
        "str",
        "int",
        "float",
        "bool",
        "list",
        "dict",
        "set",
        "tuple",
        "frozenset",
        "sorted",
        "reversed",
        "isinstance",
        "issubclass",
        "getattr",
        "hasattr",
        "min",
        "max",
        "sum",
        "any",
        "all",
        "enumerate",
        "zip",
        "range",
        "map",
        "filter",
        "repr",
        "print",
        "iter",
        "next",
        "round",
        "abs",
        "type",
        "id",
        "super",
        "_",
        "gettext",
        "gettext_lazy",
        "get_object_or_404",
        "get_list_or_404",
        "signature",
        "group",
        "chain",
        "chord",
        "uuid4",
        "atomic",
    }
)
# ``atomic(using=...)`` naming a replica: reads only, nothing to commit.
_REPLICA = re.compile(r"replica|read", re.I)
_MODEL_GETTERS = frozenset({"get", "first", "last", "create", "get_or_create", "earliest", "latest"})
# Where an argument lands in the task's signature: its position, its keyword, or None (unknown).
Slot = Union[int, str, None]


_OBJECT_ARGUMENTS = frozenset({"request", "request.user", "self.request", "self.request.user"})


@dataclasses.dataclass(frozen=True)
class CallSite:
    target: str  # qualified name of the receiver, e.g. "shop.billing.tasks.charge"
    method: str  # delay, apply_async, delay_on_commit, s, si, signature
    where: Location
    # Fan-out: reached on every iteration of the innermost loop, with arguments derived from its
    # loop variable, and the loop is not over pre-made batches (CT503).
    fan_out: bool
    # Inside ``transaction.atomic`` (not on a replica alias), not deferred by ``on_commit``, and
    # the transaction writes through the ORM, or calls code that may, before the enqueue (CT504).
    in_transaction: bool
    objects: tuple[tuple[str, Location, Slot], ...]  # arguments that are clearly objects, and their slots
    # What the call passes: (positional count, keyword names); None when it cannot be told
    # (``*args``, ``**kwargs``, non-literal ``args=``, a partial signature).
    passes: tuple[int, tuple[str, ...]] | None = None
    # The AsyncResult of the send is used: anything but an expression statement (assigned,
    # returned, passed on, ``.id`` kept). For a signature applied at once
    # (``t.s(...).apply_async()``), the result of that send (CT501).
    result_used: bool = True
    # A signature that is not applied at once: part of a canvas (a chord, group, chain, link),
    # whose results may be waited on (CT501).
    canvas: bool = False
    # In a loop, the AsyncResults are collected: the comprehension's element, ``.append(...)``ed,
    # yielded, or bound to a name that is (CT503).
    collected: bool = False
    # Sent once per run of a command someone starts by hand (a Django management command, a
    # click/typer/Flask CLI command, a view or action only staff can reach: the Django admin, a
    # DRF view for ``IsAdminUser``), outside any loop: a rare send (CT501, CT505).
    once: bool = False
    # In an ``except`` handler: a task sending itself again there retries by hand (CT501).
    in_handler: bool = False
    # A signature given as an error callback (``sig.on_error(handler.s())``, ``link_error=``):
    # Celery calls a handler taking ``(request, exc, traceback)`` in the failing worker, sending
    # no message (CT201).
    errback: bool = False


@dataclasses.dataclass(frozen=True)
class DirectCall:
    caller: str  # key of the task whose body makes the call
    target: str  # qualified name of the called function
    where: Location
    forwards: bool = False  # the call is the caller's whole body (``return other(...)``)
    # The caller uses the value the call returns (assigned, returned, passed on): ``.delay()``
    # would hand it an AsyncResult instead (CT506).
    result_used: bool = False
    # An argument that is evidently an object or a class (``TaxLot``, ``Exporter(...)``), which a
    # JSON-like serializer cannot carry (CT506).
    opaque_argument: str | None = None
    # The call sits in the body of a ``try`` with ``except`` handlers: the caller handles its
    # failures (and may act on its success in ``else``), which ``.delay()`` would move away (CT506).
    handled: bool = False
    # The call is the caller's last statement, outside any loop or branch (CT506): the caller
    # hands its work on once, at its end, as ``.delay()`` would.
    tail: bool = False
    # The call is one branch of an ``if`` whose other branch enqueues the same function
    # (``if settings.RUN_ASYNC: child.delay(x) else: child(x)``): a chosen mode (CT506).
    switched: bool = False
    # After the call, the caller reads, tests or removes a file whose path went into the call's
    # arguments (``run_command(cmd)`` then ``open(out)``): it needs the call finished (CT506).
    file_after: bool = False
    # The call is an iteration's last action in a ``for``/``while`` loop (``for v in versions:
    # reindex(v)``): one inline run per item, where each could be a message of its own (CT506).
    iteration_tail: bool = False


def _tail_call(function: cst.FunctionDef) -> cst.Call | None:
    """The call that is the function's last action: its last statement (``other(...)`` alone
    on its line), also as the last statement of a final ``if`` without ``else`` (``if failed:
    notify(ids)``), and before a final ``return`` of nothing or of a name."""
    suite = function.body
    statements = list(suite.body) if isinstance(suite, cst.IndentedBlock) else [suite]
    if len(statements) > 1 and _plain_return(statements[-1]):
        statements.pop()
    last = statements[-1] if statements else None
    if isinstance(last, cst.If) and last.orelse is None and isinstance(last.body, cst.IndentedBlock):
        last = last.body.body[-1] if last.body.body else None
    if isinstance(last, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) and last.body:
        small = last.body[-1]
        if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            return small.value
    return None


def _plain_return(statement: cst.CSTNode) -> bool:
    """``return``, ``return None`` or ``return name`` alone on its line."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return False
    small = statement.body[0]
    return isinstance(small, cst.Return) and (small.value is None or isinstance(small.value, cst.Name))


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


def _argument_values(call: cst.Call, method: str) -> list[tuple[cst.BaseExpression, Slot]]:
    """The arguments the call gives the task, each with the slot it fills."""
    values: list[tuple[cst.BaseExpression, Slot]] = []
    if method != "apply_async":
        position: int | None = 0
        for arg in call.args:
            if arg.star:
                position = None
            elif arg.keyword is not None:
                values.append((arg.value, arg.keyword.value))
            else:
                values.append((arg.value, position))
                position = None if position is None else position + 1
        return values
    for index, arg in enumerate(call.args):
        container = arg.value
        if arg.keyword is not None and arg.keyword.value not in ("args", "kwargs"):
            continue
        as_args = arg.keyword.value == "args" if arg.keyword is not None else index == 0
        if isinstance(container, (cst.Tuple, cst.List)):
            starred = any(isinstance(e, cst.StarredElement) for e in container.elements)
            values.extend(
                (e.value, None if starred or not as_args else n) for n, e in enumerate(container.elements)
            )
        elif isinstance(container, cst.Dict):
            for element in container.elements:
                if isinstance(element, cst.DictElement):
                    key = string_value(element.key)
                    values.append((element.value, key if isinstance(key, str) and not as_args else None))
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
        seen: set[int] = set()
        by_hand = _staff_only(info)
        for scope in scopes:
            sites.extend(_scope_sites(scope, info, where, seen, by_hand))
        sites.extend(_unscoped_sites(info, where, seen))
    direct: list[DirectCall] = []
    for key, task in tasks:
        if task.run is None:
            continue
        forwarding = body.forwarding_call(task.run)
        tail = _tail_call(task.run)
        constructed: set[str] | None = None
        files: list[tuple[int, str]] | None = None
        bindings: tuple[dict[str, list[cst.BaseExpression]], set[int]] = ({}, set())
        for call, ancestors in body.walk(task.run.body):
            if not isinstance(call, cst.Call) or not isinstance(call.func, (cst.Name, cst.Attribute)):
                continue
            target = info.qualify_local(call.func)
            if not target:
                continue
            if constructed is None:
                constructed = _constructed_names(task.run.body)
            if files is None:
                files = _file_uses(task.run.body, where)
                bindings = _bindings(task.run.body)
            location = where(call)
            direct.append(
                DirectCall(
                    key,
                    target,
                    location,
                    call is forwarding,
                    bool(ancestors) and not isinstance(ancestors[-1], cst.Expr),
                    _opaque_argument(call, constructed),
                    _in_try_body(call, ancestors),
                    call is tail,
                    _switched(call, ancestors, target, info),
                    _file_after(call, location, files, bindings, task.run.body, where),
                    _iteration_tail(call, ancestors),
                )
            )
            if isinstance(call.func, cst.Attribute) and call.func.attr.value in ("apply", "run"):
                # ``for msg, step in steps: step.apply()``: each task the list holds runs inline
                for held in _looped_objects(call.func.value, ancestors, bindings[0], info):
                    direct.append(
                        DirectCall(key, f"{held}.{call.func.attr.value}", location, result_used=True)
                    )
    return sites, direct


def _looped_objects(
    receiver: cst.BaseExpression,
    ancestors: tuple[cst.CSTNode, ...],
    bound: dict[str, list[cst.BaseExpression]],
    info: ModuleInfo,
) -> list[str]:
    """The qualified names a loop variable takes from a literal list or tuple (of tuples too)
    the loop runs over, directly, through a name the scope binds once, or in ``enumerate(...)``."""
    if not isinstance(receiver, cst.Name):
        return []
    loop = next(
        (a for a in reversed(ancestors) if isinstance(a, cst.For) and receiver.value in _names(a.target)),
        None,
    )
    if loop is None:
        return []
    source = loop.iter
    if isinstance(source, cst.Call) and dotted_name(source.func) == "enumerate" and source.args:
        source = source.args[0].value
    if isinstance(source, cst.Name):
        values = bound.get(source.value, [])
        source = values[0] if len(values) == 1 else source
    if not isinstance(source, (cst.List, cst.Tuple)):
        return []
    found: list[str] = []
    for element in source.elements:
        value = element.value
        parts = [e.value for e in value.elements] if isinstance(value, cst.Tuple) else [value]
        for part in parts:
            if isinstance(part, (cst.Name, cst.Attribute)):
                name = info.qualify_local(part)
                if name:
                    found.append(name)
    return found


# Calls that read, test or remove the file their first argument names.
_FILE_OPERATIONS = frozenset(
    {
        "open",
        "io.open",
        "os.path.isfile",
        "os.path.exists",
        "os.path.getsize",
        "os.stat",
        "os.remove",
        "os.unlink",
        "shutil.move",
        "shutil.copy",
        "shutil.copyfile",
        "shutil.rmtree",
        "Path",
        "pathlib.Path",
    }
)


def _file_uses(scope: cst.CSTNode, where: Callable[[cst.CSTNode], Location]) -> list[tuple[int, str]]:
    """(line, path) of each file operation in ``scope`` on a name or attribute chain:
    ``open(out)``, ``os.path.isfile(self.output_path)``, ``os.remove(path)``."""
    found: list[tuple[int, str]] = []
    for call in body.calls(scope):
        if dotted_name(call.func) in _FILE_OPERATIONS and call.args:
            path = dotted_name(call.args[0].value)
            if path:
                found.append((where(call).line, path))
    return found


def _bindings(scope: cst.CSTNode) -> tuple[dict[str, list[cst.BaseExpression]], set[int]]:
    """What ``scope`` binds to each plain name (``cmd = ...``, ``cmd += ...``), and the ids of
    every assignment target in it."""
    bound: dict[str, list[cst.BaseExpression]] = {}
    targets: set[int] = set()
    for node in body.nodes(scope):
        if isinstance(node, (cst.Assign, cst.AugAssign)):
            assigned = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
            targets.update(id(n) for n in assigned)
            if len(assigned) == 1 and isinstance(assigned[0], cst.Name):
                bound.setdefault(assigned[0].value, []).append(node.value)
    return bound, targets


def _file_after(
    call: cst.Call,
    location: Location,
    files: list[tuple[int, str]],
    bindings: tuple[dict[str, list[cst.BaseExpression]], set[int]],
    scope: cst.CSTNode,
    where: Callable[[cst.CSTNode], Location],
) -> bool:
    """After the call, the caller works on what the call was given as text or as a path:

    - a file operation works on a path the call's arguments hold, directly or through a name
      the scope binds to text made of it (``cmd = f"tool -o {out}"``, ``run(cmd)``,
      ``open(out)``);
    - a later statement reads a name that the call's text (an f-string or a name bound to one:
      a command line) embeds, or a name bound to text embedding one of those
      (``run(f"sort -o {out} {raw}")``, then ``input_path = out``)."""
    bound, targets = bindings
    given: set[str] = set()
    text: set[str] = set()
    for arg in call.args:
        names = _names_in(arg.value)
        given |= names
        if _is_text(arg.value):
            text |= names
        for name in names:
            for value in bound.get(name, ()):
                given |= _names_in(value)
                if _is_text(value):
                    text |= _names_in(value)
    if any(line > location.end_line and path in given for line, path in files):
        return True
    if not text:
        return False
    related = set(text)
    for name, values in bound.items():
        if any(_is_text(value) and not _names_in(value).isdisjoint(text) for value in values):
            related.add(name)
    inside = {id(node) for node in body.descendants(call)}
    for node in body.nodes(scope):
        if (
            isinstance(node, (cst.Name, cst.Attribute))
            and id(node) not in targets
            and id(node) not in inside
            and dotted_name(node) in related
            and where(node).line > location.end_line
        ):
            return True  # (``self`` alone is never related: chains are kept whole)
    return False


def _is_text(node: cst.BaseExpression) -> bool:
    """An f-string, or text joined with ``+``/``%`` from one: a command line or a path."""
    if isinstance(node, (cst.FormattedString, cst.ConcatenatedString)):
        return True
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Modulo)):
        return _is_text(node.left) or _is_text(node.right) or isinstance(node.left, cst.SimpleString)
    return False


def _names_in(node: cst.BaseExpression) -> set[str]:
    """The names and whole attribute chains an expression holds (``f"{out}/a"`` holds ``out``,
    ``self.output_path`` holds ``self.output_path``, not ``self``)."""
    found: set[str] = set()
    stack: list[cst.CSTNode] = [node]
    while stack:
        inner = stack.pop()
        if isinstance(inner, (cst.Name, cst.Attribute)):
            name = dotted_name(inner)
            if name:
                found.add(name)
                continue
        stack.extend(body.children(inner))
    return found


def _switched(call: cst.Call, ancestors: tuple[cst.CSTNode, ...], target: str, info: ModuleInfo) -> bool:
    """An ``if`` holds the call in one branch and an enqueue of ``target`` in the other."""
    for depth in range(len(ancestors) - 1, -1, -1):
        node = ancestors[depth]
        if not isinstance(node, cst.If):
            continue
        inner = ancestors[depth + 1] if depth + 1 < len(ancestors) else call
        other = node.orelse if inner is node.body else node.body if inner is node.orelse else None
        if other is None:
            continue
        for sent in body.nodes(other):
            if (
                isinstance(sent, cst.Call)
                and isinstance(sent.func, cst.Attribute)
                and sent.func.attr.value in ENQUEUE
                and info.qualify_local(sent.func.value) == target
            ):
                return True
    return False


def _iteration_tail(call: cst.Call, ancestors: tuple[cst.CSTNode, ...]) -> bool:
    """``call`` stands alone as the last statement of the innermost ``for``/``while`` loop's
    body, also inside a final ``if``/``else`` or ``with`` there: nothing in the iteration comes
    after it."""
    chain = [*ancestors, call]
    start = next(
        (i for i in range(len(chain) - 1, -1, -1) if isinstance(chain[i], (cst.For, cst.While))), None
    )
    if start is None or len(chain) < start + 3:
        return False
    loop = chain[start]
    if not isinstance(loop, (cst.For, cst.While)) or chain[start + 1] is not loop.body:
        return False
    if not isinstance(chain[-2], cst.Expr):
        return False
    for node, child in zip(chain[start + 1 : -1], chain[start + 2 :]):
        if isinstance(node, (cst.IndentedBlock, cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            if not node.body or node.body[-1] is not child:
                return False
        elif not isinstance(node, (cst.If, cst.Else, cst.With, cst.Expr)):
            return False
    return True


def _in_try_body(call: cst.Call, ancestors: tuple[cst.CSTNode, ...]) -> bool:
    """``call`` is in the body of a ``try`` that has ``except`` handlers."""
    chain = [*ancestors, call]
    return any(
        isinstance(node, cst.Try) and node.handlers and chain[i + 1] is node.body
        for i, node in enumerate(chain[:-1])
    )


def _capitalised(name: str) -> bool:
    """A CapWords name (a class), not an ALL_CAPS constant."""
    return name[:1].isupper() and any(c.islower() for c in name)


def _constructed_names(scope: cst.CSTNode) -> set[str]:
    """Names bound in ``scope`` to an instance built by a class: ``x = Exporter(...)``."""
    found: set[str] = set()
    for node in body.nodes(scope):
        if isinstance(node, cst.Assign) and isinstance(node.value, cst.Call):
            callee = body.last_name(node.value.func)
            if callee is not None and _capitalised(callee):
                for target in node.targets:
                    if isinstance(target.target, cst.Name):
                        found.add(target.target.value)
    return found


def _opaque_argument(call: cst.Call, constructed: set[str]) -> str | None:
    """An argument that is a class (``TaxLot``), an object built in place (``Exporter()``) or a
    name bound to one: nothing a JSON-like serializer carries."""
    for arg in call.args:
        if arg.star:
            continue
        value = arg.value
        name = body.last_name(value.func) if isinstance(value, cst.Call) else body.last_name(value)
        if name in ("True", "False", "None"):
            continue  # constants, not classes
        if name is not None and (_capitalised(name) or (isinstance(value, cst.Name) and name in constructed)):
            return body.code(value, 60)
    return None


def handed_objects(info: ModuleInfo) -> frozenset[str]:
    """Qualified names of the module's and imported objects that calls receive as arguments
    (``dispatch(send_receipt, pk)``, ``on_commit(send_receipt.delay)``, as ``send_receipt``),
    that a function binds to a name (``task = tasks.change_webhook``, then ``task.delay()``), or
    that become a canvas (``send_receipt.chunks(pairs, 10)``, ``.map``, ``.starmap``): the code
    may send a task so handed on (CT301)."""
    heads = set(info.imports) | info.local_names()
    found: set[str] = set()
    values: list[cst.BaseExpression] = list(info.bound_references)
    for call in info.calls:
        if isinstance(call.func, cst.Attribute):
            method = call.func.attr.value
            if method in _CANVASES:
                values.append(call.func.value)
            if method in ENQUEUE | SIGNATURES:
                continue
        values.extend(arg.value for arg in call.args)
    for value in values:
        if isinstance(value, (cst.Name, cst.Attribute)):
            qualified = info.qualify_local(value)
            if qualified is None or (dotted_name(value) or "").partition(".")[0] not in heads:
                continue
            owner, _, method = qualified.rpartition(".")
            found.add(owner if method in ENQUEUE | SIGNATURES and owner else qualified)
    return frozenset(found)


# Task methods that build a canvas of the task over many argument tuples.
_CANVASES = frozenset({"map", "starmap", "chunks"})


def _unscoped_sites(
    info: ModuleInfo, where: Callable[[cst.CSTNode], Location], seen: set[int]
) -> Iterator[CallSite]:
    """The sends no function or module scope holds: in a lambda
    (``transaction.on_commit(lambda: send.delay(pk))``) or a class body. They count as sends;
    their context (loop, transaction, arguments) is not judged. The result of a send that a
    lambda given to ``on_commit`` returns is dropped."""
    deferred = {
        id(call.args[0].value.body)
        for call in info.calls
        if call.args and isinstance(call.args[0].value, cst.Lambda) and _is(info, call, "on_commit")
    }
    for node in info.calls:
        if id(node) in seen or not isinstance(node.func, cst.Attribute):
            continue
        method = node.func.attr.value
        if method not in ENQUEUE and method not in SIGNATURES:
            continue
        target = info.qualify_local(node.func.value)
        if target is not None:
            yield CallSite(
                target, method, where(node), False, False, (), _passes(node, method), id(node) not in deferred
            )


def _scope_sites(
    scope: cst.CSTNode,
    info: ModuleInfo,
    where: Callable[[cst.CSTNode], Location],
    seen: set[int],
    by_hand: frozenset[int] = frozenset(),
) -> list[CallSite]:
    found: list[CallSite] = []
    models: set[str] | None = None
    atomic_function = isinstance(scope, cst.FunctionDef) and any(
        _is(info, d.decorator, "transaction.atomic") and not _replica(d.decorator) for d in scope.decorators
    )
    root = scope.body if isinstance(scope, cst.FunctionDef) else scope
    command = isinstance(scope, cst.FunctionDef) and (id(scope) in by_hand or _command(scope, info))
    earlier: list[tuple[cst.Call, tuple[cst.CSTNode, ...]]] = []  # calls seen so far, in order
    for node, ancestors in body.walk(root):
        if not isinstance(node, cst.Call):
            continue
        seen.add(id(node))
        earlier.append((node, ancestors))
        if not isinstance(node.func, cst.Attribute):
            continue
        method = node.func.attr.value
        if method not in ENQUEUE and method not in SIGNATURES:
            continue
        target = info.qualify_local(node.func.value)
        if target is None:
            continue
        deferred = any(isinstance(a, cst.Call) and _is(info, a, "transaction.on_commit") for a in ancestors)
        # a task re-enqueuing itself for later (``countdown``/``eta``): the next batch of a
        # backfill, which reads its own slice, not the rows this transaction writes
        deferred = deferred or (
            isinstance(scope, cst.FunctionDef)
            and target == (f"{info.name}.{scope.name.value}" if info.name else scope.name.value)
            and any(a.keyword is not None and a.keyword.value in ("countdown", "eta") for a in node.args)
        )
        region = _atomic_region(ancestors, info, root if atomic_function else None)
        in_transaction = (
            region is not None
            and not deferred
            and _writes_before(node, ancestors, region, root, earlier[:-1], info)
        )
        if models is None:
            models = _model_bindings(root, info)
        objects = []
        for value, slot in _argument_values(node, method):
            text = body.code(value, 200)
            if text in _OBJECT_ARGUMENTS or (isinstance(value, cst.Name) and value.value in models):
                objects.append((text, where(value), slot))
        used, canvas = _result_use(node, method, ancestors)
        found.append(
            CallSite(
                target,
                method,
                where(node),
                _fan_out(node, method, ancestors),
                in_transaction,
                tuple(objects),
                _passes(node, method),
                used,
                canvas,
                _collected(node, ancestors),
                command and not any(isinstance(a, _loops()) for a in ancestors),
                any(isinstance(a, cst.ExceptHandler) for a in ancestors),
                method in SIGNATURES and _error_callback(node, ancestors),
            )
        )
    return found


def _error_callback(call: cst.Call, ancestors: tuple[cst.CSTNode, ...]) -> bool:
    """``call`` (a signature) is the argument of ``.on_error(...)`` or the value of
    ``link_error=``, as it is or in a list or tuple."""
    chain = [*ancestors, call]
    for position in range(len(chain) - 2, -1, -1):
        node = chain[position]
        if isinstance(node, (cst.List, cst.Tuple, cst.Element, cst.Arg)):
            if isinstance(node, cst.Arg) and node.keyword is not None:
                return node.keyword.value == "link_error"
            continue
        return (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "on_error"
            and node.func is not chain[position + 1]
        )
    return False


def _staff_only(info: ModuleInfo) -> frozenset[int]:
    """The functions only staff can run, by hand (as a command): the methods of a Django admin
    class (``ModelAdmin``, an ``AdminSite``: its actions and views) or of a DRF view whose
    ``permission_classes`` hold ``IsAdminUser``, and functions under ``@staff_member_required``,
    ``@admin.action``, ``@user_passes_test(lambda u: u.is_superuser)`` or DRF's
    ``@permission_classes([IsAdminUser])``."""
    found: set[int] = set()
    for record in info.functions:
        owner = next((s for s in reversed(record.scopes) if isinstance(s, cst.ClassDef)), None)
        if (owner is not None and _admin_class(owner, info)) or any(
            _staff_decorator(d.decorator, info) for d in record.node.decorators
        ):
            found.add(id(record.node))
    return frozenset(found)


def _admin_class(node: cst.ClassDef, info: ModuleInfo) -> bool:
    for base in node.bases:
        name = info.qualify(base.value) or ""
        if name.rpartition(".")[2] in ("ModelAdmin", "AdminSite", "StackedInline", "TabularInline"):
            return True
    for statement in node.body.body if isinstance(node.body, cst.IndentedBlock) else ():
        if not isinstance(statement, cst.SimpleStatementLine):
            continue
        for small in statement.body:
            if (
                isinstance(small, cst.Assign)
                and any(
                    isinstance(t.target, cst.Name) and t.target.value == "permission_classes"
                    for t in small.targets
                )
                and _names_admin_permission(small.value)
            ):
                return True
    return False


def _names_admin_permission(value: cst.CSTNode) -> bool:
    """``IsAdminUser`` (DRF) among the names of ``value``, and no permission a non-staff user may
    hold beside it (``IsAdminUser | IsOwner``)."""
    return "IsAdminUser" in _names(value) and not any(
        isinstance(n, cst.BinaryOperation) for n in body.nodes(value)
    )


def _staff_decorator(node: cst.BaseExpression, info: ModuleInfo) -> bool:
    called = node.func if isinstance(node, cst.Call) else node
    name = (info.qualify(called) or "").rpartition(".")[2]
    if name in ("staff_member_required", "superuser_required"):
        return True
    if name == "action" and (info.qualify(called) or "").endswith("admin.action"):
        return True
    if isinstance(node, cst.Call) and name == "permission_classes" and node.args:
        return _names_admin_permission(node.args[0].value)
    if isinstance(node, cst.Call) and name == "user_passes_test" and node.args:
        return any(
            isinstance(n, cst.Attribute) and n.attr.value in ("is_superuser", "is_staff")
            for n in body.descendants(node.args[0].value)
        )
    return False


def _command(function: cst.FunctionDef, info: ModuleInfo) -> bool:
    """A function of a Django management command module (``handle`` and its helpers), or one
    decorated as a CLI command (``@click.command()``, ``@cli.command()``, ``@app.cli.command``,
    ``@manager.command``)."""
    if ".management.commands." in f".{info.name}.":
        return True
    for decorator in function.decorators:
        node = decorator.decorator
        if isinstance(node, cst.Call):
            node = node.func
        if isinstance(node, cst.Attribute) and node.attr.value == "command":
            return True
        if (
            isinstance(node, cst.Name)
            and node.value == "command"
            and info.imports.get("command", "").startswith(("click.", "typer."))
        ):
            return True
    return False


# Results (CT501, CT503) ---------------------------------------------------------------------
def _result_use(call: cst.Call, method: str, ancestors: tuple[cst.CSTNode, ...]) -> tuple[bool, bool]:
    """Whether the send's AsyncResult is used, and whether the call is a signature in a canvas."""
    if method in SIGNATURES:
        applied = (
            len(ancestors) >= 2
            and isinstance(ancestors[-1], cst.Attribute)
            and ancestors[-1].value is call
            and ancestors[-1].attr.value in ENQUEUE
            and isinstance(ancestors[-2], cst.Call)
            and ancestors[-2].func is ancestors[-1]
        )
        if not applied:
            return True, True
        call = cast(cst.Call, ancestors[-2])
        ancestors = ancestors[:-2]
    if any(a.keyword is not None and a.keyword.value == "task_id" for a in call.args):
        return True, False  # the caller chose the id, to look the result up by it later
    return not (ancestors and isinstance(ancestors[-1], cst.Expr)), False


def _collected(call: cst.Call, ancestors: tuple[cst.CSTNode, ...]) -> bool:
    """In a loop or comprehension, the enqueue's AsyncResult is kept with the others: the
    element of a comprehension that is itself used, an argument of ``.append``/``.add``,
    yielded, stored under a key, or bound to a name that is appended or yielded in the loop."""
    position = next(
        (i for i in range(len(ancestors) - 1, -1, -1) if isinstance(ancestors[i], _loops())), None
    )
    if position is None or not ancestors:
        return False
    loop = ancestors[position]
    parent = ancestors[-1]
    if isinstance(loop, _comprehensions()):
        element = loop.value if isinstance(loop, cst.DictComp) else loop.elt
        outer = ancestors[position - 1] if position else None
        if element is not call or isinstance(outer, cst.Expr):
            return False
        if isinstance(outer, cst.Assign) and outer.value is loop:
            return _read_later(outer, ancestors[: position - 1])
        return True
    if isinstance(parent, cst.Yield) and parent.value is call:
        return True
    if _collector_argument(ancestors):
        return True
    if not isinstance(parent, cst.Assign) or parent.value is not call:
        return False
    names: set[str] = set()
    for target in parent.targets:
        if isinstance(target.target, cst.Subscript):
            return True  # ``results[key] = t.delay(...)``
        if isinstance(target.target, cst.Name):
            names.add(target.target.value)
    for node, node_ancestors in body.walk(loop):
        if isinstance(node, cst.Name) and node.value in names:
            if node_ancestors and isinstance(node_ancestors[-1], cst.Yield):
                return True
            if _collector_argument(node_ancestors):
                return True
    return False


def _read_later(assign: cst.Assign, ancestors: tuple[cst.CSTNode, ...]) -> bool:
    """A name ``assign`` binds is read somewhere in the enclosing function (``_ = [...]`` and a
    list never looked at again only send, like a bare call)."""
    names = {t.target.value for t in assign.targets if isinstance(t.target, cst.Name)}
    if len(names) != len(assign.targets):
        return True  # ``obj.results = [...]``, ``results[k] = [...]``: kept
    names.discard("_")
    if not names:
        return False
    if not ancestors:
        return True
    # the enclosing function, or where the walk started (the function's body)
    scope: cst.CSTNode = next(
        (a for a in reversed(ancestors) if isinstance(a, (cst.FunctionDef, cst.Module))), ancestors[0]
    )
    for node, node_ancestors in body.walk(scope):
        if isinstance(node, cst.Name) and node.value in names:
            parent = node_ancestors[-1] if node_ancestors else None
            if not (isinstance(parent, cst.AssignTarget) and parent.target is node):
                return True
    return False


def _collector_argument(ancestors: tuple[cst.CSTNode, ...]) -> bool:
    """The node under ``ancestors`` is an argument of ``x.append(...)``-like call."""
    return (
        len(ancestors) >= 2
        and isinstance(ancestors[-1], cst.Arg)
        and isinstance(ancestors[-2], cst.Call)
        and isinstance(ancestors[-2].func, cst.Attribute)
        and ancestors[-2].func.attr.value in _COLLECTORS
    )


# Transactions (CT504) ---------------------------------------------------------------------
def _replica(expression: cst.BaseExpression) -> bool:
    """``atomic(using=...)`` whose alias names a replica or read-only database."""
    if not isinstance(expression, cst.Call):
        return False
    using = body.keyword(expression, "using")
    if using is None:
        positional = [a for a in expression.args if a.keyword is None and not a.star]
        using = positional[0] if positional else None
    return using is not None and bool(_REPLICA.search(body.code(using.value, 200)))


def _atomic_region(
    ancestors: tuple[cst.CSTNode, ...], info: ModuleInfo, function_body: cst.CSTNode | None
) -> cst.CSTNode | None:
    """The outermost atomic block holding the call (the function body for ``@atomic``)."""
    if function_body is not None:
        return function_body
    for ancestor in ancestors:
        if isinstance(ancestor, cst.With) and any(
            _is(info, item.item, "transaction.atomic") and not _replica(item.item) for item in ancestor.items
        ):
            return ancestor
    return None


def _writes_before(
    call: cst.Call,
    ancestors: tuple[cst.CSTNode, ...],
    region: cst.CSTNode,
    root: cst.CSTNode,
    earlier: list[tuple[cst.Call, tuple[cst.CSTNode, ...]]],
    info: ModuleInfo,
) -> bool:
    """The transaction writes through the ORM, or calls code that may write, before ``call``."""
    holding = {id(a) for a in ancestors}
    header = {id(item) for item in region.items} if isinstance(region, cst.With) else set()
    for other, other_ancestors in earlier:
        if id(other) in holding or _is(info, other, "transaction.atomic"):
            continue
        if region is not root and all(a is not region for a in other_ancestors):
            continue
        if any(id(a) in header for a in other_ancestors):
            continue  # ``atomic(using=...)`` itself
        if may_write(other) and not _builds_a_read(other_ancestors):
            return True
    return False


def _builds_a_read(ancestors: tuple[cst.CSTNode, ...]) -> bool:
    """The call builds an argument of a read-only call: ``decode_id(pk)`` in
    ``get_object_or_404(Plan, id=decode_id(pk))`` or ``Plan.objects.get(id=from_global_id(pk))``."""
    return any(
        isinstance(outer, cst.Call) and isinstance(below, cst.Arg) and not may_write(outer)
        for outer, below in zip(ancestors, ancestors[1:])
    )


def may_write(call: cst.Call) -> bool:
    """The call writes through the ORM, or is code we cannot tell is read-only.

    Read-only: queryset reads, logging, plain data methods, builtins, enqueueing and building
    signatures, constructors (a capitalised callee: ``Decimal(...)``, ``Order(...)`` unsaved),
    and functions named as readers or checks (``get_*``, ``check_*``, ``has_*``, ``is_*``,
    ``can_*``, ``raise_if_*``). Everything else (a model method, a service function) may write.
    """
    func = call.func
    if isinstance(func, cst.Attribute):
        name = func.attr.value
        if name in ORM_WRITES or name.startswith("bulk_"):
            return True
        return not (
            name in _READ_ONLY_METHODS
            or name in ENQUEUE
            or name in SIGNATURES
            or name[:1].isupper()
            or name.startswith(_READER_PREFIXES)
        )
    if isinstance(func, cst.Name):
        return not (
            func.value in _READ_ONLY_FUNCTIONS
            or func.value[:1].isupper()
            or func.value.startswith(_READER_PREFIXES)
        )
    return True


# Project functions named as readers and checks (``get_field``, ``check_permissions``,
# ``raise_if_user_lacks_feature``): by convention they do not write (``get_or_create`` is a
# write, and is checked first).
_READER_PREFIXES = ("get_", "check_", "has_", "is_", "can_", "raise_if_")


# Loops (CT503) ----------------------------------------------------------------------------
def _fan_out(call: cst.Call, method: str, ancestors: tuple[cst.CSTNode, ...]) -> bool:
    """Reached on every iteration of the innermost loop, with arguments derived from its loop
    variable, and not a loop over pre-made batches."""
    position = next(
        (i for i in range(len(ancestors) - 1, -1, -1) if isinstance(ancestors[i], _loops())), None
    )
    if position is None:
        return False
    loop = ancestors[position]
    between = ancestors[position + 1 :]
    targets: set[str] = set()
    iterables: list[cst.BaseExpression] = []
    region: cst.CSTNode
    if isinstance(loop, (cst.For, cst.While)):
        if not between or between[0] is not loop.body:
            return False  # in the iterable, the test or the ``else``
        if isinstance(loop, cst.For):
            targets = _names(loop.target)
            iterables = [loop.iter]
        else:  # no loop variable: what each iteration binds plays its part
            targets = set().union(*(names for names, _ in _assignments(loop.body)))
        region = loop.body
    else:
        assert isinstance(loop, _comprehensions())
        if between and isinstance(between[0], cst.CompFor):
            return False
        comp: cst.CompFor | None = loop.for_in
        while comp is not None:
            if comp.ifs:
                return False  # a filtered comprehension: not every iteration
            targets |= _names(comp.target)
            iterables.append(comp.iter)
            comp = comp.inner_for_in
        region = loop
    if any(isinstance(a, _conditional()) for a in between) or _exits_before(call, between):
        return False
    if any(_BATCH_WORDS.search(t) for t in targets) or any(_batch_iterable(i) for i in iterables):
        return False
    derived, sliced = _derived(region, targets)
    values = [value for value, _ in _argument_values(call, method)] + [
        a.value
        for a in call.args
        if method in ("apply_async", "signature", "subtask")
        and (a.keyword is None or a.keyword.value in ("args", "kwargs"))
        and not isinstance(a.value, (cst.Tuple, cst.List, cst.Dict))
    ]
    used: set[str] = set()
    for value in values:
        if any(isinstance(n, cst.Slice) for n in body.nodes(value)):
            return False  # ``ids[i : i + n]``: a batch
        used |= _names(value)
    return bool(used & derived) and not used & sliced


def _exits_before(call: cst.Call, between: tuple[cst.CSTNode, ...]) -> bool:
    """A statement before the enqueue in the loop body may leave the iteration
    (``if ...: continue``, ``break``, ``return``, ``raise``): not every iteration sends."""
    chain = [*between, call]
    for block, child in zip(chain, chain[1:]):
        if not isinstance(block, cst.IndentedBlock):
            continue
        for statement in block.body:
            if statement is child:
                break
            if any(
                isinstance(n, (cst.Continue, cst.Break, cst.Return, cst.Raise)) for n in body.nodes(statement)
            ):
                return True
    return False


def _names(node: cst.CSTNode) -> set[str]:
    found = {n.value for n in body.nodes(node) if isinstance(n, cst.Name)}
    if isinstance(node, cst.Name):
        found.add(node.value)
    return found


def _batch_iterable(node: cst.BaseExpression) -> bool:
    """``range(0, n, step)``, ``batched(...)``/``chunks(...)``, or a name saying batch/chunk."""
    while isinstance(node, cst.Subscript):
        node = node.value
    if isinstance(node, cst.Call):
        if isinstance(node.func, cst.Name) and node.func.value == "range" and len(node.args) >= 3:
            return True
        callee = body.code(node.func, 200)
        if _BATCH_WORDS.search(callee):
            return True
        return any(_batch_iterable(a.value) for a in node.args if a.keyword is None)
    if isinstance(node, (cst.Name, cst.Attribute)):
        return bool(_BATCH_WORDS.search(body.code(node, 200)))
    return False


def _assignments(region: cst.CSTNode) -> Iterator[tuple[set[str], cst.CSTNode]]:
    for node in body.nodes(region):
        if isinstance(node, cst.Assign):
            yield set().union(*(_names(t.target) for t in node.targets)), node.value
        elif isinstance(node, (cst.AnnAssign, cst.AugAssign, cst.NamedExpr)) and node.value is not None:
            yield _names(node.target), node.value
        elif isinstance(node, cst.For):
            yield _names(node.target), node.iter


def _derived(region: cst.CSTNode, targets: set[str]) -> tuple[set[str], set[str]]:
    """Names bound in the loop from the loop variable (transitively), and those among them bound
    to a slice (a batch)."""
    derived = set(targets)
    sliced: set[str] = set()
    assignments = list(_assignments(region))
    changed = True
    while changed:
        changed = False
        for names, value in assignments:
            if names - derived and _names(value) & derived:
                derived |= names
                changed = True
    for names, value in assignments:
        if any(isinstance(n, cst.Slice) for n in body.nodes(value)) and _names(value) & derived:
            sliced |= names
    return derived, sliced


# Arguments (CT105) ------------------------------------------------------------------------
def _passes(call: cst.Call, method: str) -> tuple[int, tuple[str, ...]] | None:
    """How many positional arguments and which keywords the call gives the task."""
    if method == "s":
        return None  # a partial signature: a chain or a later call may add arguments
    if method not in ("apply_async", "signature", "subtask"):
        if any(a.star for a in call.args):
            return None
        keywords = tuple(a.keyword.value for a in call.args if a.keyword is not None)
        return sum(1 for a in call.args if a.keyword is None), keywords
    positional = [a.value for a in call.args if a.keyword is None and not a.star]
    if any(a.star for a in call.args):
        return None
    args = body.keyword(call, "args")
    kwargs = body.keyword(call, "kwargs")
    args_value = args.value if args is not None else (positional[0] if positional else None)
    kwargs_value = kwargs.value if kwargs is not None else (positional[1] if len(positional) > 1 else None)
    count = 0
    if args_value is not None and not (isinstance(args_value, cst.Name) and args_value.value == "None"):
        if not isinstance(args_value, (cst.Tuple, cst.List)) or any(
            isinstance(e, cst.StarredElement) for e in args_value.elements
        ):
            return None
        count = len(args_value.elements)
    names: list[str] = []
    if kwargs_value is not None and not (isinstance(kwargs_value, cst.Name) and kwargs_value.value == "None"):
        if not isinstance(kwargs_value, cst.Dict):
            return None
        for element in kwargs_value.elements:
            key = string_value(element.key) if isinstance(element, cst.DictElement) else None
            if key is None:
                return None
            names.append(key)
    return count, tuple(names)
