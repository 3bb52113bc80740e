"""Walking a task's body: its statements and expressions, never nested functions or classes."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Sequence
from typing import cast

import libcst as cst

from checker.values import dotted_name


@functools.cache
def _nested_types() -> frozenset[type]:
    """The classes of nested scopes (the parser builds exactly these classes, see ``is_node``).
    Built on first use, as every module-level value made of libcst's classes: libcst is imported
    lazily (see ``checker/__init__.py``), so that a run that parses nothing never loads it."""
    return frozenset((cst.FunctionDef, cst.ClassDef, cst.Lambda))


LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "fatal", "log"}
)
# Calls that report an error somewhere a person will see it.
REPORTING_CALLS = frozenset({"capture_exception", "capture_message", "captureException"})
BROAD_EXCEPTIONS = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})


# Fields that only hold whitespace, commas and parentheses: never worth visiting.
_SKIPPED_FIELDS = frozenset(
    {
        "leading_lines",
        "lines_after_decorators",
        "lpar",
        "rpar",
        "comma",
        "semicolon",
        "header",
        "footer",
        "newline",
        "trailing_whitespace",
        "whitespace_before",
        "whitespace_after",
    }
)
_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def _fields(cls: type[cst.CSTNode]) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(
            f.name
            for f in dataclasses.fields(cls)
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
        )
        _FIELDS[cls] = names
    return names


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The syntax children of a node, in field order, without whitespace and punctuation.

    Much faster than ``CSTNode.children``, which runs a visitor and rebuilds the node.
    """
    result: list[cst.CSTNode] = []
    for name in _fields(type(node)):
        value = getattr(node, name)
        kind = type(value)
        if kind is tuple or kind is list:
            result.extend(item for item in value if is_node(item))
        elif _IS_NODE.get(kind) or (kind not in _IS_NODE and is_node(value)):
            result.append(value)
    return result


# ``isinstance(x, cst.CSTNode)`` goes through ``ABCMeta.__instancecheck__`` (libcst's nodes are
# abstract base classes): by type, once, is several times faster on the hot paths.
_IS_NODE: dict[type, bool] = {}


def is_node(value: object) -> bool:
    """``value`` is a libcst node."""
    kind = type(value)
    known = _IS_NODE.get(kind)
    if known is None:
        known = _IS_NODE[kind] = isinstance(value, cst.CSTNode)
    return known


def walk(root: cst.CSTNode) -> Iterator[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]]:
    """Every node under ``root`` with its ancestors (outermost first), skipping nested scopes.

    ``root`` itself is not yielded. Lambdas count as nested scopes too.
    """
    nested = _nested_types()
    stack: list[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]] = [(root, ())]
    while stack:
        node, ancestors = stack.pop()
        if node is not root:
            yield node, ancestors
            if type(node) in nested:
                continue
        below = (*ancestors, node)
        stack.extend((child, below) for child in reversed(children(node)))


def descendants(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """``root`` and every node under it, nested scopes included."""
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(children(node))


# Many rules walk the same task body: the node list is kept for the file being analysed.
_NODES: dict[int, tuple[cst.CSTNode, list[cst.CSTNode]]] = {}


def forget() -> None:
    """Drop the remembered node lists (called before each file)."""
    _NODES.clear()


def nodes(root: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under ``root``, outside nested scopes (see :func:`walk`)."""
    known = _NODES.get(id(root))
    if known is not None and known[0] is root:
        return iter(known[1])
    nested = _nested_types()
    found: list[cst.CSTNode] = []
    stack = children(root)
    stack.reverse()
    while stack:
        node = stack.pop()
        found.append(node)
        if type(node) not in nested:
            below = children(node)
            below.reverse()
            stack.extend(below)
    _NODES[id(root)] = (root, found)
    return iter(found)


def calls(root: cst.CSTNode) -> Iterator[cst.Call]:
    for node in nodes(root):
        if type(node) is cst.Call:
            yield node


def method_call(call: cst.Call, receiver: str, method: str) -> bool:
    """``call`` is ``<receiver>.<method>(...)``."""
    func = call.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value == method
        and isinstance(func.value, cst.Name)
        and func.value.value == receiver
    )


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def handler_types(handler: cst.ExceptHandler) -> list[str] | None:
    """Dotted names an ``except`` clause catches; None for a bare ``except:``."""
    if handler.type is None:
        return None
    elements: list[cst.BaseExpression]
    if isinstance(handler.type, cst.Tuple):
        elements = [e.value for e in handler.type.elements]
    else:
        elements = [handler.type]
    return [d for e in elements if (d := dotted_name(e)) is not None]


def catches_broadly(handler: cst.ExceptHandler, also: frozenset[str] = frozenset()) -> bool:
    """The handler catches everything, ``Exception`` or ``BaseException`` (or one of ``also``)."""
    types = handler_types(handler)
    if types is None:
        return True
    return any(t in BROAD_EXCEPTIONS or t in also or t.rpartition(".")[2] in also for t in types)


def reraises(block: cst.CSTNode) -> bool:
    """The block contains a ``raise`` statement (outside nested scopes)."""
    return any(isinstance(n, cst.Raise) for n in nodes(block))


def is_logging_call(call: cst.Call) -> bool:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value in LOG_METHODS or func.attr.value in REPORTING_CALLS
    return isinstance(func, cst.Name) and func.value in REPORTING_CALLS


# What an argument of a logging call may call: formatting, nothing that does work.
_FORMATTING = frozenset({"format", "str", "repr"})


def _simple_statements(function: cst.FunctionDef) -> list[cst.BaseSmallStatement] | None:
    """The statements of a function made only of simple statements, without its docstring; None
    when it holds a compound statement (``if``, ``for``, ``with`` ...). What follows a ``return``
    of the body's own level never runs and is left out (a task switched off by a first
    ``return``, its code kept below)."""
    suite = function.body
    small: list[cst.BaseSmallStatement] = []
    if isinstance(suite, cst.SimpleStatementSuite):
        small.extend(suite.body)
    else:
        for statement in suite.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                return None
            small.extend(statement.body)
            if any(isinstance(s, cst.Return) for s in statement.body):
                break
    returned = next((i for i, s in enumerate(small) if isinstance(s, cst.Return)), None)
    if returned is not None:
        small = small[: returned + 1]
    if small and isinstance(small[0], cst.Expr) and isinstance(small[0].value, cst.BaseString):
        small = small[1:]
    return small


def does_nothing(function: cst.FunctionDef) -> bool:
    """The body is only ``pass``, ``...``, a docstring or a bare ``return`` (what follows it
    never runs): a stub (kept for the messages still queued under its name, or whose code was
    removed or switched off)."""
    small = _simple_statements(function)
    if small is None:
        return False
    return all(
        isinstance(s, cst.Pass)
        or (isinstance(s, cst.Expr) and isinstance(s.value, cst.Ellipsis))
        or (
            isinstance(s, cst.Return)
            and (s.value is None or (isinstance(s.value, cst.Name) and s.value.value == "None"))
        )
        for s in small
    )


def cannot_hang(function: cst.FunctionDef, bound: bool) -> bool:
    """Nothing in the body can hang: it only reports (``debug_task``; ``bound``: its first
    parameter is the task), only raises (a crash test) or only computes (``add(x, y)``)."""
    return only_reports(function, request=bound) or only_fails(function) or only_computes(function)


# Methods that hand a task to the broker.
_SENDS = frozenset({"delay", "apply_async"})


def only_enqueues(function: cst.FunctionDef) -> bool:
    """The body (besides a docstring and log lines) only sends other tasks, with arguments made
    of names, attributes, subscripts, literals and operators on them
    (``purge.apply_async(queue=QueueNames.REPORTING)``, ``check.si(event, event["id"]).delay()``),
    also after assignments and under ``if`` tests of the same kind, and returns such a value: a
    dispatcher beat runs, which hands its work to the broker and cannot hang itself."""
    sends = _sends_only(_suite_lines(function.body))
    return sends is not None and sends > 0


def _sends_only(lines: Sequence[cst.CSTNode]) -> int | None:
    """How many sends ``lines`` make, or None when they do anything else that may wait."""
    sends = 0
    for line in lines:
        if isinstance(line, cst.If):
            if not _call_free(line.test):
                return None
            branches = [_suite_lines(line.body)]
            if isinstance(line.orelse, cst.If):
                branches.append([line.orelse])
            elif isinstance(line.orelse, cst.Else):
                branches.append(_suite_lines(line.orelse.body))
            for branch in branches:
                found = _sends_only(branch)
                if found is None:
                    return None
                sends += found
        elif isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for statement in line.body:
                kind = _dispatch_statement(statement)
                if kind is None:
                    return None
                sends += kind
        else:
            return None
    return sends


def _suite_lines(suite: cst.BaseSuite) -> list[cst.CSTNode]:
    return list(suite.body) if isinstance(suite, cst.IndentedBlock) else [suite]


def _dispatch_statement(statement: cst.BaseSmallStatement) -> int | None:
    """1 for a send of another task, 0 for a statement that cannot wait (``pass``, a docstring,
    a log line, an assignment or ``return`` of a call-free value), None otherwise."""
    if isinstance(statement, cst.Pass):
        return 0
    if isinstance(statement, cst.Assign):
        return 0 if _call_free(statement.value) else None
    if isinstance(statement, cst.Return):
        return 0 if statement.value is None or _call_free(statement.value) else None
    value = statement.value if isinstance(statement, cst.Expr) else None
    if isinstance(value, cst.BaseString):
        return 0  # the docstring
    if not isinstance(value, cst.Call):
        return None
    if is_logging_call(value):
        return 0
    if not (isinstance(value.func, cst.Attribute) and value.func.attr.value in _SENDS):
        return None
    receiver = value.func.value
    # ``task.si(...).set(queue="q").delay()``: a signature made and sent
    while isinstance(receiver, cst.Call):
        if not (isinstance(receiver.func, cst.Attribute) and receiver.func.attr.value in _SIGNING):
            return None
        if not all(_call_free(a.value) for a in receiver.args):
            return None
        receiver = receiver.func.value
    if not all(_call_free(a.value) for a in value.args):
        return None  # (an argument computed by a call may itself wait)
    return 1


# What makes or adjusts a signature on the way to a send.
_SIGNING = frozenset({"s", "si", "signature", "subtask", "set"})


def _call_free(expression: cst.CSTNode) -> bool:
    """No call, ``await``, ``lambda`` or comprehension in ``expression``."""
    kinds = _working()
    return not isinstance(expression, kinds) and not any(
        isinstance(node, kinds) for node in nodes(expression)
    )


@functools.cache
def _working() -> tuple[type[cst.CSTNode], ...]:
    return (cst.Call, cst.Await, cst.Lambda, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def only_fails(function: cst.FunctionDef) -> bool:
    """The body (besides a docstring, ``pass`` and log lines of fixed text) only raises:
    ``raise Exception("boom")``, ``1 / 0``, or a raise only when a parameter asks for it (``if
    raises: raise Exception(...)``), a task kept to see that failures reach error reporting, or
    that a queue is served (nothing to test, nothing to hang)."""
    parameters = {p.name.value for p in (*function.params.posonly_params, *function.params.params)}
    lines = function.body.body if isinstance(function.body, cst.IndentedBlock) else [function.body]
    small: list[cst.BaseSmallStatement] = []
    raises = False
    for line in lines:
        if isinstance(line, cst.If) and line.orelse is None and _asks(line.test, parameters):
            inner = suite_statements(line.body)
            if not inner or not all(_fails(s) for s in inner):
                return False
            raises = True
        elif isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            small.extend(line.body)
        else:
            return False
    if small and isinstance(small[0], cst.Expr) and isinstance(small[0].value, cst.BaseString):
        small = small[1:]
    for statement in small:
        if _fails(statement):
            raises = True
        elif not (isinstance(statement, cst.Pass) or _fixed_report(statement)):
            return False
    return raises


def suite_statements(suite: cst.BaseSuite) -> list[cst.BaseSmallStatement] | None:
    """The statements of a suite of simple lines, or None when it holds a compound one."""
    lines = suite.body if isinstance(suite, cst.IndentedBlock) else [suite]
    small: list[cst.BaseSmallStatement] = []
    for line in lines:
        if not isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            return None
        small.extend(line.body)
    return small


def _asks(test: cst.BaseExpression, parameters: set[str]) -> bool:
    """``if raises:`` / ``if not ok:`` on a parameter of the task."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test = test.expression
    return isinstance(test, cst.Name) and test.value in parameters


def _fails(statement: cst.BaseSmallStatement) -> bool:
    """``raise Exception("boom")`` or ``1 / 0``."""
    return (isinstance(statement, cst.Raise) and _an_error(statement.exc)) or (
        isinstance(statement, cst.Expr)
        and isinstance(statement.value, cst.BinaryOperation)
        and isinstance(statement.value.operator, (cst.Divide, cst.FloorDivide, cst.Modulo))
        and _literal(statement.value.left)
        and _literal(statement.value.right)
    )


def _fixed_report(statement: cst.BaseSmallStatement) -> bool:
    """A log call or ``print`` of fixed text: ``log.info("about to fail")``."""
    call = statement.value if isinstance(statement, cst.Expr) else None
    return (
        isinstance(call, cst.Call)
        and (is_logging_call(call) or (isinstance(call.func, cst.Name) and call.func.value == "print"))
        and all(_text(argument.value) for argument in call.args)
    )


_CONSTANTS = frozenset({"True", "False", "None"})
_PURE_CALLS = frozenset({"sum", "len", "min", "max", "abs", "round", "sorted", "int", "float", "str"})


def only_computes(function: cst.FunctionDef) -> bool:
    """The body (besides a docstring) only computes over its arguments and literals: assignments
    and a ``return`` made of names, literals, operators and a few pure builtins (``sum``,
    ``len``, ``min``, ``max``, ...) or ``random``'s functions, not a parameter as it is: Celery's
    ``add(x, y)`` example, a health check's ``return True``; nothing in it can hang and nothing
    in it is worth a test of its own."""
    small = _simple_statements(function)
    returned = [s.value for s in small or () if isinstance(s, cst.Return) and s.value is not None]
    computed = {
        t.target.value
        for s in small or ()
        if isinstance(s, cst.Assign)
        for t in s.targets
        if isinstance(t.target, cst.Name)
    }
    if (
        not small
        or not returned
        or any(isinstance(v, cst.Name) and v.value not in _CONSTANTS | computed for v in returned)
    ):
        return False  # ``return x`` of a parameter: an echo stands for any task (as tests write one)
    for statement in small:
        if isinstance(statement, cst.Return):
            values = [statement.value] if statement.value is not None else []
        elif isinstance(statement, cst.Assign) and all(
            isinstance(t.target, cst.Name) for t in statement.targets
        ):
            values = [statement.value]
        else:
            return False
        for value in values:
            for node in (value, *nodes(value)):
                if isinstance(node, cst.Call):
                    callee = dotted_name(node.func) or ""
                    if callee not in _PURE_CALLS and not callee.startswith("random."):
                        return False
                elif isinstance(
                    node, (cst.Attribute, cst.Subscript, cst.Lambda, cst.Await, cst.Yield)
                ) and not (
                    isinstance(node, cst.Attribute) and (dotted_name(node) or "").startswith("random.")
                ):
                    return False
    return True


def _an_error(exc: cst.BaseExpression | None) -> bool:
    """``Exception("boom")``, ``ValueError``: an exception class or instance by its name (not
    ``self.replace(...)`` or ``self.retry(...)``, which raise to go on)."""
    made = exc.func if isinstance(exc, cst.Call) else exc
    name = last_name(made) if made is not None else None
    return name is not None and name.endswith(("Error", "Exception"))


def only_reports(function: cst.FunctionDef, request: bool = True) -> bool:
    """The task does nothing but log or print its own request or a fixed message: Celery's
    ``debug_task`` example, ``print(f"Request: {self.request!r}")`` in a bound task (``request``:
    its first parameter may be the task), or a smoke-test task, ``print("Hello!"); return True``.
    Besides a docstring, ``pass``, local imports, ``time.sleep(<number>)`` (a demo's stand-in
    for work), names bound to a string and a ``return`` of a literal or such a name, every
    statement is such a call, whose arguments are strings (or such names), or name
    ``<first parameter>.request`` and call nothing but ``str``, ``repr`` and ``.format``."""
    parameters = function.params.posonly_params or function.params.params
    bound = parameters[0].name.value if parameters and request else None
    small = _simple_statements(function)
    if small is None:
        return False
    reports = 0
    texts: set[str] = set()  # local names bound to a string (``result = "hello world"``)

    def fixed(node: cst.BaseExpression) -> bool:
        return _text(node) or (isinstance(node, cst.Name) and node.value in texts)

    for statement in small:
        if isinstance(statement, (cst.Pass, cst.Import, cst.ImportFrom)):
            continue
        if isinstance(statement, cst.Expr) and _sleeps_a_while(statement.value):
            continue  # a demo's stand-in for work: ``time.sleep(10)`` between two log lines
        if isinstance(statement, cst.Return) and (
            statement.value is None or _literal(statement.value) or fixed(statement.value)
        ):
            continue
        if (
            isinstance(statement, cst.Assign)
            and len(statement.targets) == 1
            and isinstance(statement.targets[0].target, cst.Name)
            and _text(statement.value)
        ):
            texts.add(statement.targets[0].target.value)
            continue
        call = statement.value if isinstance(statement, cst.Expr) else None
        if not isinstance(call, cst.Call):
            return False
        if last_name(call.func) in _CAPTURES and not any(
            type(n) is cst.Call for a in call.args for n in (a.value, *nodes(a.value))
        ):
            reports += 1  # ``raven_client.captureMessage(msg)``: a task that checks error reporting
            continue
        if _touches(call):
            reports += 1  # ``Path(settings.HEALTH_FILE).touch()``: a worker liveness ping
            continue
        if not (is_logging_call(call) or (isinstance(call.func, cst.Name) and call.func.value == "print")):
            return False
        if call.args and all(fixed(argument.value) for argument in call.args):
            reports += 1
            continue
        names_request = False
        for argument in call.args:
            for node in (argument.value, *nodes(argument.value)):
                kind = type(node)
                if kind is cst.Call and last_name(cast(cst.Call, node).func) not in _FORMATTING:
                    return False
                if (
                    kind is cst.Attribute
                    and bound is not None
                    and dotted_name(cast(cst.Attribute, node)) == f"{bound}.request"
                ):
                    names_request = True
        if not names_request:
            return False
        reports += 1
    return reports > 0


def _touches(call: cst.Call) -> bool:
    """``Path(<name or attribute>).touch()`` or ``os.utime(<name or attribute>)``: a heartbeat
    file's time stamp set, nothing computed to find the path."""
    func = call.func
    if isinstance(func, cst.Attribute) and func.attr.value == "touch" and isinstance(func.value, cst.Call):
        made = func.value
        return last_name(made.func) in ("Path", "PosixPath") and _plain_arguments(made) and not call.args
    return dotted_name(func) == "os.utime" and _plain_arguments(call)


def _plain_arguments(call: cst.Call) -> bool:
    """Every argument is a name, an attribute chain, a string or ``None``."""
    return bool(call.args) and all(
        isinstance(a.value, (cst.Name, cst.Attribute, cst.SimpleString)) and not a.star for a in call.args
    )


# An error reporter's capture calls (Sentry's SDK, raven): they queue the event and return.
_CAPTURES = frozenset({"captureMessage", "capture_message", "captureException", "capture_exception"})


def _sleeps_a_while(node: cst.BaseExpression) -> bool:
    """``time.sleep(<number>)`` or ``sleep(<number>)``."""
    return (
        isinstance(node, cst.Call)
        and dotted_name(node.func) in ("time.sleep", "sleep")
        and len(node.args) == 1
        and isinstance(node.args[0].value, (cst.Integer, cst.Float))
    )


def _text(node: cst.BaseExpression) -> bool:
    """A string (not an f-string)."""
    if isinstance(node, cst.ConcatenatedString):
        return _text(node.left) and _text(node.right)
    return isinstance(node, cst.SimpleString)


def _literal(node: cst.BaseExpression) -> bool:
    """A string (not an f-string), a number, ``True``, ``False`` or ``None``."""
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return _literal(node.left) and _literal(node.right)
    return isinstance(node, cst.Name) and node.value in ("True", "False", "None")


def last_name(node: cst.BaseExpression) -> str | None:
    """``send`` for ``send`` and ``tasks.send``; None for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    return None


def returns_value(function: cst.FunctionDef) -> bool:
    """The function returns something other than None somewhere in its body."""
    for node in nodes(function.body):
        if (
            isinstance(node, cst.Return)
            and node.value is not None
            and not (isinstance(node.value, cst.Name) and node.value.value == "None")
        ):
            return True
        if isinstance(node, cst.Yield):
            return True
    return False


def forwarding_call(function: cst.FunctionDef) -> cst.Call | None:
    """The call that is the function's whole body, ignoring a docstring: ``return other(...)``
    or ``other(...)`` as the only statement, passing on nothing but the function's own
    parameters (``other(a, b=b, *args, **kwargs)``); None otherwise."""
    small = _simple_statements(function)
    if small is None or len(small) != 1:
        return None
    only = small[0]
    value = only.value if isinstance(only, (cst.Return, cst.Expr)) else None
    if not isinstance(value, cst.Call):
        return None
    p = function.params
    names = {x.name.value for x in [*p.posonly_params, *p.params, *p.kwonly_params]}
    names.update(x.name.value for x in (p.star_arg, p.star_kwarg) if isinstance(x, cst.Param))
    if all(isinstance(a.value, cst.Name) and a.value.value in names for a in value.args):
        return value
    return None


def _root_name(node: cst.BaseExpression) -> str | None:
    """``order`` for ``order``, ``order.customer``, ``order.items[0]``."""
    while isinstance(node, (cst.Attribute, cst.Subscript)):
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def written_names(function: cst.FunctionDef) -> frozenset[str]:
    """The names whose object the function's body writes back to the database or changes:
    ``order.save()``, ``order.status = ...`` (also ``order.customer.name = ...``),
    ``setattr(order, ...)``. A name the body binds again (``order = Order.objects.get(...)``) or
    refreshes (``order.refresh_from_db()``) is re-fetched: not counted."""
    written: set[str] = set()
    fresh: set[str] = set()
    for node in nodes(function.body):
        kind = type(node)
        if kind is cst.Assign:
            assert isinstance(node, cst.Assign)
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    fresh.add(target.target.value)
                elif isinstance(target.target, cst.Attribute):
                    written.add(_root_name(target.target) or "")
        elif kind in (cst.AugAssign, cst.AnnAssign):
            assert isinstance(node, (cst.AugAssign, cst.AnnAssign))
            if isinstance(node.target, cst.Name) and kind is cst.AnnAssign:
                fresh.add(node.target.value)
            elif isinstance(node.target, cst.Attribute):
                written.add(_root_name(node.target) or "")
        elif kind is cst.Call:
            assert isinstance(node, cst.Call)
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value == "save":
                written.add(_root_name(func.value) or "")
            elif isinstance(func, cst.Attribute) and func.attr.value == "refresh_from_db":
                fresh.add(_root_name(func.value) or "")
            elif isinstance(func, cst.Name) and func.value == "setattr" and node.args:
                written.add(_root_name(node.args[0].value) or "")
    return frozenset(written - fresh - {""})


@functools.cache
def _empty_module() -> cst.Module:
    return cst.Module(body=[])


def code(node: cst.CSTNode, limit: int = 60) -> str:
    """The source of a node on one line, shortened for messages."""
    text = " ".join(_empty_module().code_for_node(node).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
