from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule


class EnqueueInLoop(Rule):
    """
    ## What it does
    Checks for `.delay()` / `.apply_async()` of one of the project's tasks inside a loop or a
    comprehension.

    ## Why is this bad?
    Each call is a round trip to the broker, made one after another by the caller; a loop over
    ten thousand rows is ten thousand publishes while the request or task waits. `group(...)`
    sends them as one unit (and lets you wait for or chain the lot), `chunks(...)` batches many
    small calls into fewer messages.

    ## Example
    ```python
    for user_id in user_ids:
        send_digest.delay(user_id)
    ```

    ## Use instead
    ```python
    group(send_digest.s(user_id) for user_id in user_ids).apply_async()
    # or: send_digest.chunks(((u,) for u in user_ids), 100).apply_async()
    ```
    """

    code = "CT503"
    name = "enqueue-in-loop"
    section = Section.OPTIMIZED
    severity = Severity.INFO
    checklist = "Callers enqueue in bulk, not in loops"
    VALID = [
        {
            "shop/tasks.py": "from celery import shared_task, group\n\n@shared_task\ndef send(x):\n    pass\n\n"
            "def send_all(xs):\n    group(send.s(x) for x in xs).apply_async()\n",
        },
        "from celery import shared_task\n\n@shared_task\ndef send(x):\n    pass\n\n"
        "def send_all(xs):\n    for x in xs:\n        mailer.delay(x)\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\ndef send(x):\n    pass\n\n"
        "def send_all(xs):\n    for x in xs:\n        send.delay(x)\n",
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send(x):\n    pass\n",
            "shop/views.py": "from shop.tasks import send\n\ndef send_all(xs):\n"
            "    return [send.apply_async((x,)) for x in xs]\n",
        },
        {  # a task registered in call form is enqueued through the name it is bound to
            "shop/tasks.py": "from proj.celery import app\n\ndef _send(x):\n    pass\n\n"
            "send = app.task(name='mail.send')(_send)\n",
            "shop/views.py": "from shop import tasks\n\ndef send_all(xs):\n    for x in xs:\n"
            "        tasks.send.delay(x)\n",
        },
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        for site, task in project.enqueued():
            if site.in_loop and site.method in ("delay", "apply_async"):
                yield ProjectReport(
                    site.where,
                    f"`{task.name}` is enqueued once per loop iteration: use `group(...)` or `.chunks(...)`",
                    task,
                )
