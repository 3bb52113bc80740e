from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule


class EnqueueInLoop(Rule):
    """
    ## What it does
    Checks for a loop (or comprehension) that re-implements a group: it enqueues one of the
    project's tasks with `.delay()` / `.apply_async()` on every iteration, with arguments derived
    from the loop variable, **and collects the AsyncResults**: the enqueue is the element of a
    comprehension whose value is used (a list bound to `_`, or to a name the function never reads
    again, is not), an argument of `.append(...)`/`.add(...)`, yielded, stored
    under a key, or bound to a name that is appended or yielded.

    This is narrower than "an enqueue reached on every iteration with arguments derived from the
    loop variable": that condition still has to hold, and in addition the results must be
    collected. A loop that only sends (`for u in users: send.delay(u)`) is not reported: one
    message per item is what a group would publish too, and per-item tasks are usually deliberate.

    Not reported either:
    - a dispatch: the enqueue sits under an `if`/`elif`/`match` (or an `except`, a conditional
      expression, a filtered comprehension) inside the loop, or comes after a statement that may
      leave the iteration (`if ...: continue`, `break`, `return`, `raise`), so not every
      iteration sends; or its arguments do not depend on the loop variable;
    - a loop over pre-made batches, which already does what `chunks()` would: `range(0, n, step)`
      with the enqueue passing a slice, a `batched`/`chunked`/`chunks`/`grouper`-like helper, a
      loop variable or iterable whose name says batch or chunk (`for ids_batch in id_batches`).

    ## Why is this bad?
    A list of AsyncResults built by hand is a group without its tools: to wait for them, check
    progress or revoke them the caller iterates the list, and nothing else can refer to the
    batch. `group(...).apply_async()` publishes the same messages (one per task, over one
    producer connection) but returns one `GroupResult`: `.get()`/`.join()` it, ask
    `.completed_count()`, `.revoke()` the lot, `.save()` it and restore it by id elsewhere, or
    hand the group to a `chord` callback. It does not cut the number of messages; `chunks(...)`
    does, for many small calls.

    ## Example
    ```python
    results = [resize.delay(image_id) for image_id in image_ids]
    sizes = [r.get() for r in results]
    ```

    ## Use instead
    ```python
    job = group(resize.s(image_id) for image_id in image_ids).apply_async()
    sizes = job.get()
    ```
    """

    code = "CT503"
    name = "enqueue-in-loop"
    section = Section.OPTIMIZED
    severity = Severity.INFO
    checklist = "Callers enqueue in bulk, not in loops"
    VALID = [
        # a list of results bound to ``_`` or to a name never read again only sends
        "from celery import shared_task\n\n@shared_task\ndef send(x):\n    pass\n\n"
        "def send_all(xs):\n    _ = [send.delay(x) for x in xs]\n    sent = [send.delay(x) for x in xs]\n",
        # one message per item, the results not kept: what a group would publish too
        "from celery import shared_task\n\n@shared_task\ndef send(x):\n    pass\n\n"
        "def send_all(xs):\n    for x in xs:\n        send.delay(x)\n    [send.delay(x) for x in xs]\n",
        # an earlier statement may leave the iteration: not every iteration sends
        "from celery import shared_task\n\n@shared_task\ndef send(x):\n    pass\n\n"
        "def send_all(xs):\n    results = []\n    for x in xs:\n        if x.done:\n            continue\n"
        "        results.append(send.delay(x))\n    return results\n",
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
        "def send_all(xs):\n    sent = [send.delay(x) for x in xs]\n    return [r.id for r in sent]\n",
        "from celery import shared_task\n\n@shared_task\ndef send(x):\n    pass\n\n"
        "def send_all(xs):\n    results = []\n    for x in xs:\n        results.append(send.delay(x))\n"
        "    return results\n",
        # a name bound to the enqueue, then kept
        "from celery import shared_task\n\n@shared_task\ndef send(x):\n    pass\n\n"
        "def send_all(xs):\n    pending = set()\n    for x in xs:\n        r = send.delay(x)\n"
        "        pending.add(r)\n    return pending\n",
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send(x):\n    pass\n",
            "shop/views.py": "from shop.tasks import send\n\ndef send_all(xs):\n"
            "    return [send.apply_async((x,)) for x in xs]\n",
        },
        {  # a task registered in call form is enqueued through the name it is bound to
            "shop/tasks.py": "from proj.celery import app\n\ndef _send(x):\n    pass\n\n"
            "send = app.task(name='mail.send')(_send)\n",
            "shop/views.py": "from shop import tasks\n\ndef send_all(xs):\n    for x in xs:\n"
            "        yield tasks.send.delay(x)\n",
        },
        # an argument derived from the loop variable through a local name
        "from celery import shared_task\n\n@shared_task\ndef send(x):\n    pass\n\n"
        "def send_all(users):\n    results = {}\n    for user in users:\n        key = user.pk\n"
        "        results[key] = send.apply_async(kwargs={'user_id': key}, queue='mail')\n    return results\n",
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        for site, task in project.enqueued():
            if site.fan_out and site.collected and site.method in ("delay", "apply_async"):
                yield ProjectReport(
                    site.where,
                    f"`{task.name}` is enqueued once per loop iteration and the results collected by hand: "
                    "`group(...)` sends the same and returns one GroupResult to wait on or revoke",
                    task,
                )
