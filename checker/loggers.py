"""Which of the project's functions log, and whether an ``except`` handler reports its error.

CT207 trusts a handler that logs, passes the caught exception (or text made from it) on, or
calls a project function that logs. The last needs the whole project: each file records which of
its module-level functions (and methods of module-level classes) log, and what the others call,
so that the main process can follow a helper one call deeper, across files.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from checker import body
from checker.module_info import FunctionRecord, ModuleInfo
from checker.values import string_value

# Builtins and string methods that only turn the exception into a value: passing the exception
# to them reports nothing by itself (their result may still be passed on).
_CONVERSIONS = frozenset(
    {
        "str",
        "repr",
        "format",
        "int",
        "float",
        "bool",
        "type",
        "isinstance",
        "issubclass",
        "len",
        "getattr",
        "hasattr",
        "id",
        "hash",
        "list",
        "tuple",
        "dict",
        "set",
        "frozenset",
        "sorted",
        "any",
        "all",
        "vars",
        "dir",
        "callable",
    }
)
_STRING_METHODS = frozenset(
    {
        "format",
        "format_map",
        "join",
        "lower",
        "upper",
        "strip",
        "lstrip",
        "rstrip",
        "replace",
        "split",
        "rsplit",
        "splitlines",
        "startswith",
        "endswith",
        "encode",
        "decode",
        "title",
        "capitalize",
        "casefold",
        "partition",
        "rpartition",
        "find",
        "index",
        "count",
        "center",
        "ljust",
        "rjust",
        "zfill",
    }
)
# Calls whose value is the current exception or its text.
_EXCEPTION_TEXT = frozenset(
    {
        "traceback.format_exc",
        "traceback.format_exception",
        "traceback.format_exception_only",
        "traceback.format_tb",
        "sys.exc_info",
        "sys.exception",
    }
)
# Calls that print the current exception.
_PRINTS_EXCEPTION = frozenset({"traceback.print_exc", "traceback.print_exception"})
_RECEIVERS = frozenset({"self", "cls"})
# Calls whose first argument is called later: ``partial(f, x)`` makes a call of ``f``.
_DEFERRED_CALLS = frozenset({"functools.partial", "partial"})


def reports_error(handler: cst.ExceptHandler, scope: cst.CSTNode, info: ModuleInfo) -> bool:
    """The handler re-raises, retries, logs, or hands the error on: it passes the caught
    exception (or text made from it) to a call that is not a mere conversion, stores it on an
    object, returns it, or keeps it in a local name that the rest of ``scope`` reads."""
    if body.reraises(handler.body):
        return True
    for call in body.calls(handler.body):
        if body.is_logging_call(call) or (
            isinstance(call.func, cst.Attribute) and call.func.attr.value == "retry"
        ):
            return True
        if info.qualify(call.func) in _PRINTS_EXCEPTION:
            return True
    tainted: set[str] = set()
    if handler.name is not None and isinstance(handler.name.name, cst.Name):
        tainted.add(handler.name.name.value)
    statements = [
        n for n in body.nodes(handler.body) if isinstance(n, (cst.Assign, cst.AnnAssign, cst.AugAssign))
    ]
    kept: set[str] = set()
    for _ in range(2):  # ``text = str(e)`` then ``message = f"failed: {text}"``
        for statement in statements:
            if statement.value is None or not _derived(statement.value, tainted, info):
                continue
            targets = (
                [t.target for t in statement.targets]
                if isinstance(statement, cst.Assign)
                else [statement.target]
            )
            for target in targets:
                for node in [target, *body.nodes(target)]:
                    if isinstance(node, (cst.Attribute, cst.Subscript)):
                        return True  # stored on an object: ``result.error = str(e)``
                    if isinstance(node, cst.Name):
                        tainted.add(node.value)
                        kept.add(node.value)
    for node in body.nodes(handler.body):
        if isinstance(node, cst.Call):
            if not _converts(node, tainted, info) and any(
                _derived(a.value, tainted, info) for a in node.args
            ):
                return True
        elif (
            isinstance(node, (cst.Return, cst.Yield))
            and isinstance(node.value, cst.BaseExpression)
            and _derived(node.value, tainted, info)
        ):
            return True
    # ``failed.append(row.id)`` / ``failed[row.id] = ...`` / ``errors += 1``: the failure is
    # recorded in a local name, whatever the handler puts there (``failed`` logged at the end)
    recorded = _recorded(handler.body) - kept
    if kept or recorded:  # ``message = f"... {e}"`` read after the handler
        inside = {id(n) for n in body.nodes(handler)}
        # a collection is read, not only made (``failed = []``)
        made = {
            id(t.target)
            for n in body.nodes(scope)
            if isinstance(n, cst.Assign)
            for t in n.targets
            if isinstance(t.target, cst.Name) and t.target.value in recorded
        }
        for node in body.nodes(scope):
            if (
                isinstance(node, cst.Name)
                and id(node) not in inside
                and (node.value in kept or (node.value in recorded and id(node) not in made))
            ):
                return True
    return False


# Methods that add to a collection: ``failed.append(row.id)`` records a failure.
_ADDS = frozenset({"append", "add", "extend", "update", "insert", "appendleft", "setdefault"})


def _recorded(suite: cst.BaseSuite) -> set[str]:
    """The local names the handler adds to: ``failed.append(x)``, ``failed[key] = x``,
    ``errors += 1`` (a collection or a counter of failures)."""
    names: set[str] = set()
    for node in body.nodes(suite):
        if isinstance(node, cst.Call):
            func = node.func
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in _ADDS
                and isinstance(func.value, cst.Name)
            ):
                names.add(func.value.value)
        elif isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Subscript) and isinstance(target.target.value, cst.Name):
                    names.add(target.target.value.value)
        elif isinstance(node, cst.AugAssign) and isinstance(node.target, cst.Name):
            names.add(node.target.value)
    return names - _RECEIVERS


def _derived(expression: cst.BaseExpression, tainted: set[str], info: ModuleInfo) -> bool:
    """The expression uses a tainted name, or the current exception through ``traceback``/``sys``."""
    skipped: set[int] = set()
    for node in [expression, *body.nodes(expression)]:
        if isinstance(node, cst.Attribute):
            skipped.add(id(node.attr))
        elif isinstance(node, cst.Arg) and node.keyword is not None:
            skipped.add(id(node.keyword))
        elif isinstance(node, cst.Name):
            if node.value in tainted and id(node) not in skipped:
                return True
        elif isinstance(node, cst.Call) and info.qualify(node.func) in _EXCEPTION_TEXT:
            return True
    return False


def _converts(call: cst.Call, tainted: set[str], info: ModuleInfo) -> bool:
    """A builtin conversion, a string method on a literal or on exception text, or a
    ``traceback.format_*`` call: it only makes a value."""
    func = call.func
    if isinstance(func, cst.Name):
        return func.value in _CONVERSIONS and func.value not in info.imports
    if isinstance(func, cst.Attribute) and func.attr.value in _STRING_METHODS:
        receiver = func.value
        return isinstance(receiver, (cst.BaseString, cst.FormattedString)) or _derived(
            receiver, tainted, info
        )
    return info.qualify(func) in _EXCEPTION_TEXT


def called_names(node: cst.CSTNode, info: ModuleInfo, owner: str | None = None) -> frozenset[str]:
    """Qualified names of the functions called under ``node`` (project functions get their
    module's prefix), for the project phase to look up. In a method of class ``owner`` (its
    qualified name), ``self.helper()`` and ``cls.helper()`` are ``owner.helper``."""
    names: set[str] = set()
    calls = list(body.calls(node))
    for call in list(calls):
        # ``transaction.on_commit(lambda: send.delay(pk))``: the lambda runs once the
        # transaction commits (in tests too: ``TransactionTestCase``, ``captureOnCommitCallbacks``)
        if (
            isinstance(call.func, (cst.Name, cst.Attribute))
            and (call.func.attr if isinstance(call.func, cst.Attribute) else call.func).value == "on_commit"
            and call.args
            and isinstance(call.args[0].value, cst.Lambda)
        ):
            calls.extend(body.calls(call.args[0].value))
    for call in calls:
        if isinstance(call.func, (cst.Name, cst.Attribute)):
            name = info.qualify_local(call.func)
            if not name:
                continue
            if (name in _DEFERRED_CALLS or name.rpartition(".")[2] == "on_commit") and call.args:
                # ``on_commit(partial(index, doc))``, ``on_commit(index)``: ``index`` runs later
                first = call.args[0].value
                later = info.qualify_local(first) if isinstance(first, (cst.Name, cst.Attribute)) else None
                if later and later.partition(".")[0] not in _RECEIVERS:
                    names.add(later)
            head, _, rest = name.partition(".")
            if head not in _RECEIVERS:
                names.add(name)
            elif owner and rest and head in ("self", "cls"):
                names.add(f"{owner}.{rest}")
    return frozenset(names)


def _qualname(record: FunctionRecord, info: ModuleInfo) -> str | None:
    prefix = f"{info.name}." if info.name else ""
    if record.is_module_level:
        return prefix + record.node.name.value
    if len(record.scopes) == 1 and isinstance(record.scopes[0], cst.ClassDef):
        return f"{prefix}{record.scopes[0].name.value}.{record.node.name.value}"
    return None


def module_loggers(info: ModuleInfo) -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    """The module's functions (module level, or methods of module-level classes) that log, and
    for each, the qualified names it calls."""
    direct: set[str] = set()
    calls: dict[str, frozenset[str]] = {}
    for record in info.functions:
        name = _qualname(record, info)
        if name is None:
            continue
        if any(body.is_logging_call(call) for call in body.calls(record.node.body)):
            direct.add(name)
        # (recorded for loggers too: CT301 follows what the tests' code calls)
        owner = name.rpartition(".")[0] if not record.is_module_level else None
        called = frozenset(n for n in called_names(record.node.body, info, owner) if "." in n)
        if called:
            calls[name] = called
    return frozenset(direct), calls


_SOFT_LIMIT = frozenset({"SoftTimeLimitExceeded"})


def limit_handlers(info: ModuleInfo) -> frozenset[str]:
    """The module's functions (module level, or methods of module-level classes) whose body
    catches ``SoftTimeLimitExceeded``, by name or through a broad handler (CT209: a task that
    calls one handles its soft limit there)."""
    found: set[str] = set()
    for record in info.functions:
        name = _qualname(record, info)
        if name is not None and any(
            isinstance(node, cst.ExceptHandler) and body.catches_broadly(node, _SOFT_LIMIT)
            for node in body.nodes(record.node.body)
        ):
            found.add(name)
    return frozenset(found)


def calls_any(called: Iterable[str], functions: frozenset[str]) -> bool:
    """One of ``called`` (qualified as the caller's module could) is one of ``functions``, or a
    class one of them is a method of (the caller builds it: ``Exporter().run(job)``); a name the
    caller could not qualify (``Handler.run``, imported inside a function) matches by its end."""
    for name in called:
        if name in functions:
            return True
        built = name.rpartition(".")[2][:1].isupper()  # a class, built by the caller
        if built and any(f.startswith(name + ".") for f in functions):
            return True
        if "." in name and any(f.endswith("." + name) or ("." + name + ".") in f for f in functions):
            return True
    return False


def signal_receivers(info: ModuleInfo) -> dict[str, frozenset[str]]:
    """Django signal receivers by the model that sends the signal: ``@receiver(post_save,
    sender=Order)`` (or a project decorator named ``...receiver`` given the sender second) and
    ``post_save.connect(handler, sender=Order)`` (a sender given as a string or computed is not
    followed). Saving or building an ``Order`` runs the receiver (CT301). A handler may be given
    as ``connect(receiver=handler)``."""
    found: dict[str, set[str]] = {}

    def add(sender: cst.BaseExpression | None, receiver: str | None) -> None:
        model = info.qualify(sender) if isinstance(sender, (cst.Name, cst.Attribute)) else None
        if model and receiver and "." in model:
            found.setdefault(model, set()).add(receiver)

    for record in info.functions:
        name = _qualname(record, info)
        for decorator in record.node.decorators:
            call = decorator.decorator
            # Django's ``@receiver(post_save, sender=Order)``, and a project's own receiver
            # decorator (``@search_receiver(post_delete, Order)``) by its name
            if isinstance(call, cst.Call) and (info.qualify(call.func) or "").rpartition(".")[2].endswith(
                "receiver"
            ):
                given = [a.value for a in call.args if a.keyword is None and not a.star]
                add(_keyword(call, "sender") or (given[1] if len(given) > 1 else None), name)
    for call in info.calls:
        func = call.func
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if isinstance(func, cst.Attribute) and func.attr.value == "connect":
            handler = positional[0].value if positional else _keyword(call, "receiver")
            if isinstance(handler, (cst.Name, cst.Attribute)):
                add(_keyword(call, "sender"), info.qualify_local(handler))
    return {model: frozenset(receivers) for model, receivers in found.items()}


def call_graph(
    modules: Iterable[tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]],
) -> dict[str, frozenset[str]]:
    """What each project function calls (its ``function_calls``), plus an edge from building a
    model (``Model.__init__``) to the receivers of its signals, from every module's
    ``(function_calls, signal_receivers)``."""
    graph: dict[str, frozenset[str]] = {}
    for calls, receivers in modules:
        graph.update(calls)
        for model, handlers in receivers.items():
            key = f"{model}.__init__"
            graph[key] = graph.get(key, frozenset()) | handlers
    return graph


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    return next((a.value for a in call.args if a.keyword is not None and a.keyword.value == name), None)


def project_loggers(modules: Iterable[tuple[frozenset[str], dict[str, frozenset[str]]]]) -> frozenset[str]:
    """The functions that log directly, and those that call one of them (one level deeper)."""
    direct: set[str] = set()
    calls: dict[str, frozenset[str]] = {}
    for logs, called in modules:
        direct.update(logs)
        calls.update(called)
    return frozenset(direct | {name for name, called in calls.items() if not called.isdisjoint(direct)})


def helper_matches(name: str, helpers: Iterable[str]) -> bool:
    """A ``logging-helpers`` entry names this call: the same qualified name, or its last parts
    (``report_error`` and ``utils.report_error`` both match ``proj.utils.report_error``)."""
    return any(name == helper or name.endswith("." + helper) for helper in helpers)


_SETUP_LOGGING = "celery.signals.setup_logging"


def connects_setup_logging(info: ModuleInfo) -> bool:
    """The module connects a receiver to Celery's ``setup_logging`` signal:
    ``@setup_logging.connect``, ``@signals.setup_logging.connect(weak=False)`` or
    ``setup_logging.connect(receiver)``, under any import spelling."""
    for call in info.calls:
        if _is_connect(call.func, info):
            return True
    return any(_is_connect(d.decorator, info) for r in info.functions for d in r.node.decorators)


def _is_connect(node: cst.BaseExpression, info: ModuleInfo) -> bool:
    if isinstance(node, cst.Call):
        node = node.func
    return (
        isinstance(node, cst.Attribute)
        and node.attr.value == "connect"
        and info.qualify(node.value) == _SETUP_LOGGING
    )


_DICT_CONFIG = frozenset({"logging.config.dictConfig"})
_LOGGING = "LOGGING"  # Django's setting


def configured_loggers(info: ModuleInfo) -> frozenset[str]:
    """Names of the non-root loggers that a logging configuration written in this module gives
    handlers of their own (CT602): Django's ``LOGGING = {...}`` (at module level or on a
    module-level settings class), any module-level dict with a ``version`` key, the dict passed
    to ``logging.config.dictConfig(...)``, and additions to those (``LOGGING.update({...})``,
    ``LOGGING["loggers"]["name"] = {...}``, ``LOGGING["loggers"].update({...})``)."""
    found: set[str] = set()
    configs = {_LOGGING}
    statements: list[cst.BaseSmallStatement] = [s for s, _ in info.module_statements]
    for record in info.classes:
        if not record.scopes and isinstance(record.node.body, cst.IndentedBlock):
            for line in record.node.body.body:
                if isinstance(line, cst.SimpleStatementLine):
                    statements.extend(line.body)
    for statement in statements:
        if isinstance(statement, cst.Assign) and isinstance(statement.value, cst.Dict):
            for target in statement.targets:
                name = target.target
                if isinstance(name, cst.Name) and (
                    name.value == _LOGGING or "version" in _string_keys(statement.value)
                ):
                    configs.add(name.value)
                    found |= _config_loggers(statement.value)
    for statement in statements:
        if isinstance(statement, cst.Assign):
            for target in statement.targets:
                path = _subscripts(target.target, configs)
                if path == ["loggers"]:
                    found |= _loggers_with_handlers(statement.value)
                elif (
                    path is not None
                    and len(path) == 2
                    and path[0] == "loggers"
                    and _has_handlers(statement.value)
                ):
                    found.add(path[1])
    for call in info.calls:
        func, positional = call.func, [a.value for a in call.args if a.keyword is None and not a.star]
        if info.qualify(func) in _DICT_CONFIG:
            given = positional[:1] or [
                a.value for a in call.args if a.keyword and a.keyword.value == "config"
            ]
            if not given:
                continue
            argument = given[0]
            if isinstance(argument, cst.Name):
                bound = info.assignments.get(argument.value)
                argument = bound if bound is not None else argument
            if isinstance(argument, cst.Dict):
                found |= _config_loggers(argument)
            elif not (isinstance(argument, cst.Attribute) and argument.attr.value == _LOGGING):
                # a configuration built at run time (in a function, in a loop over the installed
                # apps): which loggers get handlers cannot be told (``settings.LOGGING`` is read
                # where it is written)
                found.add(ANY_LOGGER)
            continue
        if not positional:
            continue
        argument = positional[0]
        if isinstance(func, cst.Attribute) and func.attr.value == "update":
            path = _subscripts(func.value, configs)
            if path == []:
                found |= _config_loggers(argument)
            elif path == ["loggers"]:
                found |= _loggers_with_handlers(argument)
    return frozenset(name for name in found if name not in ("", "root"))


def _string_keys(node: cst.Dict) -> dict[str, cst.BaseExpression]:
    keys: dict[str, cst.BaseExpression] = {}
    for element in node.elements:
        if isinstance(element, cst.DictElement):
            key = string_value(element.key)
            if key is not None:
                keys[key] = element.value
    return keys


def _subscripts(node: cst.BaseExpression, configs: set[str]) -> list[str] | None:
    """``["loggers", "name"]`` for ``LOGGING["loggers"]["name"]``; ``[]`` for ``LOGGING``; None
    when ``node`` is not (a string subscript of) a logging configuration."""
    keys: list[str] = []
    while isinstance(node, cst.Subscript):
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        key = string_value(node.slice[0].slice.value)
        if key is None:
            return None
        keys.append(key)
        node = node.value
    if isinstance(node, cst.Name) and node.value in configs:
        return list(reversed(keys))
    return None


def _config_loggers(node: cst.BaseExpression) -> set[str]:
    if not isinstance(node, cst.Dict):
        return set()
    loggers = _string_keys(node).get("loggers")
    return _loggers_with_handlers(loggers) if loggers is not None else set()


# Stands for every logger: a configuration whose loggers cannot be read (built at run time).
ANY_LOGGER = "*"


def _loggers_with_handlers(node: cst.BaseExpression) -> set[str]:
    """The loggers of a ``"loggers"`` mapping that name handlers (a non-empty list, or a value
    the analyser cannot read)."""
    if not isinstance(node, cst.Dict):
        return set()
    if not isinstance(node, cst.Dict) or any(
        not isinstance(e, cst.DictElement) or string_value(e.key) is None for e in node.elements
    ):
        return {ANY_LOGGER}  # ``loggers`` built from names, ``{**base, ...}``, a comprehension
    return {name for name, logger in _string_keys(node).items() if _has_handlers(logger)}


def _has_handlers(logger: cst.BaseExpression) -> bool:
    if not isinstance(logger, cst.Dict):
        return False
    handlers = _string_keys(logger).get("handlers")
    if handlers is None:
        return False
    return not (isinstance(handlers, (cst.List, cst.Tuple)) and not handlers.elements)
