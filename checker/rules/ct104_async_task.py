from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef


class AsyncTask(TaskRule):
    """
    ## What it does
    Checks that the task function is a plain `def`, not an `async def`.

    Not reported when the project's own decorator factory hands Celery a wrapper instead of the
    function (`app.task(run_coroutine(fn))`): the wrapper may run the coroutine to its end
    (`asyncio.run`, `loop.run_until_complete`, `async_to_sync`).

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
        # the project's factory registers a wrapper that runs the coroutine
        {
            "proj/deco.py": "import asyncio\nfrom celery import shared_task\n\n"
            "def run_coroutine(fn):\n    def run(*args, **kwargs):\n        return asyncio.run(fn(*args, **kwargs))\n"
            "    return run\n\ndef async_task(fn):\n    runner = run_coroutine(fn)\n"
            "    return shared_task(runner)\n",
            "proj/tasks.py": "from proj.deco import async_task\n\n@async_task\nasync def f():\n    pass\n",
        },
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\nasync def f():\n    pass\n",
        "from proj.celery import app\n\n@app.task(bind=True)\nasync def f(self):\n    pass\n",
        "from celery import Task\n\nclass T(Task):\n    async def run(self):\n        pass\n",
        # a factory that registers the function itself
        {
            "proj/deco.py": "from celery import shared_task\n\ndef audited(fn):\n"
            "    return shared_task(acks_late=True)(fn)\n",
            "proj/tasks.py": "from proj.deco import audited\n\n@audited\nasync def f():\n    pass\n",
        },
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        factory = ctx.index.factories.get(task.factory) if task.factory is not None else None
        if factory is not None and factory.wrapped:
            return  # the worker calls the factory's wrapper, which may well run the coroutine
        if task.run is not None and task.run.asynchronous is not None:
            yield Report(
                task.run.asynchronous,
                "the task function is `async def`: the worker never awaits it; make it a plain `def`",
                task,
            )
