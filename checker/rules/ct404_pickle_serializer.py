from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import FileContext, ProjectReport, Report, Rule
from checker.values import iter_items

_SERIALIZER_SETTINGS = frozenset({"task_serializer"})
_RESULT_SETTINGS = frozenset({"result_serializer", "result_accept_content"})
_ACCEPT_SETTINGS = frozenset({"accept_content", "result_accept_content"})
_PICKLE = frozenset({"pickle", "application/x-python-serialize"})
MESSAGE = "pickle lets anyone who can write to the broker run code on the workers: use json"
RESULT_MESSAGE = (
    "results are pickled into the result backend: anyone who can write to the result store can run "
    "code in every process that reads a result: use json"
)


class PickleSerializer(Rule):
    """
    ## What it does
    Checks for the pickle serializer: `serializer="pickle"` on a task, `task_serializer` set to
    `"pickle"`, or `accept_content` admitting pickle, in any spelling of the Celery
    configuration. `result_serializer = "pickle"` (or `result_accept_content` admitting pickle)
    is reported only when a result backend is configured (`result_backend`,
    `CELERY_RESULT_BACKEND`, `Celery(backend=...)`), as a risk of the result store: without a
    backend no result is serialized at all.

    ## Why is this bad?
    Unpickling runs code. Anyone who can write a message to the broker (a leaked broker password,
    a shared Redis, a compromised service) can then execute arbitrary code on every worker.
    Pickle also ties messages to Python and to the exact classes of the sender. Pickled results
    are the same risk on the result store: whoever can write to it runs code in the process that
    fetches a result.

    ## Example
    ```python
    app.conf.update(task_serializer="pickle", accept_content=["pickle", "json"])
    ```

    ## Use instead
    ```python
    app.conf.update(task_serializer="json", accept_content=["json"])
    ```
    """

    code = "CT404"
    name = "pickle-serializer"
    section = Section.DEPLOYED
    severity = Severity.WARNING
    checklist = "Messages are not pickled"
    per_task = False
    VALID = [
        # a pickle serializer in test settings only
        {"proj/settings/test.py": "CELERY_TASK_SERIALIZER = 'pickle'\n"},
        "from celery import Celery\n\napp = Celery('proj')\n"
        "app.conf.update(task_serializer='json', accept_content=['json'])\n",
        "from celery import shared_task\n\n@shared_task(serializer='json')\ndef f():\n    pass\n",
        # a pickled result with no result backend: nothing is stored
        {
            "proj/celery.py": "from celery import Celery\n\napp = Celery('proj')\n"
            "app.config_from_object('proj.worker_config')\n",
            "proj/worker_config.py": "result_serializer = 'pickle'\n",
        },
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task(serializer='pickle')\ndef f():\n    pass\n",
        {"proj/settings/production.py": "CELERY_TASK_SERIALIZER = 'pickle'\n"},
        "from celery import Celery\n\napp = Celery('proj')\napp.conf.accept_content = ['json', 'pickle']\n",
        {
            "proj/celery.py": "from celery import Celery\n\napp = Celery('proj')\n"
            "app.config_from_object('proj.worker_config')\n",
            "proj/worker_config.py": "result_serializer = 'pickle'\nresult_backend = 'redis://localhost'\n",
        },
    ]

    def check(self, ctx: FileContext) -> Iterator[Report]:
        for task in ctx.tasks:
            option = task.option("serializer")
            if option is not None and option.origin != "base" and option.value in _PICKLE:
                yield Report(option.node or task.anchor, f"`serializer='pickle'`: {MESSAGE}", task)

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        backend = project.config.result_backend()
        for setting in project.config.reportable():
            if setting.name in _RESULT_SETTINGS:
                if backend and any(isinstance(i, str) and i in _PICKLE for i in iter_items(setting.value)):
                    verb = "admits" if setting.name in _ACCEPT_SETTINGS else "is"
                    yield ProjectReport(setting.where, f"`{setting.raw}` {verb} pickle: {RESULT_MESSAGE}")
            elif setting.name in _SERIALIZER_SETTINGS and setting.value in _PICKLE:
                yield ProjectReport(setting.where, f"`{setting.raw}` is pickle: {MESSAGE}")
            elif setting.name in _ACCEPT_SETTINGS:
                items = iter_items(setting.value)
                if any(isinstance(item, str) and item in _PICKLE for item in items):
                    yield ProjectReport(setting.where, f"`{setting.raw}` admits pickle: {MESSAGE}")
