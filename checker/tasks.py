"""Task discovery: every way of defining a Celery task, found statically.

Nothing here imports or runs the analysed code. The result is one :class:`TaskDef` per task with
its registered name, options, parameters and body.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Union

import libcst as cst

from checker.body import descendants
from checker.celery_names import (
    CELERY_CLASS,
    CURRENT_APP,
    OLD_TASK,
    SHARED_TASK,
    TASK_CLASS,
)
from checker.factories import method_factories, module_factories, resolve
from checker.index import ClassInfo, ProjectIndex
from checker.module_info import FunctionRecord, ModuleInfo
from checker.values import UNKNOWN, Ref, Value, dotted_name, evaluate

_APP_NAME = re.compile(r"^(app|celery|celery_app|\w+_app)$")
# Task frameworks whose ``.task`` decorators are not Celery's.
_OTHER_FRAMEWORKS = frozenset({"huey", "dramatiq", "rq", "taskiq", "arq", "procrastinate", "flask"})
# Libraries whose ``...task`` decorators are not Celery's: never suggested for `task-decorators`.
_NOT_CELERY = _OTHER_FRAMEWORKS | {"invoke", "fabric", "prefect", "airflow", "luigi", "dagster", "django_rq"}


@dataclasses.dataclass(frozen=True)
class OptionValue:
    value: Value
    node: cst.CSTNode | None  # where it is set in this file (keyword or assignment)
    origin: str  # "decorator", "class" or "base"


@dataclasses.dataclass(frozen=True)
class Param:
    name: str
    annotation: cst.BaseExpression | None
    kind: str  # "positional", "vararg", "kwonly" or "varkw"
    node: cst.Param


@dataclasses.dataclass
class TaskDef:
    """One discovered task."""

    name: str  # registered name (explicit ``name=`` or ``module.function``)
    name_known: bool  # False when ``name=`` is set to something that is not a literal
    function: str
    module: str
    kind: str  # "function" (decorated), "call" (call-form registration) or "class"
    node: Union[cst.FunctionDef, cst.ClassDef, None]  # None when the function is not in the file
    run: cst.FunctionDef | None  # the function whose body the worker runs
    anchor: cst.CSTNode  # where findings about the task as a whole are reported
    decorator: cst.Decorator | None  # the task decorator, for decorated functions
    decorator_call: cst.Call | None  # the call holding the options, when there is one
    options: dict[str, OptionValue]
    options_complete: bool  # False when ``**opts`` or an invisible base may set more
    # no ``base=``, or one whose class the analyser can read (and not the task class of an app
    # built from a subclass of Celery)
    base_visible: bool
    base_attributes: frozenset[str]  # attributes the visible base classes define
    via_wrapper: bool  # defined through a project-configured wrapper decorator
    old_periodic: bool  # old ``periodic_task`` decorator
    bound: bool | None  # None when ``bind=`` is not a literal
    is_method: bool
    enclosing_self: bool  # nested in a function that has a ``self`` parameter
    params: list[Param]
    suppression_nodes: tuple[cst.CSTNode, ...]  # lines where a suppression comment covers the task
    # The module-level name bound to the task object, which callers enqueue through
    # (``send`` for ``send = app.task(...)(_send)``, ``archive`` for ``archive = Archive()`` of a
    # task class); None for a task class no module-level name holds an instance of.
    object_name: str | None = None
    # How the task was found: the qualified decorator (``celery.shared_task``,
    # ``proj.celery.app.task``, a project factory such as ``proj.utils.cron_task``), or for a
    # task class its first base (``celery.Task``).
    decorator_name: str = ""
    factory: str | None = None  # the project factory that made the task, if any
    # Defined inside a function (a callback made when the function runs): no worker registers
    # it at import, and nothing outside the function can send it.
    local: bool = False

    @property
    def key(self) -> str:
        return f"{self.module}:{self.function}:{id(self.anchor)}"

    def option(self, name: str) -> OptionValue | None:
        return self.options.get(name)

    def is_set(self, name: str) -> bool:
        return name in self.options

    def value(self, name: str) -> Value:
        """The option's value: a literal, UNKNOWN when set to a non-literal, None when unset."""
        opt = self.options.get(name)
        return None if opt is None else opt.value

    @property
    def body(self) -> cst.BaseSuite | None:
        return self.run.body if self.run is not None else None

    @property
    def self_name(self) -> str | None:
        """The name of the task-instance parameter of a bound task, if any."""
        if self.run is None:
            return None
        if self.kind == "class":
            params = [*self.run.params.posonly_params, *self.run.params.params]
            return params[0].name.value if params else None
        if self.bound:
            return self.params[0].name if self.params and self.params[0].kind == "positional" else None
        return None


def _params(function: cst.FunctionDef, skip_first: bool) -> list[Param]:
    p = function.params
    result: list[Param] = [
        Param(x.name.value, x.annotation.annotation if x.annotation else None, "positional", x)
        for x in [*p.posonly_params, *p.params]
    ]
    if skip_first:
        result = result[1:]
    if isinstance(p.star_arg, cst.Param):
        a = p.star_arg
        result.append(Param(a.name.value, a.annotation.annotation if a.annotation else None, "vararg", a))
    for x in p.kwonly_params:
        result.append(Param(x.name.value, x.annotation.annotation if x.annotation else None, "kwonly", x))
    if p.star_kwarg is not None:
        k = p.star_kwarg
        result.append(Param(k.name.value, k.annotation.annotation if k.annotation else None, "varkw", k))
    return result


def class_attributes(node: cst.ClassDef) -> dict[str, tuple[Value, cst.CSTNode]]:
    """Literal ``name = value`` statements directly in a class body."""
    attrs: dict[str, tuple[Value, cst.CSTNode]] = {}
    body = node.body
    if not isinstance(body, cst.IndentedBlock):
        statements: Iterable[cst.CSTNode] = [body]
    else:
        statements = body.body
    for line in statements:
        small: Iterable[cst.BaseSmallStatement]
        if isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            small = line.body
        else:
            continue
        for statement in small:
            if isinstance(statement, cst.Assign):
                for target in statement.targets:
                    if isinstance(target.target, cst.Name):
                        attrs[target.target.value] = (evaluate(statement.value), statement)
            elif (
                isinstance(statement, cst.AnnAssign)
                and isinstance(statement.target, cst.Name)
                and statement.value is not None
            ):
                attrs[statement.target.value] = (evaluate(statement.value), statement)
    return attrs


def _class_methods(node: cst.ClassDef) -> dict[str, cst.FunctionDef]:
    if not isinstance(node.body, cst.IndentedBlock):
        return {}
    return {s.name.value: s for s in node.body.body if isinstance(s, cst.FunctionDef)}


class Discovery:
    """Finds the tasks of one module, given the project index and configured wrappers."""

    def __init__(self, info: ModuleInfo, index: ProjectIndex, wrappers: frozenset[str]) -> None:
        self.info = info
        self.index = index
        self.wrappers = wrappers
        self.local_classes = info.module_level_classes()
        self.local_functions = info.module_level_functions()
        self.bound_names = {id(value): name for name, value in info.assignments.items()}
        # Decorators imported from outside the project whose name ends in ``task`` and that are
        # not known to make Celery tasks, once per function they decorate.
        self.foreign: list[str] = []
        self._project_packages: frozenset[str] | None = None

    # Recognising apps, decorators and Task classes ----------------------------------------
    def is_app(self, node: cst.BaseExpression) -> bool:
        if isinstance(node, cst.Name):
            name = node.value
            bound = self.info.assignments.get(name)
            if bound is not None and name not in self.info.imports:
                if isinstance(bound, cst.Call):
                    callee = self.info.qualify(bound.func)
                    local = self.info.qualify_local(bound.func)
                    if (
                        is_celery_class(callee)
                        or local in self.index.app_factories
                        or local in self.index.celery_classes
                    ):
                        return True
                    if callee is not None and callee.partition(".")[0] in _OTHER_FRAMEWORKS:
                        return False
                return bool(_APP_NAME.match(name))
            qualified = self.info.imports.get(name)
            if qualified is not None:
                if qualified in self.index.apps or qualified in CURRENT_APP:
                    return True
                if qualified.partition(".")[0] in _OTHER_FRAMEWORKS:
                    return False
            return bool(_APP_NAME.match(name)) or name == "current_app"
        if isinstance(node, cst.Attribute):
            qualified = self.info.qualify(node)
            if qualified in CURRENT_APP or qualified in self.index.apps:
                return True
            return bool(_APP_NAME.match(node.attr.value))
        return False

    def custom_app(self, node: cst.BaseExpression) -> bool:
        """``node`` is an app built from a subclass of Celery (``notify_celery = NotifyCelery()``)."""
        if isinstance(node, cst.Name) and node.value not in self.info.imports:
            bound = self.info.assignments.get(node.value)
            if isinstance(bound, cst.Call):
                callee = self.info.qualify(bound.func)
                local = self.info.qualify_local(bound.func) or ""
                built = self.index.app_factories.get(local)
                return (
                    _subclass_of_celery(callee)
                    or _subclass_of_celery(built)
                    or local in self.index.celery_classes
                    or built in self.index.celery_classes
                )
        qualified = self.info.qualify(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
        return qualified is not None and qualified in self.index.custom_apps

    def decorator_kind(self, callee: cst.BaseExpression) -> str | None:
        """ "shared", "app", "old", "factory", "wrapper" or None for a decorator's callee."""
        qualified = self.info.qualify(callee)
        if qualified is not None:
            if qualified in SHARED_TASK:
                return "shared"
            if qualified == "shared_task" and "shared_task" not in self.local_functions:
                return "shared"  # ``from celery import *``
            if qualified in OLD_TASK:
                return "old"
            if self.factory_of(callee) is not None:
                return "factory"
            if self.wrappers and (
                qualified in self.wrappers or self.info.qualify_local(callee) in self.wrappers
            ):
                return "wrapper"
        if isinstance(callee, cst.Attribute) and callee.attr.value == "task" and self.is_app(callee.value):
            return "app"
        return None

    def factory_of(self, callee: cst.BaseExpression) -> str | None:
        """The qualified name of the project factory ``callee`` names, if it names one."""
        if not self.index.factories:
            return None
        for qualified in (self.info.qualify_local(callee), self.info.qualify(callee)):
            if qualified is not None and qualified in self.index.factories:
                return qualified
        if isinstance(callee, cst.Attribute):
            # ``@celery.periodic_task(...)``: a method of the project's Celery subclass
            owner = self.info.qualify_local(callee.value)
            app_class = self.index.app_classes.get(owner or "")
            method = f"{app_class}.{callee.attr.value}"
            if app_class is not None and method in self.index.factories:
                return method
        return None

    def _factory_form(self, callee: cst.BaseExpression, called: bool) -> bool:
        """The factory makes a task when used this way (``@factory(...)`` or bare ``@factory``)."""
        name = self.factory_of(callee)
        if name is None:
            return False
        factory = self.index.factories[name]
        return factory.called if called else factory.bare

    def kind_of(self, callee: cst.BaseExpression) -> str | None:
        """For factory detection: "celery" for Celery's decorators, a factory's name, or None."""
        kind = self.decorator_kind(callee)
        if kind in ("shared", "app", "old"):
            return "celery"
        if kind == "factory":
            return self.factory_of(callee)
        return None

    def decorator_label(self, callee: cst.BaseExpression, kind: str) -> str:
        """The qualified name of a task decorator, as the JSON report shows it."""
        if kind == "factory":
            factory = self.factory_of(callee)
            if factory is not None:
                return self.index.factories[factory].qualname
        if kind == "shared":
            return "celery.shared_task"
        return self.info.qualify_local(callee) or self.info.qualify(callee) or ""

    def is_task_class(self, node: cst.ClassDef) -> bool:
        return any(self._is_task_base(arg.value, set()) for arg in node.bases if arg.keyword is None)

    def _is_task_base(self, expr: cst.BaseExpression, seen: set[str]) -> bool:
        qualified = self.info.qualify(expr)
        if qualified is None:
            return False
        if qualified in TASK_CLASS or qualified in self.index.task_classes:
            return True
        if isinstance(expr, cst.Name):
            local = self.local_classes.get(expr.value)
            if local is not None and expr.value not in self.info.imports:
                if expr.value in seen:
                    return False
                seen.add(expr.value)
                return any(self._is_task_base(a.value, seen) for a in local.bases if a.keyword is None)
            if expr.value == "Task" and expr.value in self.info.imports:
                # ``Task`` imported from a project module (a re-export or a base of its own);
                # other libraries' ``Task`` classes (luigi, prefect, ...) also define ``run``.
                module = qualified.rpartition(".")[0]
                return module in self.index.modules and ".models." not in f".{qualified}."
        if isinstance(expr, cst.Attribute) and expr.attr.value == "Task":
            return self.is_app(expr.value)
        return False

    # Class options ------------------------------------------------------------------------
    def _resolve_class(self, expr: cst.BaseExpression) -> tuple[bool, dict[str, OptionValue]]:
        """Whether a ``base=`` class is visible, and the options its class attributes set."""
        qualified = self.info.qualify(expr)
        if qualified is None:
            return False, {}
        if qualified in TASK_CLASS:
            return True, {}
        if isinstance(expr, cst.Name) and expr.value not in self.info.imports:
            local = self.local_classes.get(expr.value)
            if local is not None and self.is_task_class(local):
                return True, self._local_class_options(local, set())
            return False, {}
        if qualified in self.index.task_classes:
            return True, {
                k: OptionValue(v, None, "base") for k, v in self.index.class_options(qualified).items()
            }
        if isinstance(expr, cst.Attribute) and expr.attr.value == "Task" and self.is_app(expr.value):
            return True, {}
        return False, {}

    def _local_class_options(self, node: cst.ClassDef, seen: set[str]) -> dict[str, OptionValue]:
        seen.add(node.name.value)
        merged: dict[str, OptionValue] = {}
        for arg in reversed(node.bases):
            if arg.keyword is not None:
                continue
            if isinstance(arg.value, cst.Name) and arg.value.value in self.local_classes:
                if arg.value.value not in seen and arg.value.value not in self.info.imports:
                    merged.update(self._local_class_options(self.local_classes[arg.value.value], seen))
            else:
                merged.update(self._resolve_class(arg.value)[1])
        for key, (value, stmt) in class_attributes(node).items():
            merged[key] = OptionValue(value, stmt, "base")
        return merged

    def _class_is_visible(self, node: cst.ClassDef) -> bool:
        """Every base of a task class is visible to the analyser."""
        for arg in node.bases:
            if arg.keyword is not None:
                continue
            if (
                isinstance(arg.value, cst.Name)
                and arg.value.value in self.local_classes
                and arg.value.value not in self.info.imports
            ):
                continue
            if not self._resolve_class(arg.value)[0]:
                return False
        return True

    # Discovery ----------------------------------------------------------------------------
    def tasks(self) -> list[TaskDef]:
        found: list[TaskDef] = []
        for record in self.info.functions:
            task = self._decorated(record)
            if task is not None:
                found.append(task)
            elif record.node.decorators:
                self._note_foreign(record.node)
        for class_record in self.info.classes:
            class_task = self._class_task(class_record.node)
            if class_task is not None:
                found.append(class_task)
        for call in self.info.calls:
            task = self._call_form(call)
            if task is not None:
                found.append(task)
        return found

    def _note_foreign(self, node: cst.FunctionDef) -> None:
        if self._project_packages is None:
            self._project_packages = frozenset(m.partition(".")[0] for m in self.index.modules)
        project = self._project_packages
        for decorator in node.decorators:
            expr = decorator.decorator
            callee = expr.func if isinstance(expr, cst.Call) else expr
            dotted = dotted_name(callee)
            qualified = self.info.qualify(callee)
            if dotted is None or qualified is None or dotted.partition(".")[0] not in self.info.imports:
                continue
            top = qualified.partition(".")[0]
            if (
                qualified.lower().endswith("task")
                and top not in project
                and top not in _NOT_CELERY
                and top != "celery"
            ):
                self.foreign.append(qualified)

    def _decorated(self, record: FunctionRecord) -> TaskDef | None:
        node = record.node
        for decorator in node.decorators:
            expr = decorator.decorator
            call = expr if isinstance(expr, cst.Call) else None
            callee = call.func if call is not None else expr
            kind = self.decorator_kind(callee)
            if kind is None or (kind == "factory" and not self._factory_form(callee, call is not None)):
                continue
            if (
                call is not None
                and kind != "factory"
                and any(a.keyword is None and a.star == "" for a in call.args)
            ):
                continue  # ``@shared_task(fn)``-style misuse: not a decorator we understand
            enclosing_self = any(
                isinstance(scope, cst.FunctionDef)
                and any(p.name.value == "self" for p in [*scope.params.posonly_params, *scope.params.params])
                for scope in record.scopes
            )
            return self._function_task(
                node,
                kind="function",
                call=call,
                decorator_kind=kind,
                anchor=node.decorators[0],
                decorator=decorator,
                is_method=record.is_method,
                enclosing_self=enclosing_self,
                suppression=(*node.decorators, node),
                callee=callee,
                local=any(isinstance(scope, cst.FunctionDef) for scope in record.scopes),
                # in a class body (``class CachePopulator: @staticmethod @app.task def populate``):
                # callers and tests reach it through the class
                owner=".".join(s.name.value for s in record.scopes)
                if record.scopes and all(isinstance(s, cst.ClassDef) for s in record.scopes)
                else None,
            )
        return None

    def _function_task(
        self,
        function: cst.FunctionDef | None,
        *,
        kind: str,
        call: cst.Call | None,
        decorator_kind: str,
        anchor: cst.CSTNode,
        decorator: cst.Decorator | None,
        is_method: bool,
        enclosing_self: bool,
        suppression: tuple[cst.CSTNode, ...],
        callee: cst.BaseExpression | None = None,
        function_name: str | None = None,
        qualified_function: str | None = None,
        local: bool = False,
        owner: str | None = None,
    ) -> TaskDef:
        options: dict[str, OptionValue] = {}
        complete = True
        if call is not None:
            for arg in call.args:
                if arg.star == "**":
                    complete = False
                elif arg.keyword is not None:
                    options[arg.keyword.value] = OptionValue(evaluate(arg.value), arg, "decorator")
        factory = self.factory_of(callee) if decorator_kind == "factory" and callee is not None else None
        naming, wrapper_name, wrapped = "decorated", "", False
        if factory is not None:
            made = resolve(
                self.index.factories,
                factory,
                {k: (v.value, v.node) for k, v in options.items()},
                complete,
            )
            options = {
                k: OptionValue(value, node, "decorator" if node is not None else "factory")
                for k, (value, node) in made.options.items()
            }
            complete, naming, wrapper_name, wrapped = (
                made.complete,
                made.naming,
                made.wrapper_name,
                made.wrapped,
            )
        base_visible = True
        base_attributes: frozenset[str] = frozenset()
        base = options.get("base")
        if base is not None and isinstance(base.node, cst.Arg):
            base_visible, base_options = self._resolve_class(base.node.value)
            base_attributes = frozenset(base_options)
            for key, value in base_options.items():
                options.setdefault(key, value)
        if not base_visible:
            complete = False
        if decorator_kind == "app" and isinstance(callee, cst.Attribute) and self.custom_app(callee.value):
            # the app's own task class (a library's subclass of Celery sets one) may read any
            # attribute: as for an unseen ``base=``, but its options are still the decorator's
            base_visible = False

        bind = options.get("bind")
        bound: bool | None = False
        if bind is not None:
            bound = None if bind.value is UNKNOWN else bool(bind.value)
        if wrapped or (factory is not None and bind is None and not complete):
            # The worker calls the factory's wrapper (what it passes on is not known), or the
            # factory may pass ``bind`` among options that cannot be followed.
            bound = None

        name = function_name or (function.name.value if function is not None else "<unknown>")
        default = qualified_function or self._default(name)
        if naming == "wrapper":
            default = wrapper_name
        elif naming == "module":
            default = f"{wrapper_name}.{name}" if wrapper_name else name
        registered, name_known = self._registered_name(options, default)
        if naming == "unknown" and "name" not in options:
            name_known = False
        return TaskDef(
            name=registered,
            name_known=name_known,
            function=name,
            module=self.info.name,
            kind=kind,
            node=function,
            run=function,
            anchor=anchor,
            decorator=decorator,
            decorator_call=call,
            options=options,
            options_complete=complete,
            base_visible=base_visible,
            base_attributes=base_attributes,
            via_wrapper=decorator_kind == "wrapper",
            old_periodic=decorator_kind == "old",
            bound=bound,
            is_method=is_method,
            enclosing_self=enclosing_self,
            params=_params(function, skip_first=False) if function is not None else [],
            suppression_nodes=suppression,
            object_name=(f"{owner}.{name}" if owner else name) if kind == "function" else None,
            decorator_name=self.decorator_label(callee, decorator_kind) if callee is not None else "",
            factory=None if factory is None else self.index.factories[factory].qualname,
            local=local,
        )

    def _default(self, name: str) -> str:
        return f"{self.info.name}.{name}" if self.info.name else name

    @staticmethod
    def _registered_name(options: dict[str, OptionValue], default: str) -> tuple[str, bool]:
        explicit = options.get("name")
        if explicit is None or explicit.value is None:
            return default, True
        if isinstance(explicit.value, str):
            return explicit.value, True
        return default, False

    def _class_task(self, node: cst.ClassDef) -> TaskDef | None:
        methods = _class_methods(node)
        run = methods.get("run")
        if run is None or not self.is_task_class(node):
            return None
        attributes = class_attributes(node)
        abstract = attributes.get("abstract")
        if abstract is not None and abstract[0] is True:
            return None
        options: dict[str, OptionValue] = {}
        visible = self._class_is_visible(node)
        for arg in reversed(node.bases):
            if arg.keyword is None:
                options.update(self._resolve_class(arg.value)[1])
        for key, (value, stmt) in attributes.items():
            options[key] = OptionValue(value, stmt, "class")
        name = node.name.value
        registered, name_known = self._registered_name(options, self._default(name))
        # ``archive_outbound = ArchiveOutbound()`` at module level: the instance callers send
        # through, import and patch (Celery 3/4's class-based tasks)
        instance = next(
            (
                bound
                for bound, value in self.info.assignments.items()
                if isinstance(value, cst.Call)
                and isinstance(value.func, cst.Name)
                and value.func.value == name
            ),
            None,
        )
        return TaskDef(
            name=registered,
            name_known=name_known,
            function=name,
            module=self.info.name,
            kind="class",
            node=node,
            run=run,
            anchor=node.decorators[0] if node.decorators else node,
            decorator=None,
            decorator_call=None,
            options=options,
            options_complete=visible,
            base_visible=visible,
            base_attributes=frozenset(options),
            via_wrapper=False,
            old_periodic=False,
            bound=True,
            is_method=False,
            enclosing_self=False,
            params=_params(run, skip_first=True),
            suppression_nodes=(*node.decorators, node),
            decorator_name=next(
                (self.info.qualify_local(a.value) or "" for a in node.bases if a.keyword is None), ""
            ),
            object_name=instance,
        )

    def _call_form(self, call: cst.Call) -> TaskDef | None:
        """``app.task(bind=True)(fn)``, ``shared_task(fn)`` and ``app.task(fn, **opts)``."""
        positional = [a for a in call.args if a.keyword is None and a.star == ""]
        if len(positional) != 1 or not isinstance(positional[0].value, (cst.Name, cst.Attribute)):
            return None
        target = positional[0].value
        options_call: cst.Call | None
        if isinstance(call.func, cst.Call):
            inner = call.func
            if any(a.keyword is None and a.star == "" for a in inner.args):
                return None
            kind = self.decorator_kind(inner.func)
            callee = inner.func
            options_call = inner
            if kind == "factory" and not self._factory_form(callee, True):
                return None
            if kind is not None and len(call.args) != 1:
                return None
        else:
            kind = self.decorator_kind(call.func)
            callee = call.func
            options_call = call
            if kind == "factory" and not self._factory_form(callee, False):
                return None
        if kind is None:
            return None
        function: cst.FunctionDef | None = None
        qualified: str | None = None
        if (
            isinstance(target, cst.Name)
            and target.value in self.local_functions
            and target.value not in self.info.imports
        ):
            function = self.local_functions[target.value]
        if function is None:
            qualified = self.info.qualify(target)
            if qualified is None or (qualified == dotted_name(target) and "." not in qualified):
                return None  # a name the analyser cannot see at all
        suppression: tuple[cst.CSTNode, ...] = (call,) if function is None else (call, function)
        task = self._function_task(
            function,
            kind="call",
            call=options_call,  # only keyword arguments are read: ``fn`` itself is skipped
            decorator_kind=kind,
            anchor=call,
            decorator=None,
            is_method=False,
            enclosing_self=False,
            suppression=suppression,
            callee=callee,
            function_name=None if qualified is None else qualified.rpartition(".")[2],
            qualified_function=qualified,
        )
        task.object_name = self.bound_names.get(id(call))
        return task


def discover(
    info: ModuleInfo, index: ProjectIndex, wrappers: frozenset[str]
) -> tuple[list[TaskDef], list[str]]:
    """The module's tasks, and the foreign ``...task`` decorators it applies to other functions."""
    discovery = Discovery(info, index, wrappers)
    return discovery.tasks(), discovery.foreign


def index_contributions(info: ModuleInfo, index: ProjectIndex) -> ProjectIndex:
    """The apps, app factories and task base classes that this module adds to the project
    index."""
    found = ProjectIndex()
    prefix = f"{info.name}." if info.name else ""
    celery_classes = index.celery_classes

    def is_celery(qualified: str | None) -> bool:
        return is_celery_class(qualified) or qualified in celery_classes

    # The module's own subclasses of Celery: their methods may make tasks (``periodic_task``).
    subclasses = [
        record.node
        for record in info.classes
        if not record.scopes
        and any(is_celery(info.qualify_local(a.value)) for a in record.node.bases if a.keyword is None)
    ]
    for node in subclasses:
        if not is_celery_class(prefix + node.name.value):
            found.celery_classes.add(prefix + node.name.value)
    for function in info.functions:
        if function.is_module_level:
            built = _built_app(function.node, info, is_celery)
            if built is not None:
                found.app_factories[prefix + function.node.name.value] = built
    for name, value in info.assignments.items():
        if not isinstance(value, cst.Call) or name in info.imports:
            continue
        callee = info.qualify(value.func)
        local = info.qualify_local(value.func)
        built = local if is_celery_class(callee) or local in celery_classes else None
        if built is None:
            built = found.app_factories.get(local or "") or index.app_factories.get(local or "")
        if built is None:
            continue
        found.apps.add(prefix + name)
        if _subclass_of_celery(built) or built in celery_classes:
            found.custom_apps.add(prefix + name)
            found.app_classes[prefix + name] = built
    discovery = Discovery(info, index, frozenset())
    for record in info.classes:
        if record.scopes or not discovery.is_task_class(record.node):
            continue
        qualname = f"{info.name}.{record.node.name.value}" if info.name else record.node.name.value
        bases = tuple(
            q for a in record.node.bases if a.keyword is None and (q := info.qualify_local(a.value))
        )
        options = {k: v for k, (v, _) in class_attributes(record.node).items()}
        found.task_classes[qualname] = ClassInfo(qualname, options, bases)
    found.factories.update(module_factories(info, discovery.kind_of, index.factories))
    for node in subclasses:
        found.factories.update(method_factories(prefix + node.name.value, node, info, discovery.kind_of))
    return found


def _built_app(
    function: cst.FunctionDef, info: ModuleInfo, is_celery: Callable[[str | None], bool]
) -> str | None:
    """The Celery class a module-level function builds and returns, if it does (``def
    make_celery(app): celery = Celery(app.import_name); ...; return celery``)."""
    built: dict[str, str] = {}
    returned: list[cst.BaseExpression] = []
    for node in descendants(function.body):
        if isinstance(node, cst.Return) and node.value is not None:
            returned.append(node.value)
        elif (
            isinstance(node, cst.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
            and isinstance(node.value, cst.Call)
            and is_celery(info.qualify_local(node.value.func))
        ):
            built[node.targets[0].target.value] = info.qualify_local(node.value.func) or ""
    for value in returned:
        if isinstance(value, cst.Call) and is_celery(info.qualify_local(value.func)):
            return info.qualify_local(value.func)
        if isinstance(value, cst.Name) and built.get(value.value):
            return built[value.value]
    return None


# Celery's ``Task.max_retries`` when a task sets none.
DEFAULT_MAX_RETRIES = 3


def max_retries(task: TaskDef) -> Value:
    """How many times the task's automatic retries may run: ``retry_kwargs``'s ``max_retries``
    first (its ``None`` defers to the task), then the task's own, else Celery's default; None
    for no bound, UNKNOWN when the analyser cannot read ``retry_kwargs``."""
    kwargs = task.value("retry_kwargs")
    if isinstance(kwargs, dict) and kwargs.get("max_retries") is not None:
        return kwargs["max_retries"]
    if task.is_set("retry_kwargs") and not isinstance(kwargs, dict):
        return UNKNOWN  # ``retry_kwargs`` the analyser cannot read may set any bound
    if task.is_set("max_retries"):
        return task.value("max_retries")
    return DEFAULT_MAX_RETRIES


def resolved(task: TaskDef, name: str, constants: Mapping[str, cst.BaseExpression]) -> Value:
    """The option's value, read through a module-level constant of ``constants`` when it is
    set to one (``retry_backoff=RETRY_BACKOFF`` with ``RETRY_BACKOFF = 180``)."""
    option = task.option(name)
    node = option.node if option is not None else None
    expression = node.value if isinstance(node, (cst.Arg, cst.Assign, cst.AnnAssign)) else None
    if isinstance(expression, cst.Name) and expression.value in constants:
        return evaluate(constants[expression.value])
    return task.value(name)


def retry_bound(task: TaskDef, constants: Mapping[str, cst.BaseExpression] | None = None) -> Value:
    """:func:`max_retries`, read through a module-level constant of ``constants``
    (``MAX_RETRIES = 10``); for a choice of literals (``1 if settings.DEBUG else None``) the
    largest of them (None: no bound), since one of the app's configurations runs with it."""
    bound = max_retries(task)
    if bound is None or (isinstance(bound, int) and not isinstance(bound, bool)):
        return bound
    option = task.option("max_retries")
    node = option.node if option is not None else None
    expression = node.value if isinstance(node, (cst.Arg, cst.Assign, cst.AnnAssign)) else None
    if isinstance(expression, cst.Name) and constants and expression.value in constants:
        expression = constants[expression.value]
        value = evaluate(expression)
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
    if isinstance(expression, cst.IfExp):

        def value_of(node: cst.BaseExpression) -> Value:
            if isinstance(node, cst.Name) and constants and node.value in constants:
                return evaluate(constants[node.value])
            return evaluate(node)

        choices = [value_of(expression.body), value_of(expression.orelse)]
        numbers = [c for c in choices if isinstance(c, int) and not isinstance(c, bool)]
        if len(numbers) + choices.count(None) == len(choices):
            return None if None in choices else max(numbers)
    return bound


def is_celery_class(qualified: str | None) -> bool:
    """``Celery`` itself, or by its name a subclass of it (``NotifyCelery`` from a shared library,
    ``proj.app.ProjectCelery``): its instances are apps whose ``.task`` makes tasks."""
    if qualified is None:
        return False
    if qualified in CELERY_CLASS:
        return True
    head, last = qualified.partition(".")[0], qualified.rpartition(".")[2]
    return last.endswith("Celery") and head not in _OTHER_FRAMEWORKS


def _subclass_of_celery(qualified: str | None) -> bool:
    """A class named for Celery but not Celery itself (nor an alias of it: ``Celery =
    celery.Celery``)."""
    return is_celery_class(qualified) and qualified is not None and qualified.rpartition(".")[2] != "Celery"


def is_ref(value: Value, *names: str) -> bool:
    """``value`` names one of ``names`` (by its full dotted name or its last component)."""
    return isinstance(value, Ref) and (value.dotted in names or value.last in names)
