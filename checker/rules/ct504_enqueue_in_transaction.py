from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule

_BROKER_SETTINGS = frozenset({"broker_url", "broker_write_url"})


def _transactional_broker(project: ProjectContext) -> bool:
    """Every broker URL the project's configuration sets is ``django://``."""
    urls = [s.value for s in project.config.settings if s.name in _BROKER_SETTINGS]
    return bool(urls) and all(isinstance(u, str) and u.strip().lower().startswith("django://") for u in urls)


class EnqueueInTransaction(Rule):
    """
    ## What it does
    Checks for `.delay()` / `.apply_async()` of one of the project's tasks inside
    `with transaction.atomic():` or a function decorated with `transaction.atomic`, unless the
    call is deferred with `transaction.on_commit(...)`, when the transaction has something to
    commit before the enqueue: the block (the outermost atomic one, or the decorated function's
    body) writes through the ORM before the call (`.save(`, `.create(`, `.update(`, `.delete(`,
    `bulk_*`, `.add(`, `.set(`, `.remove(`, `.clear(`, `get_or_create`, `update_or_create`), or
    calls code before it that we cannot tell is read-only.

    "Read-only" is a short list: queryset reads (`filter`, `get`, `exists`, `values_list`, ...),
    logging, builtins, plain data methods (`append`, `format`, ...), constructors (a capitalised
    callee), enqueueing or building signatures, and calls named as readers or checks
    (`get_*`, `check_*`, `has_*`, `is_*`, `can_*`, `raise_if_*`: `get_field(...)`,
    `check_permissions(...)`), and any call that only builds an argument of such a read
    (`decode_id(pk)` in `get_object_or_404(Plan, id=decode_id(pk))`). Any other call (a model
    method, a service function) may write, so the enqueue is reported.

    Not reported: a block with nothing before the enqueue, or only reads;
    `atomic(using=...)` on an alias that names a replica or read-only database (its text
    contains "replica" or "read"): reads on a replica have no commit the worker could outrun;
    and a task that re-enqueues itself with a `countdown` or `eta` (the next batch of a
    backfill, which pages on and does not look for the rows this run writes). Nor in a project
    whose every literal broker URL is Kombu's Django transport (`django://`, CT403 reports it):
    the message is then written through the request's own database connection, inside the
    transaction, and becomes visible to the worker only when it commits.

    ## Why is this bad?
    The message reaches the broker at once, before the transaction commits. A fast worker runs
    the task, looks up the row and finds nothing (or the old version); if the transaction rolls
    back, the task runs for a row that never existed.

    ## Example
    ```python
    with transaction.atomic():
        order = Order.objects.create(...)
        send_receipt.delay(order.pk)
    ```

    ## Use instead
    ```python
    with transaction.atomic():
        order = Order.objects.create(...)
        send_receipt.delay_on_commit(order.pk)  # Celery >= 5.4
        # or: transaction.on_commit(lambda: send_receipt.delay(order.pk))
    ```
    """

    code = "CT504"
    name = "enqueue-in-transaction"
    section = Section.OPTIMIZED
    severity = Severity.WARNING
    checklist = "Callers enqueue after the transaction commits"
    VALID = [
        # a backfill re-enqueuing itself for its next batch, later
        "from celery import shared_task\nfrom django.db import transaction\n\n@shared_task\n"
        "def backfill(offset=0):\n    with transaction.atomic():\n        rows = copy_batch(offset)\n"
        "        if rows:\n            backfill.apply_async(kwargs={'offset': offset + 100}, countdown=5)\n",
        # only readers and checks before the enqueue: nothing to commit
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef fill(x):\n    pass\n",
            "shop/views.py": "from django.db import transaction\nfrom shop.tasks import fill\n\n"
            "@transaction.atomic\ndef view(request, pk):\n    field = FieldHandler().get_field(pk)\n"
            "    check_permissions(request.user, field)\n    fill.delay(field.pk)\n",
        },
        # a helper that builds the argument of a read (a relay id decoded for a lookup)
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef export(x):\n    pass\n",
            "shop/mutations.py": "from django.db import transaction\nfrom django.shortcuts import get_object_or_404\n"
            "from shop.tasks import export\n\n@transaction.atomic\ndef mutate(plan_id):\n"
            "    plan = get_object_or_404(Plan, id=decode_id_string(plan_id))\n    export.delay(plan.pk)\n",
        },
        "from celery import shared_task\nfrom django.db import transaction\n\n@shared_task\n"
        "def send(x):\n    pass\n\ndef create(x):\n    with transaction.atomic():\n"
        "        transaction.on_commit(lambda: send.delay(x))\n        send.delay_on_commit(x)\n",
        "from celery import shared_task\nfrom django.db import transaction\n\n@shared_task\n"
        "def send(x):\n    pass\n\ndef create(x):\n    with transaction.atomic():\n        save(x)\n"
        "    send.delay(x)\n",
        # the Django transport: the message is a row written in the same transaction
        {
            "proj/settings.py": "BROKER_URL = 'django://'\n",
            "proj/tasks.py": "from celery import shared_task\nfrom django.db import transaction\n\n@shared_task\n"
            "def send(x):\n    pass\n\ndef create(order):\n    with transaction.atomic():\n"
            "        order.save()\n        send.delay(order.pk)\n",
        },
    ]
    INVALID = [
        # re-enqueued at once: it may run before this transaction commits
        "from celery import shared_task\nfrom django.db import transaction\n\n@shared_task\n"
        "def backfill(offset=0):\n    with transaction.atomic():\n        rows = copy_batch(offset)\n"
        "        if rows:\n            backfill.delay(offset + 100)\n",
        "from celery import shared_task\nfrom django.db import transaction\n\n@shared_task\n"
        "def send(x):\n    pass\n\ndef create(x):\n    with transaction.atomic():\n        save(x)\n"
        "        send.delay(x)\n",
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send(x):\n    pass\n",
            "shop/services.py": "from django.db.transaction import atomic\nfrom shop.tasks import send\n\n"
            "@atomic\ndef create(x):\n    order = Order.objects.create(number=x)\n"
            "    send.apply_async((order.pk,))\n",
        },
        # a write on the default database, in a nested block
        "from celery import shared_task\nfrom django.db import transaction\n\n@shared_task\n"
        "def send(x):\n    pass\n\ndef create(order):\n    with transaction.atomic():\n"
        "        order.save(update_fields=['status'])\n        if order.paid:\n            send.delay(order.pk)\n",
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        if _transactional_broker(project):
            return  # the message is a row of the same transaction: committed or rolled back with it
        for site, task in project.enqueued():
            if site.in_transaction and site.method in ("delay", "apply_async"):
                yield ProjectReport(
                    site.where,
                    f"`{task.name}` is enqueued inside a transaction: the worker may run before the "
                    "commit; use `delay_on_commit()` or `transaction.on_commit(...)`",
                    task,
                )
