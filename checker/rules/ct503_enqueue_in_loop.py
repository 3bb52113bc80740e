from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule


class EnqueueInLoop(Rule):
    """
    ## What it does
    Checks for `.delay()` / `.apply_async()` of one of the project's tasks reached on every
    iteration of a loop or a comprehension, with arguments derived from the loop variable: a
    fan-out, one message per item.

    Not reported:
    - a dispatch: the enqueue sits under an `if`/`elif`/`match` (or an `except`, a conditional
      expression, a filtered comprehension) inside the loop, so not every iteration sends; or its
      arguments do not depend on the loop variable;
    - a loop over pre-made batches, which already does what `chunks()` would: `range(0, n, step)`
      with the enqueue passing a slice, a `batched`/`chunked`/`chunks`/`grouper`-like helper, a
      loop variable or iterable whose name says batch or chunk (`for ids_batch in id_batches`).

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
        # a dispatch on the loop value: at most one send per kind
        "from celery import shared_task\n\n@shared_task\ndef rebuild(scope):\n    pass\n\n"
        "def refresh(kinds, scope):\n    for kind in kinds:\n        if kind == 'index':\n"
        "            rebuild.delay(scope)\n",
        # arguments independent of the loop variable
        "from celery import shared_task\n\n@shared_task\ndef ping():\n    pass\n\n"
        "def wait(tries):\n    for _ in range(tries):\n        ping.delay()\n",
        # pre-made batches: a stepped range and a slice, a helper, a name saying batch
        "from celery import shared_task\n\n@shared_task\ndef mark(ids):\n    pass\n\n"
        "def mark_all(ids):\n    for i in range(0, len(ids), 100):\n        mark.delay(ids[i : i + 100])\n"
        "    for i in range(0, len(ids), 100):\n        batch = ids[i : i + 100]\n        mark.delay(batch)\n"
        "    for part in batched(ids, 100):\n        mark.delay(part)\n"
        "    for ids_chunk in split(ids):\n        mark.delay(ids_chunk)\n",
        # accumulate, then send a batch when it is full: not every iteration
        "from celery import shared_task\n\n@shared_task\ndef drop(paths):\n    pass\n\n"
        "def drop_all(rows):\n    paths = []\n    for row in rows:\n        paths.append(row.path)\n"
        "        if len(paths) >= 100:\n            drop.delay(paths)\n            paths = []\n",
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
        # an argument derived from the loop variable through a local name
        "from celery import shared_task\n\n@shared_task\ndef send(x):\n    pass\n\n"
        "def send_all(users):\n    for user in users:\n        key = user.pk\n"
        "        send.apply_async(kwargs={'user_id': key}, queue='mail')\n",
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        for site, task in project.enqueued():
            if site.fan_out and site.method in ("delay", "apply_async"):
                yield ProjectReport(
                    site.where,
                    f"`{task.name}` is enqueued once per loop iteration: use `group(...)` or `.chunks(...)`",
                    task,
                )
