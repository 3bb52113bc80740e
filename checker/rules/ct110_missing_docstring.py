from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef


class MissingDocstring(TaskRule):
    """
    ## What it does
    Checks that every task has a docstring (on the function, or on the task class or its `run`).

    ## Why is this bad?
    Tasks are entry points called from far away: views, beat, other services. Flower, the
    `celery inspect registered` output and code review all show the task without its caller; the
    docstring is where its contract (arguments, idempotency, side effects) belongs.

    ## Example
    ```python
    @shared_task
    def reindex(shop_id): ...
    ```

    ## Use instead
    ```python
    @shared_task
    def reindex(shop_id):
        \"\"\"Rebuild the search index of one shop. Idempotent.\"\"\"
    ```
    """

    code = "CT110"
    name = "missing-docstring"
    section = Section.DEFINED
    severity = Severity.INFO
    opt_in = True
    checklist = "Has a docstring"
    VALID = [
        "from celery import shared_task\n\n@shared_task\ndef f():\n    '''Do the thing.'''\n",
        "from celery import Task\n\nclass T(Task):\n    '''Do the thing.'''\n\n"
        "    def run(self):\n        pass\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\ndef f():\n    pass\n",
        "from proj.celery import app\n\n@app.task\ndef f():\n    # not a docstring\n    return 1\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.run is None:
            return
        candidates: list[cst.FunctionDef | cst.ClassDef] = [task.run]
        if isinstance(task.node, cst.ClassDef):
            candidates.append(task.node)
        if all(node.get_docstring() is None for node in candidates):
            yield Report(task.anchor, "the task has no docstring", task)
