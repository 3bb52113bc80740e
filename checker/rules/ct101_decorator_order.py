from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker.consumers import CALLED
from checker.model import Finding, Section, Severity
from checker.project import ProjectContext
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef
from checker.values import dotted_name


class DecoratorOrder(TaskRule):
    """
    ## What it does
    Checks that the task decorator is the outermost decorator, listed first above the function.
    Not reported for a decorator written to receive the task object, for which listing it above
    the task decorator is intended: one that belongs to a task class of the project (the task's
    `base=` class, say `@MyTask.permission_check(...)`), or a project decorator (or the function
    a project decorator factory returns) that returns its argument as it is (it registers the
    task), or returns a wrapper that uses its argument as a task: it calls `.si()`, `.s()`,
    `.delay()`, `.apply_async()` or another method only a task has on it, or hands it to a
    function of the same module that does (an `@enqueue_after_commit` that sends the task once
    the request's transaction commits). Nor for `@staticmethod` above the task decorator of a
    function in a class body: it hands the task object on unchanged, and Celery accepts no
    other order there. Only the decorator right above the task decorator
    receives the task object: the ones above it wrap what that one returns.

    ## Why is this bad?
    Decorators apply bottom-up. A decorator listed above `@app.task` wraps the task object instead
    of the function: Celery registers the undecorated function, and the worker never runs the
    extra behaviour (or the wrapper hides the task's `delay`/`apply_async`). Celery's docs say the
    task decorator must be applied last, that is, listed first.

    ## Example
    ```python
    @cache_result
    @app.task
    def refresh_feed(url): ...
    ```

    ## Use instead
    ```python
    @app.task
    @cache_result
    def refresh_feed(url): ...
    ```
    """

    code = "CT101"
    name = "decorator-order"
    section = Section.DEFINED
    severity = Severity.ERROR
    checklist = "The task decorator is the outermost decorator"
    VALID = [
        # a task in a class body, reached through the class
        "from proj.celery import app\n\nclass CachePopulator:\n    @staticmethod\n    @app.task\n"
        "    def populate(pk): ...\n",
        "from celery import shared_task\n\n@shared_task\n@retry_on_deadlock\ndef f(): ...\n",
        "from proj.celery import app\n\n@app.task(bind=True)\ndef f(self): ...\n",
        "from celery import Task, shared_task\n\nclass Guarded(Task):\n    @classmethod\n"
        "    def permission_check(cls, check):\n        def wrap(task):\n            task.check = check\n"
        "            return task\n        return wrap\n\n"
        "@Guarded.permission_check(lambda user: True)\n@shared_task(base=Guarded)\ndef f(): ...\n",
        {
            "proj/hooks.py": "def queued(task):\n    def wrapped(*args):\n        QUEUE.append(task.si(*args))\n"
            "    return wrapped\n\n"
            "def later(sig, when):\n    when.append(sig.apply_async)\n\n"
            "def after_commit(celery=False):\n    def wrapper(func):\n        def wrapped(*args):\n"
            "            later(func, PENDING)\n        return wrapped\n    return wrapper\n",
            "proj/registry.py": "TASKS = {}\n\ndef register(task):\n    TASKS[task.name] = task\n"
            "    return task\n",
            "proj/tasks.py": "from celery import shared_task\nfrom proj.hooks import after_commit, queued\n"
            "from proj.registry import register\n\n"
            "@register\n@shared_task\ndef e(): ...\n\n"
            "@queued\n@shared_task\ndef f(): ...\n\n"
            "@log_calls\n@after_commit(celery=True)\n@shared_task\ndef g(): ...\n",
        },
    ]
    INVALID = [
        "from celery import shared_task\n\n@retry_on_deadlock\n@shared_task\ndef f(): ...\n",
        "from proj.celery import app\n\n@log_calls\n@app.task(bind=True)\ndef f(self): ...\n",
        {
            "proj/tasks.py": "from celery import shared_task\nfrom proj.hooks import queued, timed\n\n"
            "@queued\n@timed\n@shared_task\ndef f(): ...\n",
            "proj/hooks.py": "import functools\n\ndef timed(func):\n    @functools.wraps(func)\n"
            "    def wrapped(*args):\n        return func(*args)\n    return wrapped\n\n"
            "def queued(task):\n    def wrapped(*args):\n        QUEUE.append(task.si(*args))\n"
            "    return wrapped\n",
        },
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.kind != "function" or task.decorator is None or task.node is None:
            return
        decorators = list(task.node.decorators)
        above = decorators[: decorators.index(task.decorator)] if task.decorator in decorators else []
        # The decorator right above receives the task object (one of the task's class hands
        # it on unchanged): once one consumes the task, those above it wrap a plain function.
        # ``@staticmethod`` over a task in a class body hands the task object on unchanged (and
        # is the only order Celery accepts there)
        receiver = next(
            (
                d
                for d in reversed(above)
                if not self._of_task_class(d, task, ctx) and not (task.is_method and _staticmethod(d))
            ),
            None,
        )
        if receiver is not None:
            yield Report(
                task.decorator,
                "the task decorator is not the outermost decorator: list it first, above the others",
                task,
                calls=frozenset({_decorator_key(receiver, ctx)}),
            )

    @classmethod
    def revise(cls, finding: Finding, project: ProjectContext) -> Finding | None:
        """Dropped when the decorator right above the task decorator is written to receive the
        task object."""
        facts = project.facts_by_path().get(finding.path)
        if facts is None:
            return finding
        above = facts.finding_calls.get((finding.code, finding.line, finding.column))
        if above and above <= project.task_consumers:
            return None
        return finding

    @staticmethod
    def _of_task_class(decorator: cst.Decorator, task: TaskDef, ctx: FileContext) -> bool:
        """``@SomeTask.method`` or ``@SomeTask.method(...)`` where ``SomeTask`` is the task's
        ``base=`` class or another task class of the project."""
        expr = decorator.decorator
        callee = expr.func if isinstance(expr, cst.Call) else expr
        if not isinstance(callee, cst.Attribute):
            return False
        owner = ctx.info.qualify(callee.value)
        if owner is not None and owner in ctx.index.task_classes:
            return True
        base = task.option("base")
        node = base.node.value if base is not None and isinstance(base.node, cst.Arg) else None
        return node is not None and dotted_name(node) == dotted_name(callee.value)


def _decorator_key(decorator: cst.Decorator, ctx: FileContext) -> str:
    """The decorator's qualified name, with ``()`` when it is called (a factory's product); an
    expression that names no function gives a key no project function has."""
    expr = decorator.decorator
    called = isinstance(expr, cst.Call)
    callee = expr.func if isinstance(expr, cst.Call) else expr
    name = ctx.info.qualify_local(callee) if isinstance(callee, (cst.Name, cst.Attribute)) else None
    if not name:
        return "?"
    return name + CALLED if called else name


def _staticmethod(decorator: cst.Decorator) -> bool:
    return isinstance(decorator.decorator, cst.Name) and decorator.decorator.value == "staticmethod"
