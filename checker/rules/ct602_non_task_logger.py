from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker import body
from checker.loggers import ANY_LOGGER
from checker.model import Finding, Section, Severity
from checker.project import ProjectContext
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef
from checker.values import string_value

_GET_LOGGER = frozenset({"logging.getLogger"})


class NonTaskLogger(TaskRule):
    """
    ## What it does
    Checks for tasks that log through a logger made by `logging.getLogger(...)` rather than
    `celery.utils.log.get_task_logger(...)`.

    Not reported:
    - when any module of the project connects a receiver to `celery.signals.setup_logging`
      (`@setup_logging.connect`, `setup_logging.connect(receiver)`, under any import spelling):
      Celery then leaves logging to the project and installs no task-aware formatter, so
      `get_task_logger` adds nothing;
    - when the project's logging configuration (Django's `LOGGING`, a dict passed to
      `logging.config.dictConfig`, outside test code) gives handlers to the logger the task logs
      through or to one above it: the name given to `getLogger` (`"k.task"` is under `"k"`), or
      the task's module for `getLogger(__name__)` (`"proj"` or `"proj.tasks"` for `proj.tasks`):
      `get_task_logger` would take the task's records away from those handlers (see below).
      Handlers on the root logger only do not count: the worker takes over the root logger.
      A configuration whose loggers cannot be read (`dictConfig(config)` of a dict built in a
      function, `"loggers"` built in a loop over the installed apps) may route any logger: no
      finding then.

    ## Why is this bad?
    The task logger adds the task's name and id to every record (with the worker's task log
    format), so a line in the logs leads back to one run of one task. A plain module logger loses
    that, and correlating failures with task runs gets hard.

    The switch has a side effect: `get_task_logger(name)` makes the `celery.task` logger the
    parent of the module's logger, and the worker stops `celery.task` from propagating. Handlers
    the project attached to the module's package logger (a file handler on `"proj"`) no longer
    receive the task's records. That is why a project that routes its own package logger to its
    own handlers is not asked to switch.

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
    When the project's logging configuration sends its package logger (`"proj"`) to handlers
    of its own, keep `logging.getLogger(__name__)`, or configure the same handlers for
    `celery.task` too before switching.
    """

    code = "CT602"
    name = "non-task-logger"
    section = Section.OBSERVABLE
    severity = Severity.INFO
    opt_in = True
    checklist = "Logs through the task logger"
    VALID = [
        # a logging configuration built at run time, with a logger for every installed app
        {
            "shop/tasks.py": "import logging\nfrom celery import shared_task\n\n"
            "logger = logging.getLogger(__name__)\n\n@shared_task\ndef f():\n    logger.info('x')\n",
            "shop/logs.py": "import logging.config\nfrom django.apps import apps\n\ndef configure():\n"
            "    config = {'version': 1, 'handlers': {'file': {'class': 'logging.FileHandler'}}}\n"
            "    config['loggers'] = {a.name: {'handlers': ['file']} for a in apps.get_app_configs()}\n"
            "    logging.config.dictConfig(config=config)\n",
        },
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
        # a named logger under one the configuration gives its own handlers
        {
            "proj/settings.py": "LOGGING = {\n    'version': 1,\n"
            "    'handlers': {'file': {'class': 'logging.FileHandler', 'filename': 'k.log'}},\n"
            "    'loggers': {'k': {'handlers': ['file'], 'propagate': False}},\n}\n",
            "proj/tasks.py": "import logging\nfrom celery import shared_task\n\n"
            "log = logging.getLogger('k.task')\n\n@shared_task\ndef f():\n    log.info('x')\n",
        },
        # the project routes its package logger to its own handlers: get_task_logger would take
        # the task's records away from them
        {
            "proj/settings.py": "LOGGING = {\n    'version': 1,\n"
            "    'handlers': {'file': {'class': 'logging.FileHandler', 'filename': 'proj.log'}},\n"
            "    'loggers': {'proj': {'handlers': ['file'], 'level': 'WARNING'}},\n}\n",
            "proj/tasks.py": "import logging\nfrom celery import shared_task\n\n"
            "logger = logging.getLogger(__name__)\n\n@shared_task\ndef f():\n    logger.info('x')\n",
        },
        {
            "proj/logs.py": "import logging.config\n\ndef configure():\n    logging.config.dictConfig({\n"
            "        'version': 1,\n        'handlers': {'out': {'class': 'logging.StreamHandler'}},\n"
            "        'loggers': {'proj.tasks': {'handlers': ['out']}},\n    })\n",
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
        # handlers on the root logger only (the worker takes it over), on another package, or
        # in test settings; a logger given no handlers
        {
            "proj/settings.py": "LOGGING = {\n    'version': 1,\n"
            "    'handlers': {'console': {'class': 'logging.StreamHandler'}},\n"
            "    'root': {'handlers': ['console']},\n"
            "    'loggers': {\n        '': {'handlers': ['console']},\n"
            "        'project': {'handlers': ['console']},\n        'proj.views': {'handlers': ['console']},\n"
            "        'proj': {'level': 'INFO'},\n    },\n}\n",
            "proj/test_settings.py": "LOGGING = {'version': 1, 'loggers': {'proj': {'handlers': ['console']}}}\n",
            "proj/tasks.py": "import logging\nfrom celery import shared_task\n\n"
            "logger = logging.getLogger(__name__)\n\n@shared_task\ndef f():\n    logger.info('x')\n",
        },
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.run is None:
            return
        # the variables bound to ``logging.getLogger(...)``, with the logger's name
        loggers = {
            name: _logger_name(value, ctx.info.name)
            for name, value in ctx.info.assignments.items()
            if isinstance(value, cst.Call) and ctx.info.qualify(value.func) in _GET_LOGGER
        }
        for node in body.nodes(task.run.body):
            if (
                isinstance(node, cst.Assign)
                and isinstance(node.value, cst.Call)
                and ctx.info.qualify(node.value.func) in _GET_LOGGER
            ):
                named = _logger_name(node.value, ctx.info.name)
                loggers.update(
                    (t.target.value, named) for t in node.targets if isinstance(t.target, cst.Name)
                )
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
                    logger=loggers[func.value.value],
                )
                return

    @classmethod
    def revise(cls, finding: Finding, project: ProjectContext) -> Finding | None:
        """Dropped when the project connects ``setup_logging`` (no task-aware formatter), or
        when its logging configuration gives handlers to the logger the task logs through or to
        one above it (the task logger would take the records away from them)."""
        if any(f.connects_setup_logging for f in project.files):
            return None
        facts = project.facts_by_path().get(finding.path)
        if facts is None:
            return finding
        logger = facts.finding_loggers.get((finding.code, finding.line, finding.column), facts.module)
        if logger and any(
            name == ANY_LOGGER or logger == name or logger.startswith(name + ".")
            for name in project.configured_loggers
        ):
            return None
        return finding


def _logger_name(call: cst.Call, module: str) -> str:
    """The name given to ``logging.getLogger``: a string literal, else the module's (``__name__``,
    or a name the analyser cannot read)."""
    if call.args:
        literal = string_value(call.args[0].value)
        if literal is not None:
            return literal
    return module
