from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker import body
from checker.model import Finding, Section, Severity
from checker.project import ProjectContext
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef
from checker.values import dotted_name


class PrintInTask(TaskRule):
    """
    ## What it does
    Checks for `print(...)` in the task body. Not reported in the body of an `if` whose test is a
    debug flag: `if DEBUG:`, `if settings.DEBUG:` (any name or attribute chain ending in `DEBUG`,
    such as `app.conf.DEBUG`), or an `and` of such a flag with other conditions
    (`if settings.DEBUG and verbose:`). The `else` branch of such an `if` is still checked.
    Nor for a task that does nothing but print its own request (Celery's `debug_task` example,
    `print(f"Request: {self.request!r}")` in a bound task) or a fixed message (`print("Hello!")`,
    perhaps returning a literal): a tool to see that the worker runs, whose output is the point.
    Nor in a project that sets `worker_redirect_stdouts_level` (any spelling, such as
    `CELERY_WORKER_REDIRECT_STDOUTS_LEVEL`) to `INFO` or `DEBUG`: it has the worker log what
    tasks print as ordinary records on purpose (a handler on the root logger may collect them
    per task, which `get_task_logger`'s loggers, not propagating, would bypass).

    ## Why is this bad?
    `print` writes to the worker's stdout, which Celery redirects to its logger at WARNING level by default,
    without the task's name or id (or discards, depending on `worker_redirect_stdouts`). The
    output cannot be filtered, correlated with a task run, or routed like the rest of the logs.

    ## Example
    ```python
    @shared_task
    def import_rows(path):
        print("importing", path)
    ```

    ## Use instead
    ```python
    logger = get_task_logger(__name__)

    @shared_task
    def import_rows(path):
        logger.info("importing %s", path)
    ```
    """

    code = "CT601"
    name = "print-in-task"
    section = Section.OBSERVABLE
    severity = Severity.INFO
    checklist = "Logs through a logger, not print"
    VALID = [
        # the worker logs what tasks print at INFO, on purpose
        {
            "proj/settings.py": "CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = 'INFO'\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f(x):\n    print('got', x)\n",
        },
        # Celery's ``debug_task``
        "from celery import Celery\n\napp = Celery('proj')\n\n@app.task(bind=True, ignore_result=True)\n"
        "def debug_task(self):\n    print(f'Request: {self.request!r}')\n",
        # a smoke-test task: its output is the point
        "from celery import Celery\n\napp = Celery('proj')\n\n@app.task\n"
        'def debug_task():\n    """A test task"""\n    print(\'Hello!\')\n    return True\n',
        "from celery import Celery\n\napp = Celery('proj')\n\n@app.task(name='dummy_task')\n"
        "def dummy_task():\n    result = 'hello world'\n    print(result)\n    return result\n",
        "from celery import shared_task\nfrom celery.utils.log import get_task_logger\n\n"
        "logger = get_task_logger(__name__)\n\n@shared_task\ndef f():\n    logger.info('x')\n",
        "from celery import shared_task\n\ndef helper():\n    print('not a task')\n",
        "from celery import shared_task\nfrom django.conf import settings\n\n@shared_task\ndef f(x):\n"
        "    if settings.DEBUG:\n        print('got', x)\n",
        "from celery import shared_task\n\nDEBUG = False\n\n@shared_task\ndef f(x):\n"
        "    for y in x:\n        if DEBUG and y:\n            print('got', y)\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\ndef f(x):\n    print('got', x)\n",
        {  # redirected at WARNING, Celery's default, said explicitly
            "proj/settings.py": "CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = 'WARNING'\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f(x):\n    print('got', x)\n",
        },
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self, x):\n"
        "    print(f'Request: {self.request!r}')\n    return x\n",
        "from celery import Task\n\nclass T(Task):\n    def run(self):\n        if True:\n"
        "            print('running')\n",
    ]

    @classmethod
    def revise(cls, finding: Finding, project: ProjectContext) -> Finding | None:
        """Dropped when the project has the worker log what tasks print at INFO or DEBUG."""
        level = project.config.value("worker_redirect_stdouts_level")
        if (
            isinstance(level, str)
            and level.upper() in _LOG_LEVELS
            and project.config.value("worker_redirect_stdouts") is not False
        ):
            return None
        return finding

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.run is None or "print" in ctx.info.imports or "print" in ctx.info.assignments:
            return
        if body.only_reports(task.run, request=bool(task.bound)):
            return  # Celery's ``debug_task``: printing its request (or "Hello!") is all it is for
        for call, ancestors in body.walk(task.run.body):
            if (
                isinstance(call, cst.Call)
                and isinstance(call.func, cst.Name)
                and call.func.value == "print"
                and not _under_debug_flag(ancestors)
            ):
                yield Report(
                    call,
                    "`print()` in a task bypasses the task logger: use `get_task_logger`",
                    task,
                )


def _under_debug_flag(ancestors: tuple[cst.CSTNode, ...]) -> bool:
    """Some ``if`` among the ancestors tests a debug flag, and the node is in its body."""
    for node, below in zip(ancestors, ancestors[1:]):
        if isinstance(node, cst.If) and below is node.body and _debug_flag(node.test):
            return True
    return False


def _debug_flag(test: cst.BaseExpression) -> bool:
    """``DEBUG``, ``settings.DEBUG``, ``app.conf.DEBUG``, or an ``and`` with one of them."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return _debug_flag(test.left) or _debug_flag(test.right)
    dotted = dotted_name(test)
    return dotted is not None and dotted.rpartition(".")[2] == "DEBUG"


# Levels at which the worker's log keeps what a task prints as an ordinary record.
_LOG_LEVELS = frozenset({"DEBUG", "INFO"})
