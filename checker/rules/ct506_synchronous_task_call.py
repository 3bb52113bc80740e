from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule


class SynchronousTaskCall(Rule):
    """
    ## What it does
    Checks for a task that calls another of the project's tasks directly, `other_task(...)`,
    instead of enqueueing it. Not reported when that call is the task's whole body (ignoring a
    docstring: `return other_task(a, b)` or `other_task(*args, **kwargs)` alone, passing on only
    the task's own parameters): such a task is an alias, kept so that messages queued under an
    old name still run.

    ## Why is this bad?
    Calling a task object runs its function inline, in the calling worker: no separate retry,
    time limit, queue or result of its own, and the caller holds its slot for both. If that is
    what you want, call a plain function both tasks share; otherwise enqueue the other task, or
    chain the two.

    ## Example
    ```python
    @shared_task
    def import_feed(url):
        rows = fetch(url)
        reindex(rows)  # another task, run inline
    ```

    ## Use instead
    ```python
    @shared_task
    def import_feed(url):
        rows = fetch(url)
        reindex.delay(rows)
    ```
    """

    code = "CT506"
    name = "synchronous-task-call"
    section = Section.OPTIMIZED
    severity = Severity.INFO
    checklist = "Enqueues other tasks instead of calling them"
    VALID = [
        "from celery import shared_task\n\n@shared_task\ndef reindex(rows):\n    pass\n\n"
        "@shared_task\ndef import_feed(url):\n    reindex.delay([url])\n",
        "from celery import shared_task\n\ndef _reindex(rows):\n    pass\n\nreindex = shared_task(_reindex)\n\n"
        "@shared_task\ndef import_feed(url):\n    _reindex([url])\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\ndef reindex(rows):\n    pass\n\n"
        "@shared_task\ndef import_feed(url):\n    reindex([url])\n",
        {
            "shop/search.py": "from celery import shared_task\n\n@shared_task\ndef reindex(rows):\n    pass\n",
            "shop/feeds.py": "from celery import shared_task\nfrom shop import search\n\n"
            "@shared_task(bind=True)\ndef import_feed(self, url):\n    search.reindex([url])\n",
        },
        # the call is not the whole body
        "from celery import shared_task\n\n@shared_task\ndef reindex(rows):\n    pass\n\n"
        "@shared_task\ndef import_feed(url):\n    rows = [url]\n    return reindex(rows)\n",
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        tasks = project.task_objects()
        callers = project.task_by_key()
        for facts in project.files:
            for call in facts.direct_calls:
                task = tasks.get(call.target)
                caller = callers.get(call.caller)
                if task is None or caller is None or task.key == caller.key or call.forwards:
                    continue
                yield ProjectReport(
                    call.where,
                    f"`{task.name}` is called directly and runs inline in this worker: enqueue it with `.delay()`",
                    caller,
                )
