from __future__ import annotations

from collections.abc import Iterator

from checker import body
from checker.model import Finding, Section, Severity
from checker.project import ProjectContext
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef

_APP = "from celery import Celery\n\napp = Celery('proj', backend='redis://localhost')\n\n"


class UnusedResult(TaskRule):
    """
    ## What it does
    Checks tasks that never return a value and do not set `ignore_result`, in a project whose
    code configures a result backend (`result_backend` / `CELERY_RESULT_BACKEND` in any spelling,
    `Celery(backend=...)`, `app.conf.result_backend`) and does not set `task_ignore_result`.

    `ignore_result` counts wherever the task's options come from: the decorator, a `base=`
    class, the `Task` subclass's attributes, `task_annotations` (for `"*"` or the task's name),
    as for CT201's time limits.

    Not reported without a result backend in the code: Celery's default is none, and then
    nothing is stored. A backend read from the environment with no default or a None/empty one
    (`os.environ.get("CELERY_RESULT_BACKEND")`) does not count either: the code cannot tell
    whether it is set, and a wrong finding is worse than none.

    ## Why is this bad?
    With a result backend configured, Celery stores every task's return value and state, `None`
    included: a write per task to Redis or the database, kept for `result_expires` (a day by
    default). For fire-and-forget tasks that is load and memory spent for nothing.

    ## Example
    ```python
    @shared_task
    def send_welcome_email(user_id):
        mail.send(...)
    ```

    ## Use instead
    ```python
    @shared_task(ignore_result=True)
    def send_welcome_email(user_id):
        mail.send(...)
    ```
    """

    code = "CT501"
    name = "unused-result"
    section = Section.OPTIMIZED
    severity = Severity.INFO
    checklist = "Stores a result only when one is used"
    satisfied_by_settings = ("task_ignore_result",)
    satisfied_by_options = ("ignore_result",)
    VALID = [
        _APP + "@app.task\ndef add(x, y):\n    return x + y\n",
        _APP + "@app.task(ignore_result=True)\ndef f():\n    g()\n",
        "from celery import Celery\n\napp = Celery('proj', backend='redis://', task_ignore_result=True)\n\n"
        "@app.task\ndef f():\n    g()\n",
        # no result backend configured: nothing is stored
        "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
        # a backend from the environment, None when unset: cannot tell
        {
            "proj/settings.py": "import os\nCELERY_RESULT_BACKEND = os.environ.get('CELERY_RESULT_BACKEND', None)\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
        },
        # ignore_result from the base class or task_annotations
        _APP
        + "class Quiet(app.Task):\n    ignore_result = True\n\n@app.task(base=Quiet)\ndef f():\n    g()\n",
        _APP + "app.conf.task_annotations = {'proj.tasks.f': {'ignore_result': True}}\n\n"
        "@app.task\ndef f():\n    g()\n",
    ]
    INVALID = [
        _APP + "@app.task\ndef f():\n    g()\n",
        {
            "proj/settings.py": "CELERY_RESULT_BACKEND = 'django-db'\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f(x):\n"
            "    if not x:\n        return None\n    g(x)\n    return\n",
        },
        {
            "proj/settings.py": "import os\n"
            "CELERY_RESULT_BACKEND = os.environ.get('CELERY_RESULT_BACKEND', 'redis://localhost')\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
        },
    ]

    @classmethod
    def revise(cls, finding: Finding, project: ProjectContext) -> Finding | None:
        return finding if project.config.result_backend() else None

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.run is None or not task.options_complete or task.is_set("ignore_result"):
            return
        if body.returns_value(task.run) or _uses_result_backend(task):
            return
        yield Report(
            task.anchor,
            "the task returns nothing but its result is stored: set `ignore_result=True`",
            task,
        )


def _uses_result_backend(task: TaskDef) -> bool:
    """The body reports progress through the result backend (``self.update_state``)."""
    receiver = task.self_name
    if receiver is None or task.run is None:
        return False
    return any(
        body.method_call(call, receiver, "update_state") or body.method_call(call, receiver, "replace")
        for call in body.calls(task.run.body)
    )
