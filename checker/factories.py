"""The project's own decorator factories: decorators that apply a Celery task decorator.

Found statically, without configuration: a module-level function or a class with ``__call__``
whose body applies ``shared_task``/``<app>.task`` (or another factory) to the decorated function,
or to a wrapper around it, and returns the result; also ``task = app.task`` aliases,
``partial(shared_task, ...)`` and pre-configured ``shared_task(queue=...)`` decorators. What the
factory does with the keywords of its use site is recorded, so that a task's options, name and
body are read as the worker would have them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

import libcst as cst

from checker.body import children
from checker.index import INSTANCE, Factory
from checker.module_info import ModuleInfo
from checker.values import Value, dotted_name, evaluate, string_value

# The callee of a decorator: "celery" for Celery's own task decorators, the qualified name of a
# project factory, or None.
if TYPE_CHECKING:
    KindOf = Callable[[cst.BaseExpression], "str | None"]

_PARTIAL = frozenset({"functools.partial", "partial"})
_WRAPS = frozenset({"functools.wraps", "wraps"})
_UPDATE_WRAPPER = frozenset({"functools.update_wrapper", "update_wrapper"})
_DUNDER_NAMES = ("__name__", "__module__", "__qualname__")


def module_factories(info: ModuleInfo, kind_of: KindOf, known: Mapping[str, Factory]) -> dict[str, Factory]:
    """The factories a module defines or re-exports, by qualified name."""
    prefix = f"{info.name}." if info.name else ""
    found: dict[str, Factory] = {}
    for local, target in info.imports.items():
        factory = known.get(target)
        if factory is not None:
            found[prefix + local] = factory
    for name, value in info.assignments.items():
        if name in info.imports:
            continue
        assigned = _assigned(prefix + name, value, info, kind_of, known)
        if assigned is not None:
            found[prefix + name] = assigned
    for record in info.functions:
        if record.is_module_level:
            function = _function_factory(prefix + record.node.name.value, record.node, info, kind_of)
            if function is not None:
                found[function.qualname] = function
    for class_record in info.classes:
        if not class_record.scopes:
            qualname = prefix + class_record.node.name.value
            made = _class_factory(qualname, class_record.node, info, kind_of)
            if made is not None:
                found[made.qualname] = made
            instance = _instance_factory(qualname, class_record.node, info, kind_of, known)
            if instance is not None:
                found[qualname + INSTANCE] = instance
    return found


def _instance_factory(
    qualname: str, node: cst.ClassDef, info: ModuleInfo, kind_of: KindOf, known: Mapping[str, Factory]
) -> Factory | None:
    """The factory an instance of the class is, by its own ``__call__`` or one it inherits."""
    if not isinstance(node.body, cst.IndentedBlock):
        return None
    call = next(
        (s for s in node.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "__call__"), None
    )
    if call is None or _defers_to_super(call):
        inherited = (_instance_of(b.value, info, known) for b in node.bases if b.keyword is None)
        return next((f for f in inherited if f is not None), None)
    if call.decorators or not _positional_params(call):
        return None
    applied = next(_returned(call, kind_of), None)
    if applied is None or applied.holder is call:
        return None  # ``__call__(self, fn)`` applies it: the class factory's case (``@Class(...)``)
    made = _function_factory(qualname + INSTANCE, call, info, kind_of)
    if made is None:
        return None
    self_name = _positional_params(call)[0].name.value
    return dataclasses.replace(made, consumed=made.consumed - {self_name})


def _instance_of(cls: cst.BaseExpression, info: ModuleInfo, known: Mapping[str, Factory]) -> Factory | None:
    """The factory an instance of the class ``cls`` names is, when its class is known as one."""
    for name in (info.qualify_local(cls), info.qualify(cls)):
        if name is not None and name + INSTANCE in known:
            return known[name + INSTANCE]
    return None


def _defers_to_super(call: cst.FunctionDef) -> bool:
    """``__call__`` ends in ``return super().__call__(*keys, **kwargs)``, its own star
    parameters passed on: it decorates as the base class's does."""
    params = call.params
    stars = [p.name.value for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    if not isinstance(call.body, cst.IndentedBlock) or not call.body.body or not stars:
        return False
    last = call.body.body[-1]
    if not isinstance(last, cst.SimpleStatementLine) or not isinstance(last.body[0], cst.Return):
        return False
    value = last.body[0].value
    if not (
        isinstance(value, cst.Call)
        and isinstance(value.func, cst.Attribute)
        and value.func.attr.value == "__call__"
        and isinstance(value.func.value, cst.Call)
        and dotted_name(value.func.value.func) == "super"
    ):
        return False
    passed = [a.value.value for a in value.args if a.star and isinstance(a.value, cst.Name)]
    return passed == stars and all(a.star for a in value.args)


def _assigned(
    qualname: str, value: cst.BaseExpression, info: ModuleInfo, kind_of: KindOf, known: Mapping[str, Factory]
) -> Factory | None:
    """``task = app.task``, ``task = partial(shared_task, queue="x")``, ``cron = shared_task(queue="x")``."""
    if isinstance(value, (cst.Name, cst.Attribute)):
        inner = kind_of(value)
        if inner is None or inner == qualname:
            return None
        if inner in known:
            return known[inner]  # another name for a project factory
        return Factory(qualname, inner, {}, {}, True, frozenset(), True, "decorated")
    if not isinstance(value, cst.Call):
        return None
    instance = _instance_of(value.func, info, known)
    if instance is not None:
        return instance  # ``handler = Dispatcher()``: an instance is a factory
    positional = [a for a in value.args if a.keyword is None and a.star == ""]
    if info.qualify(value.func) in _PARTIAL:
        if len(positional) != 1:
            return None
        inner = kind_of(positional[0].value)
        forwards = True
    else:
        if positional:
            return None  # ``app.task(fn)``: a task, not a decorator
        inner = kind_of(value.func)
        forwards = False  # ``shared_task(queue="x")`` is already the decorator: used bare
    if inner is None or inner == qualname:
        return None
    fixed = {a.keyword.value: evaluate(a.value) for a in value.args if a.keyword is not None}
    complete = not any(a.star == "**" for a in value.args)
    return Factory(qualname, inner, fixed, {}, forwards, frozenset(), complete, "decorated", called=forwards)


# Walking ---------------------------------------------------------------------------------------
def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node below ``node``, nested functions included (parameter lists excluded)."""
    return _walk_bound(node, None)


def _walk_bound(node: cst.CSTNode, name: str | None) -> Iterator[cst.CSTNode]:
    """Like :func:`_walk`, but not into nested functions that bind ``name`` as a parameter."""
    stack = list(reversed(children(node)))
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, cst.Parameters):
            continue
        if isinstance(current, (cst.FunctionDef, cst.Lambda)) and name is not None:
            p = current.params
            bound = [*p.posonly_params, *p.params, *p.kwonly_params]
            bound += [x for x in (p.star_arg, p.star_kwarg) if isinstance(x, cst.Param)]
            if any(x.name.value == name for x in bound):
                continue
        stack.extend(reversed(children(current)))


def _scoped(function: cst.FunctionDef) -> Iterator[tuple[cst.CSTNode, cst.FunctionDef]]:
    """Every node in ``function``'s body with its innermost enclosing function."""
    stack: list[tuple[cst.CSTNode, cst.FunctionDef]] = [
        (c, function) for c in reversed(children(function.body))
    ]
    while stack:
        current, holder = stack.pop()
        yield current, holder
        if isinstance(current, cst.Parameters):
            continue
        inner = current if isinstance(current, cst.FunctionDef) else holder
        stack.extend((c, inner) for c in reversed(children(current)))


def _positional_params(function: cst.FunctionDef) -> list[cst.Param]:
    return [*function.params.posonly_params, *function.params.params]


@dataclasses.dataclass
class _Application:
    inner: str
    options: cst.Call  # the call holding the keywords passed to the inner decorator
    target: cst.BaseExpression | None  # what it is applied to; None: a decorator is returned
    holder: cst.FunctionDef  # the function that returns it


def _application(call: cst.Call, kind_of: KindOf) -> tuple[str, cst.Call, cst.BaseExpression] | None:
    """``D(**opts)(target)`` or ``D(target, **opts)`` with ``D`` a task decorator or factory."""
    if isinstance(call.func, cst.Call):
        if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
            return None
        inner = kind_of(call.func.func)
        if inner is None or any(a.keyword is None and a.star == "" for a in call.func.args):
            return None
        return inner, call.func, call.args[0].value
    positional = [a for a in call.args if a.keyword is None and a.star == ""]
    if len(positional) != 1:
        return None
    inner = kind_of(call.func)
    if inner != "celery":
        return None
    return inner, call, positional[0].value


def _returned(function: cst.FunctionDef, kind_of: KindOf) -> Iterator[_Application]:
    """The task decorator applications that ``function`` (or a function inside it) returns, in
    the order of the source."""
    returned: set[int] = set()
    returned_names: dict[int, set[str]] = {}
    bound: dict[int, tuple[str, cst.FunctionDef]] = {}
    calls: list[tuple[cst.Call, cst.FunctionDef]] = []
    for node, holder in _scoped(function):
        if isinstance(node, cst.Return) and node.value is not None:
            returned.add(id(node.value))
            if isinstance(node.value, cst.Name):
                returned_names.setdefault(id(holder), set()).add(node.value.value)
        elif isinstance(node, cst.Assign) and len(node.targets) == 1:
            target = node.targets[0].target
            if isinstance(target, cst.Name):
                bound[id(node.value)] = (target.value, holder)
        elif isinstance(node, cst.Call):
            calls.append((node, holder))
    for call, holder in calls:
        name = bound.get(id(call))
        if id(call) not in returned and (
            name is None or name[0] not in returned_names.get(id(holder), set())
        ):
            continue
        applied = _application(call, kind_of)
        if applied is not None:
            yield _Application(applied[0], applied[1], applied[2], holder)
        # ``return shared_task(**kwargs)``: the factory hands out a configured decorator
        elif holder is function and not any(a.keyword is None and a.star == "" for a in call.args):
            inner = kind_of(call.func)
            if inner is not None:
                yield _Application(inner, call, None, holder)


def _forwards_star_args(call: cst.Call, function: cst.FunctionDef) -> bool:
    """``call`` passes the function's own ``*args`` on (``shared_task(*args, **kwargs)``)."""
    star = function.params.star_arg
    if not isinstance(star, cst.Param):
        return False
    return any(
        a.star == "*" and isinstance(a.value, cst.Name) and a.value.value == star.name.value
        for a in call.args
    )


# Factories -------------------------------------------------------------------------------------
def _function_factory(
    qualname: str, function: cst.FunctionDef, info: ModuleInfo, kind_of: KindOf
) -> Factory | None:
    """The factory the first returned application makes that can be read; used bare as well
    when the function applies the decorator to its first ``*args`` itself (``@task`` and
    ``@task(...)`` both work: ``if len(args) == 1 and callable(args[0]): return app.task(args[0])``)."""
    applications = list(_returned(function, kind_of))
    for applied in applications:
        factory = _applied_factory(qualname, function, info, applied)
        if factory is None:
            continue
        if not factory.bare and any(_applies_star_arg(a, function) for a in applications):
            factory = dataclasses.replace(factory, bare=True)
        return factory
    return None


def _applies_star_arg(applied: _Application, function: cst.FunctionDef) -> bool:
    """The outer function applies the decorator to the first of its ``*args``: ``args[0]``, or a
    name bound to it (``func = args[0]``)."""
    star = function.params.star_arg
    if applied.holder is not function or applied.target is None or not isinstance(star, cst.Param):
        return False
    first = {
        node.targets[0].target.value
        for node in _walk(function.body)
        if isinstance(node, cst.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0].target, cst.Name)
        and _first_of(node.value, star.name.value)
    }
    target = applied.target
    return _first_of(target, star.name.value) or (isinstance(target, cst.Name) and target.value in first)


def _first_of(node: cst.BaseExpression, name: str) -> bool:
    """``name[0]``."""
    return (
        isinstance(node, cst.Subscript)
        and isinstance(node.value, cst.Name)
        and node.value.value == name
        and len(node.slice) == 1
        and isinstance(node.slice[0].slice, cst.Index)
        and isinstance(node.slice[0].slice.value, cst.Integer)
        and node.slice[0].slice.value.value == "0"
    )


def _applied_factory(
    qualname: str, function: cst.FunctionDef, info: ModuleInfo, applied: _Application
) -> Factory | None:
    receives: str | None = None  # the parameter that receives the decorated function
    bare, called = False, True  # ``return shared_task(**kwargs)``: used as ``@factory(...)``
    if applied.target is None and _forwards_star_args(applied.options, function):
        # ``return shared_task(*args, base=X, **kwargs)``: Celery's decorators take the function
        # as their only positional argument, so ``@factory`` works as well as ``@factory(...)``
        bare = True
    if applied.target is not None:
        params = _positional_params(applied.holder)
        if not params:
            return None
        receives = params[0].name.value
        if applied.holder is function:
            # ``def factory(fn, **kw)``: used bare, or called too when ``fn`` may be left out
            bare, called = True, params[0].default is not None
        else:
            # ``@factory(...)``; bare too when the factory applies its decorator itself
            # (``if callable(args[0]): return decorate(args[0])``)
            called = True
            bare = any(
                isinstance(n, cst.Call)
                and isinstance(n.func, cst.Name)
                and n.func.value == applied.holder.name.value
                for n in _walk(function.body)
            )
    options_params = [p for p in _positional_params(function) if p.name.value != receives]
    options_params += list(function.params.kwonly_params)
    kwargs = function.params.star_kwarg
    return _factory(
        qualname,
        info,
        applied,
        receives,
        scopes=[(function, kwargs.name.value if isinstance(kwargs, cst.Param) else None)],
        params=options_params,
        bare=bare,
        called=called,
    )


def method_factories(
    class_qualname: str, node: cst.ClassDef, info: ModuleInfo, kind_of: KindOf
) -> dict[str, Factory]:
    """The methods of the project's own subclass of Celery that make tasks through ``self.task``
    (indico's ``@celery.periodic_task(run_every=...)``), by ``<class>.<method>``."""
    if not isinstance(node.body, cst.IndentedBlock):
        return {}

    def method_kind(callee: cst.BaseExpression) -> str | None:
        if (
            isinstance(callee, cst.Attribute)
            and callee.attr.value == "task"
            and dotted_name(callee.value) == "self"
        ):
            return "celery"
        return kind_of(callee)

    found: dict[str, Factory] = {}
    for statement in node.body.body:
        if not isinstance(statement, cst.FunctionDef) or statement.name.value == "task":
            continue
        if statement.name.value.startswith("__") or statement.decorators:
            continue
        qualname = f"{class_qualname}.{statement.name.value}"
        made = _function_factory(qualname, statement, info, method_kind)
        if made is not None and not made.bare:  # ``self`` is not a decorated function
            found[qualname] = made
    return found


def _class_factory(qualname: str, node: cst.ClassDef, info: ModuleInfo, kind_of: KindOf) -> Factory | None:
    if not isinstance(node.body, cst.IndentedBlock):
        return None
    methods = {s.name.value: s for s in node.body.body if isinstance(s, cst.FunctionDef)}
    call = methods.get("__call__")
    if call is None:
        return None
    applied = next(_returned(call, kind_of), None)
    if applied is None or applied.target is None:
        return None
    params = _positional_params(applied.holder)
    offset = 1 if applied.holder is call else 0  # ``self``
    if len(params) <= offset:
        return None
    receives = params[offset].name.value
    init = methods.get("__init__")
    options_params: list[cst.Param] = []
    scopes: list[tuple[cst.FunctionDef, str | None]] = [(call, None)]
    if init is not None:
        options_params = [*_positional_params(init)[1:], *init.params.kwonly_params]
        kwargs = init.params.star_kwarg
        scopes.insert(0, (init, kwargs.name.value if isinstance(kwargs, cst.Param) else None))
    # ``@factory`` would make an instance holding the function, not a task
    return _factory(
        qualname, info, applied, receives, scopes=scopes, params=options_params, bare=False, called=True
    )


def _factory(
    qualname: str,
    info: ModuleInfo,
    applied: _Application,
    receives: str | None,
    *,
    scopes: list[tuple[cst.FunctionDef, str | None]],
    params: list[cst.Param],
    bare: bool,
    called: bool,
) -> Factory:
    naming, wrapper_name, wrapped = _naming(applied, receives, info, [s for s, _ in scopes])
    fixed, renames, forwards, consumed, complete = _options(applied.options, scopes, params)
    return Factory(
        qualname=qualname,
        inner=applied.inner,
        fixed=fixed,
        renames=renames,
        forwards=forwards,
        consumed=consumed,
        complete=complete,
        naming=naming,
        wrapper_name=wrapper_name,
        wrapped=wrapped,
        bare=bare,
        called=called,
    )


def _naming(
    applied: _Application, receives: str | None, info: ModuleInfo, scopes: list[cst.FunctionDef]
) -> tuple[str, str, bool]:
    """How Celery names the task: from the decorated function, from a wrapper, or unknown."""
    target = applied.target
    if target is None or (isinstance(target, cst.Name) and target.value == receives):
        return "decorated", "", False
    if not isinstance(target, cst.Name):
        return "unknown", "", True
    wrapper = next(
        (
            n
            for n in _walk(applied.holder.body)
            if isinstance(n, cst.FunctionDef) and n.name.value == target.value
        ),
        None,
    )
    if wrapper is None:
        return "unknown", "", True
    for decorator in wrapper.decorators:
        expr = decorator.decorator
        if (
            isinstance(expr, cst.Call)
            and info.qualify(expr.func) in _WRAPS
            and expr.args
            and isinstance(expr.args[0].value, cst.Name)
            and expr.args[0].value.value == receives
        ):
            return "decorated", "", True
    module = info.name
    renamed = False
    for scope in scopes:
        for node in _walk(scope.body):
            if isinstance(node, cst.Call) and info.qualify(node.func) in _UPDATE_WRAPPER:
                return "decorated", "", True
            if not isinstance(node, cst.Assign):
                continue
            for t in node.targets:
                if not isinstance(t.target, cst.Attribute) or t.target.attr.value not in _DUNDER_NAMES:
                    continue
                if (
                    t.target.attr.value == "__name__"
                    and dotted_name(t.target.value) == wrapper.name.value
                    and dotted_name(node.value) == f"{receives}.__name__"
                ):
                    renamed = True  # ``wrapper.__name__ = fn.__name__``: its module stays
                else:
                    return "unknown", "", True
    if renamed:
        return "module", module, True
    # Without ``functools.wraps`` the wrapper keeps its own ``__module__`` and ``__name__``.
    return "wrapper", f"{module}.{wrapper.name.value}" if module else wrapper.name.value, True


def _options(
    call: cst.Call, scopes: list[tuple[cst.FunctionDef, str | None]], params: list[cst.Param]
) -> tuple[dict[str, Value], dict[str, str], bool, frozenset[str], bool]:
    """What the factory passes to the inner decorator: its own options, the use-site keywords it
    passes on (renamed or through ``**kwargs``), those it keeps, and whether that is all."""
    defaults = {p.name.value: p.default for p in params}
    consumed = set(defaults)
    fixed: dict[str, Value] = {}
    renames: dict[str, str] = {}
    forwards = False
    complete = True
    aliases: set[str] = set()  # ``self.<attr>`` holding the keyword arguments (class factories)

    kwargs: str | None = None  # the name of the ``**kwargs`` parameter in the scope being read

    def is_kwargs(expr: cst.BaseExpression) -> bool:
        if isinstance(expr, cst.Name):
            return kwargs is not None and expr.value == kwargs
        return (
            isinstance(expr, cst.Attribute)
            and isinstance(expr.value, cst.Name)
            and expr.value.value == "self"
            and expr.attr.value in aliases
        )

    for scope, kwargs in scopes:
        if kwargs is not None:
            for node in _walk_bound(scope.body, kwargs):
                if (
                    isinstance(node, cst.Assign)
                    and isinstance(node.value, cst.Name)
                    and node.value.value == kwargs
                ):
                    for t in node.targets:
                        if isinstance(t.target, cst.Attribute) and dotted_name(t.target.value) == "self":
                            aliases.add(t.target.attr.value)

    allowed: set[int] = set()
    in_call = next((k for scope, k in scopes if any(n is call for n in _walk(scope.body))), None)
    kwargs = in_call
    for arg in call.args:
        if arg.star == "**":
            if is_kwargs(arg.value):
                forwards = True
                allowed.add(id(arg.value))
            else:
                complete = False
        elif arg.keyword is not None:
            value = arg.value
            if isinstance(value, cst.Name) and value.value in defaults:
                renames[value.value] = arg.keyword.value
                consumed.discard(value.value)
                default = defaults[value.value]
                if default is not None and evaluate(default) is not None:
                    fixed[arg.keyword.value] = evaluate(default)
            else:
                fixed[arg.keyword.value] = evaluate(value)

    for scope, kwargs in scopes:
        for node in _walk_bound(scope.body, kwargs):
            if (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and is_kwargs(node.func.value)
            ):
                allowed.add(id(node.func.value))
                method = node.func.attr.value
                key = string_value(node.args[0].value) if node.args else None
                if method == "pop" and key is not None:
                    consumed.add(key)
                elif method == "setdefault" and key is not None and len(node.args) == 2:
                    fixed[key] = evaluate(node.args[1].value)
                elif method != "get":
                    complete = False
            elif isinstance(node, (cst.Assign, cst.Del)):
                targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target]
                for target in targets:
                    if isinstance(target, cst.Subscript) and is_kwargs(target.value):
                        allowed.add(id(target.value))
                        key = _subscript_key(target)
                        if key is None:
                            complete = False
                        elif isinstance(node, cst.Assign):
                            fixed[key] = evaluate(node.value)
                        else:
                            consumed.add(key)
                    elif isinstance(target, cst.Attribute) and is_kwargs(target):
                        allowed.add(id(target))
                if isinstance(node, cst.Assign) and is_kwargs(node.value):
                    allowed.add(id(node.value))
            elif (
                isinstance(node, cst.UnaryOperation)
                and isinstance(node.operator, cst.Not)
                and is_kwargs(node.expression)
            ):
                allowed.add(id(node.expression))  # ``if not kwargs:`` (bare use) reads no option
            elif isinstance(node, cst.Comparison):
                for comparison in node.comparisons:
                    if isinstance(comparison.operator, (cst.In, cst.NotIn)) and is_kwargs(
                        comparison.comparator
                    ):
                        allowed.add(id(comparison.comparator))
    for scope, kwargs in scopes:
        for node in _walk_bound(scope.body, kwargs):
            if isinstance(node, cst.Attribute):
                allowed.add(id(node.attr))  # ``x.kwargs`` is not the name ``kwargs``
            elif isinstance(node, cst.Arg) and node.keyword is not None:
                allowed.add(id(node.keyword))
            if id(node) in allowed:
                continue
            if (isinstance(node, cst.Attribute) and is_kwargs(node)) or (
                isinstance(node, cst.Name) and kwargs is not None and node.value == kwargs
            ):
                complete = False
    return fixed, renames, forwards, frozenset(consumed), complete


def _subscript_key(node: cst.Subscript) -> str | None:
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    return string_value(node.slice[0].slice.value)


# Resolution at a use site ----------------------------------------------------------------------
@dataclasses.dataclass
class Resolved:
    """What a factory makes of one use site."""

    options: dict[str, tuple[Value, cst.CSTNode | None]]  # node: the use-site keyword, if any
    complete: bool
    naming: str  # "decorated", "wrapper" or "unknown"
    wrapper_name: str
    wrapped: bool


Options = dict[str, tuple[Value, "cst.CSTNode | None"]]


def _received(factory: Factory, given: Options) -> Options:
    """The options ``factory`` passes on to the decorator it applies, given the keywords it
    receives: its own fixed ones, then those it forwards (renamed where it renames them)."""
    options: Options = {k: (v, None) for k, v in factory.fixed.items()}
    for key, value in given.items():
        if key in factory.renames:
            options[factory.renames[key]] = value
        elif key not in factory.consumed and factory.forwards:
            options[key] = value
    return options


def resolve(
    factories: Mapping[str, Factory],
    qualname: str,
    keywords: dict[str, tuple[Value, cst.CSTNode | None]],
    complete: bool,
) -> Resolved:
    """The options, naming and body of a task made by ``@factory(**keywords)``."""
    factory = factories[qualname]
    seen = {qualname}
    options = _received(factory, keywords)
    complete = complete and factory.complete
    naming, wrapper_name, wrapped = factory.naming, factory.wrapper_name, factory.wrapped
    inner = factory.inner
    while inner != "celery":
        nested = factories.get(inner)
        if nested is None or inner in seen:
            complete = False
            naming = "unknown"
            break
        seen.add(inner)
        options = _received(nested, options)
        complete = complete and nested.complete
        # The inner factory receives what the outer one passes: its naming applies to that.
        if naming == "decorated" and nested.naming != "decorated":
            naming, wrapper_name = nested.naming, nested.wrapper_name
        wrapped = wrapped or nested.wrapped
        inner = nested.inner
    if not complete:
        options = {k: v for k, v in options.items() if v[1] is None}  # only the factory's own
    return Resolved(options, complete, naming, wrapper_name, wrapped)
