from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef


class AsyncTask(TaskRule):
    """
    ## What it does
    Checks that the task function is a plain `def`, not an `async def`.

    ## Why is this bad?
    The worker calls the task function and stores what it returns. An `async def` returns a
    coroutine that nobody awaits: the body never runs, the task reports SUCCESS, and Python warns
    "coroutine was never awaited" in the worker log.

    ## Example
    ```python
    @shared_task
    async def fetch(url):
        async with httpx.AsyncClient() as client:
            return (await client.get(url)).text
    ```

    ## Use instead
    ```python
    @shared_task
    def fetch(url):
        return asyncio.run(_fetch(url))
    ```
    """

    code = "CT104"
    name = "async-task"
    section = Section.DEFINED
    severity = Severity.ERROR
    checklist = "The task function is synchronous"
    VALID = [
        "from celery import shared_task\n\n@shared_task\ndef f():\n    return asyncio.run(g())\n",
        "from celery import shared_task\n\nasync def helper():\n    pass\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\nasync def f():\n    pass\n",
        "from proj.celery import app\n\n@app.task(bind=True)\nasync def f(self):\n    pass\n",
        "from celery import Task\n\nclass T(Task):\n    async def run(self):\n        pass\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.run is not None and task.run.asynchronous is not None:
            yield Report(
                task.run.asynchronous,
                "the task function is `async def`: the worker never awaits it; make it a plain `def`",
                task,
            )
