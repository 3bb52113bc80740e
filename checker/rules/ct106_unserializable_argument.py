from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule
from checker.rules.ct105_unserializable_parameter import SNAPSHOT, UNPICKLABLE, consequence


class UnserializableArgument(Rule):
    """
    ## What it does
    Checks call sites that enqueue one of the project's tasks (`.delay`, `.apply_async`, `.s`,
    `.si`, `.signature`, `delay_on_commit`) with an argument that is clearly an object, not data:
    `request`, `request.user`, `self.request.user`, or a name bound in the same function from
    `X.objects.get/first/last/create/get_or_create(...)` or `get_object_or_404(...)`.

    The message is worded for the serializer the task's messages use (its `serializer=`, else
    `task_annotations`, else `task_serializer`; json by default): with JSON the argument fails
    to serialize. With pickle a model instance (`request.user`, a fetched row) travels as a
    snapshot taken when the task was queued, and is reported only when the task writes that
    parameter back (`order.save()`, `order.status = ...`, `setattr(order, ...)`, without
    re-fetching it first); a request cannot be pickled at all and is always reported.

    Not reported: under pickle, an object the task only reads (its snapshot is seconds old and
    never saved back), or one passed where the parameter it fills cannot be told (`*args`).

    ## Why is this bad?
    Arguments travel through the broker, as JSON by default: a model instance or a request
    fails to serialize; with pickle it arrives as a stale snapshot taken when the task was
    queued, saved back over newer data by the task (Celery's docs: re-fetch the object). Pass the id and fetch the row in the task.

    ## Example
    ```python
    def checkout(request, pk):
        order = Order.objects.get(pk=pk)
        send_receipt.delay(order, request.user)
    ```

    ## Use instead
    ```python
    def checkout(request, pk):
        order = Order.objects.get(pk=pk)
        send_receipt.delay(order.pk, request.user.pk)
    ```
    """

    code = "CT106"
    name = "unserializable-argument"
    section = Section.DEFINED
    severity = Severity.WARNING
    checklist = "Callers pass ids, not objects"
    VALID = [
        {  # with pickle, a snapshot the task only reads (by keyword through apply_async too)
            "proj/settings.py": "CELERY_TASK_SERIALIZER = 'pickle'\n",
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task(bind=True)\n"
            "def send(self, order, user=None):\n    print(order.total, user.email)\n",
            "shop/views.py": "from shop.tasks import send\n\ndef checkout(request, pk):\n"
            "    order = Order.objects.get(pk=pk)\n    send.delay(order, request.user)\n"
            "    send.apply_async(args=(order,), kwargs={'user': request.user})\n",
        },
        {  # with pickle, a snapshot the task re-fetches before saving
            "proj/settings.py": "CELERY_TASK_SERIALIZER = 'pickle'\n",
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send(order):\n"
            "    order.refresh_from_db()\n    order.sent = True\n    order.save()\n",
            "shop/views.py": "from shop.tasks import send\n\ndef checkout(pk):\n"
            "    order = Order.objects.get(pk=pk)\n    send.delay(order)\n",
        },
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send(order_id):\n    pass\n",
            "shop/views.py": "from shop.tasks import send\n\ndef checkout(request, pk):\n"
            "    order = Order.objects.get(pk=pk)\n    send.delay(order.pk, request.user.pk)\n",
        },
        {
            "shop/views.py": "def checkout(request, pk):\n    order = Order.objects.get(pk=pk)\n"
            "    mailer.delay(order)  # not a task of this project\n",
        },
    ]
    INVALID = [
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send(order_id):\n    pass\n",
            "shop/views.py": "from shop import tasks\n\ndef checkout(request, pk):\n"
            "    order = get_object_or_404(Order, pk=pk)\n    tasks.send.delay(order)\n",
        },
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send(user):\n    pass\n",
            "shop/views.py": "from shop.tasks import send\n\nclass View:\n    def post(self):\n"
            "        send.apply_async(args=(self.request.user,), countdown=5)\n",
        },
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send(customer_id):\n    pass\n",
            "shop/views.py": "from shop.tasks import send\n\ndef signup(form):\n"
            "    customer, created = Customer.objects.get_or_create(email=form.email)\n"
            "    send.s(customer).delay()\n",
        },
        {  # with pickle it travels as a stale snapshot, which the task saves back
            "proj/settings.py": "CELERY_TASK_SERIALIZER = 'pickle'\n",
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send(order):\n"
            "    order.sent = True\n    order.save()\n",
            "shop/views.py": "from shop.tasks import send\n\ndef checkout(pk):\n"
            "    order = Order.objects.get(pk=pk)\n    send.delay(order)\n",
        },
        {  # with pickle, a request still cannot be carried
            "proj/settings.py": "CELERY_TASK_SERIALIZER = 'pickle'\n",
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef audit(request):\n    pass\n",
            "shop/views.py": "from shop.tasks import audit\n\ndef checkout(request):\n    audit.delay(request)\n",
        },
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        for site, task in project.enqueued():
            for text, where, slot in site.objects:
                if isinstance(slot, int):
                    param = task.positional_params[slot] if slot < len(task.positional_params) else None
                else:
                    param = slot
                kind = UNPICKLABLE if text in ("request", "self.request") else SNAPSHOT
                said = consequence(project.config.serializer(task), kind, param in task.written_params)
                if said is not None:
                    yield ProjectReport(where, f"`{text}` is an object passed to `{task.name}`, {said}", task)
