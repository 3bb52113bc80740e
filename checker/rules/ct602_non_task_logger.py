from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker import body
from checker.model import Finding, Section, Severity
from checker.project import ProjectContext
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef

_GET_LOGGER = frozenset({"logging.getLogger"})


class NonTaskLogger(TaskRule):
    """
    ## What it does
    Checks for tasks that log through a logger made by `logging.getLogger(...)` rather than
    `celery.utils.log.get_task_logger(...)`. Not reported when any module of the project
    connects a receiver to `celery.signals.setup_logging` (`@setup_logging.connect`,
    `setup_logging.connect(receiver)`, under any import spelling): Celery then leaves logging
    to the project and installs no task-aware formatter, so `get_task_logger` adds nothing.

    ## Why is this bad?
    The task logger adds the task's name and id to every record (with the worker's task log
    format), so a line in the logs leads back to one run of one task. A plain module logger loses
    that, and correlating failures with task runs gets hard.

    ## Example
    ```python
    logger = logging.getLogger(__name__)

    @shared_task
    def sync(user_id):
        logger.info("syncing %s", user_id)
    ```

    ## Use instead
    ```python
    logger = get_task_logger(__name__)

    @shared_task
    def sync(user_id):
        logger.info("syncing %s", user_id)
    ```
    """

    code = "CT602"
    name = "non-task-logger"
    section = Section.OBSERVABLE
    severity = Severity.INFO
    opt_in = True
    checklist = "Logs through the task logger"
    VALID = [
        "from celery import shared_task\nfrom celery.utils.log import get_task_logger\n\n"
        "logger = get_task_logger(__name__)\n\n@shared_task\ndef f():\n    logger.info('x')\n",
        "import logging\nfrom celery import shared_task\n\nlogger = logging.getLogger(__name__)\n\n"
        "def helper():\n    logger.info('not a task')\n",
        {
            "proj/celery.py": "from celery import Celery, signals\n\napp = Celery('proj')\n\n"
            "@signals.setup_logging.connect\ndef use_django_logging(**kwargs):\n    pass\n",
            "proj/tasks.py": "import logging\nfrom celery import shared_task\n\n"
            "logger = logging.getLogger(__name__)\n\n@shared_task\ndef f():\n    logger.info('x')\n",
        },
        {
            "proj/celery.py": "from celery.signals import setup_logging as on_setup\n"
            "from logging.config import dictConfig\n\ndef configure(**kwargs):\n    dictConfig({})\n\n"
            "on_setup.connect(configure)\n",
            "proj/tasks.py": "import logging\nfrom celery import shared_task\n\n"
            "logger = logging.getLogger(__name__)\n\n@shared_task\ndef f():\n    logger.info('x')\n",
        },
    ]
    INVALID = [
        "import logging\nfrom celery import shared_task\n\nlogger = logging.getLogger(__name__)\n\n"
        "@shared_task\ndef f():\n    logger.info('x')\n",
        "from logging import getLogger\nfrom celery import shared_task\n\n@shared_task\ndef f():\n"
        "    log = getLogger('tasks')\n    log.warning('x')\n",
        # another signal
        {
            "proj/celery.py": "from celery import Celery, signals\n\napp = Celery('proj')\n\n"
            "@signals.after_setup_logger.connect\ndef add_handler(logger, **kwargs):\n    pass\n",
            "proj/tasks.py": "import logging\nfrom celery import shared_task\n\n"
            "logger = logging.getLogger(__name__)\n\n@shared_task\ndef f():\n    logger.info('x')\n",
        },
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.run is None:
            return
        loggers = {
            name
            for name, value in ctx.info.assignments.items()
            if isinstance(value, cst.Call) and ctx.info.qualify(value.func) in _GET_LOGGER
        }
        for node in body.nodes(task.run.body):
            if (
                isinstance(node, cst.Assign)
                and isinstance(node.value, cst.Call)
                and ctx.info.qualify(node.value.func) in _GET_LOGGER
            ):
                loggers.update(t.target.value for t in node.targets if isinstance(t.target, cst.Name))
        if not loggers:
            return
        for call in body.calls(task.run.body):
            func = call.func
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in body.LOG_METHODS
                and isinstance(func.value, cst.Name)
                and func.value.value in loggers
            ):
                yield Report(
                    call,
                    f"`{func.value.value}` comes from `logging.getLogger`: use "
                    "`celery.utils.log.get_task_logger` to tag records with the task",
                    task,
                )
                return

    @classmethod
    def revise(cls, finding: Finding, project: ProjectContext) -> Finding | None:
        """Dropped when the project connects ``setup_logging`` (no task-aware formatter)."""
        return None if any(f.connects_setup_logging for f in project.files) else finding
