from __future__ import annotations

import difflib
from collections.abc import Iterator

import libcst as cst

from checker import body
from checker.celery_names import OLD_PERIODIC_OPTIONS, task_option_kinds, value_fits
from checker.model import Finding, Section, Severity
from checker.project import ProjectContext
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef
from checker.values import evaluate

_FACTORY = (
    "from functools import wraps\nfrom celery import shared_task\n\n"
    "def locked_task(**options):\n    timeout = options.pop('lock_timeout', 60)\n\n"
    "    def decorate(func):\n        @wraps(func)\n        def wrapper(*args):\n"
    "            with lock(timeout):\n                return func(*args)\n\n"
    "        return shared_task(**options)(wrapper)\n\n    return decorate\n\n\n"
)


class UnknownTaskOption(TaskRule):
    """
    ## What it does
    Checks every keyword of a task decorator against the options the installed Celery knows:
    the attributes of `celery.Task` plus the decorator-only options (`bind`, `base`, `name`,
    `autoretry_for`, `retry_backoff`, `pydantic`, `shared`, `lazy`, routing options, ...). Tasks
    whose `base=` class the analyser cannot see are skipped, since that class may read any
    attribute; so are the tasks of an app built from a subclass of Celery (`NotifyCelery()` from
    a library), whose own task class may do the same. Under the project's own decorator factory, only the keywords the factory passes on
    to Celery are checked (one it keeps for itself, such as a lock timeout, is no task option);
    when what the factory does with them cannot be followed, none are.

    Not reported either: a keyword close to no known option that three or more of the
    project's tasks set (`verbose_name=`, `description=` on every task): Celery sets every
    decorator keyword as an attribute of the task class, and a project convention is read by
    code of its own (`getattr(task, "verbose_name")`), not a typo. Options of a send or of its
    retry policy (`countdown`, `interval_start`, ...) are reported however many tasks set them.

    The message suggests a close known option ("did you mean `max_retries`?") only when the
    literal value fits that option (a boolean is not meant for `base`, which takes a class; the
    kind of each option comes from the installed Celery's `Task` defaults and settings) and the
    same decorator does not already set it. Otherwise it suggests nothing.

    ## Why is this bad?
    Celery turns every decorator keyword into a class attribute and never complains about one it
    does not know. A typo such as `max_retry=5` or `soft_timelimit=30` silently does nothing, and
    the task runs with the defaults you meant to change.

    ## Example
    ```python
    @shared_task(max_retry=5, acks_lates=True)
    def charge(payment_id): ...
    ```

    ## Use instead
    ```python
    @shared_task(max_retries=5, acks_late=True)
    def charge(payment_id): ...
    ```
    """

    code = "CT107"
    name = "unknown-task-option"
    section = Section.DEFINED
    severity = Severity.ERROR
    checklist = "Every decorator option is one Celery knows"
    VALID = [
        "from celery import shared_task\n\n"
        "@shared_task(bind=True, max_retries=5, acks_late=True, queue='mail', time_limit=30,\n"
        "             autoretry_for=(IOError,), retry_backoff=True, rate_limit='10/m')\n"
        "def f(self):\n    pass\n",
        "from celery import Task, shared_task\n\nclass Locked(Task):\n    lock_ttl = 60\n\n"
        "@shared_task(base=Locked, lock_ttl=120)\ndef f():\n    pass\n",
        "from celery import shared_task\nfrom celery_singleton import Singleton\n\n"
        "@shared_task(base=Singleton, lock_expiry=60)\ndef f():\n    pass\n",
        # custom attributes the task reads from itself
        "from celery import shared_task\n\n@shared_task(bind=True, count=0)\ndef f(self):\n"
        "    self.count += 1\n\n@shared_task(cur=0)\ndef g(n):\n    return g.cur + n\n",
        # the app is built from a library's subclass of Celery, whose task class may read it
        {
            "proj/__init__.py": "from notifications_utils.celery import NotifyCelery\n\n"
            "notify_celery = NotifyCelery()\n",
            "proj/tasks.py": "from proj import notify_celery\n\n"
            "@notify_celery.task(name='deliver', early_log_level=10)\ndef f():\n    pass\n",
        },
        # ``lock_timeout`` is taken by the project's factory, not passed to Celery
        _FACTORY + "@locked_task(lock_timeout=60, time_limit=30)\ndef f():\n    pass\n",
        # a project convention: every task carries a display name, read by the project's code
        "from celery import shared_task\n\n@shared_task(verbose_name='Clean up')\ndef a():\n    pass\n\n"
        "@shared_task(verbose_name='Sync')\ndef b():\n    pass\n\n"
        "@shared_task(verbose_name='Report')\ndef c():\n    pass\n",
    ]
    INVALID = [
        # a send's retry policy, on three tasks: still nothing Celery reads from a task
        "from celery import shared_task\n\n@shared_task(interval_start=5)\ndef a():\n    pass\n\n"
        "@shared_task(interval_start=5)\ndef b():\n    pass\n\n"
        "@shared_task(interval_start=5)\ndef c():\n    pass\n",
        # the same typo on three tasks is still a typo
        "from celery import shared_task\n\n@shared_task(ignore_results=True)\ndef a():\n    pass\n\n"
        "@shared_task(ignore_results=True)\ndef b():\n    pass\n\n"
        "@shared_task(ignore_results=True)\ndef c():\n    pass\n",
        # ``timelimit`` is passed on to Celery by the project's factory
        _FACTORY + "@locked_task(lock_timeout=60, timelimit=30)\ndef f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task(max_retry=5)\ndef f():\n    pass\n",
        # Celery's own class (also under an alias): its task class is Celery's
        "from celery import Celery\n\napp = Celery('proj')\n\n@app.task(max_retry=5)\ndef f():\n    pass\n",
        "import celery\n\nCelery = celery.Celery\napp = Celery('proj')\n\n@app.task(max_retry=5)\n"
        "def f():\n    pass\n",
        "from proj.celery import app\n\n@app.task(bind=True, soft_timelimit=30)\ndef f(self):\n    pass\n",
        "from proj.celery import app\n\ndef _send():\n    pass\n\nsend = app.task(acks_lates=True)(_send)\n",
    ]

    @classmethod
    def revise(cls, finding: Finding, project: ProjectContext) -> Finding | None:
        """Dropped for a keyword close to no known option that several of the project's tasks
        set: a custom attribute (Celery sets every keyword on the task class), read by code
        the analyser does not follow (``getattr(task, attr)``), not a typo."""
        if "did you mean" in finding.message:
            return finding
        keyword = finding.message.split("`")[1] if finding.message.count("`") >= 2 else ""
        if keyword in _SEND_OPTIONS:
            return finding  # a word of Celery's, in the wrong place: no custom attribute
        users = sum(1 for task in project.tasks if keyword in task.set_options)
        return None if users >= _CONVENTION else finding

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.decorator_call is None or not task.base_visible or task.via_wrapper:
            return
        if task.factory is not None and not task.options_complete:
            return  # what the project's factory does with its keywords is not known
        if not ctx.known_options:
            return
        known = ctx.known_options | task.base_attributes | _attributes_read(task)
        if task.old_periodic:
            known = known | OLD_PERIODIC_OPTIONS
        given = {a.keyword.value for a in task.decorator_call.args if a.keyword is not None}
        for arg in task.decorator_call.args:
            if arg.keyword is None or arg.keyword.value in known:
                continue
            option = task.options.get(arg.keyword.value)
            if task.factory is not None and (option is None or option.node is not arg):
                continue  # a keyword the factory keeps (or renames): not a Celery option
            yield Report(arg.keyword, self._message(arg, known - given), task)

    @staticmethod
    def _message(arg: cst.Arg, candidates: frozenset[str]) -> str:
        assert arg.keyword is not None
        message = f"`{arg.keyword.value}` is not a Celery task option: Celery ignores it silently"
        close = difflib.get_close_matches(arg.keyword.value, sorted(candidates), n=3, cutoff=0.75)
        if close:
            kinds = task_option_kinds()
            value = evaluate(arg.value)
            fitting = [name for name in close if value_fits(value, kinds.get(name))]
            if fitting:
                message += f"; did you mean `{fitting[0]}`?"
        return message


# Tasks setting the same unknown keyword that make it a convention of the project's.
_CONVENTION = 3
# Options of a send (``apply_async``) and of its ``retry_policy``: Celery's words, which on the
# decorator do nothing (``interval_start=5`` meant as a retry delay), however many tasks set them.
_SEND_OPTIONS = frozenset(
    {
        "countdown",
        "eta",
        "link",
        "link_error",
        "retry",
        "retry_policy",
        "interval_start",
        "interval_step",
        "interval_max",
        "retry_errors",
    }
)


def _attributes_read(task: TaskDef) -> frozenset[str]:
    """Attributes the body reads from the task itself (``self.count`` or ``<task>.count``):
    custom options set through the decorator on purpose."""
    if task.run is None:
        return frozenset()
    owners = {task.function, *([task.self_name] if task.self_name else [])}
    return frozenset(
        node.attr.value
        for node in body.nodes(task.run.body)
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value in owners
    )
