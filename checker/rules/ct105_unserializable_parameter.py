from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef
from checker.values import string_value

# Types whose instances the JSON serializer cannot carry (by their last name).
_OBJECT_TYPES = frozenset(
    {
        "Model",
        "QuerySet",
        "Manager",
        "HttpRequest",
        "Request",
        "WSGIRequest",
        "ASGIRequest",
        "IO",
        "BinaryIO",
        "TextIO",
        "File",
        "UploadedFile",
        "InMemoryUploadedFile",
        "TemporaryUploadedFile",
        "Callable",
        "socket",
        "Connection",
        "Session",
        "AsyncSession",
        "ClientSession",
    }
)
# Containers whose type arguments are looked into.
_NESTED_PARTS = frozenset(
    {
        "Optional",
        "Union",
        "List",
        "list",
        "Tuple",
        "tuple",
        "Dict",
        "dict",
        "Set",
        "set",
        "FrozenSet",
        "frozenset",
        "Sequence",
        "Iterable",
        "Mapping",
        "Annotated",
    }
)


class UnserializableParameter(TaskRule):
    """
    ## What it does
    Checks task parameters' annotations for types that the JSON serializer cannot carry: model
    instances (any class imported from a `models` module, `Model`, `QuerySet`), requests, files,
    callables, sockets, connections and sessions.

    ## Why is this bad?
    Task arguments travel through the broker as JSON. A model instance either fails to serialize
    or, with pickle, arrives as a stale copy of the row taken when the task was queued. Requests,
    files and connections cannot cross processes at all. Pass ids and plain data, and re-fetch
    the object inside the task. Builtins, `datetime`, `Decimal`, `UUID` and containers of them are
    fine; so are pydantic models on a task declared with `pydantic=True`.

    ## Example
    ```python
    from shop.models import Order

    @shared_task
    def send_receipt(order: Order): ...
    ```

    ## Use instead
    ```python
    @shared_task
    def send_receipt(order_id: int):
        order = Order.objects.get(pk=order_id)
    ```
    """

    code = "CT105"
    name = "unserializable-parameter"
    section = Section.DEFINED
    severity = Severity.WARNING
    checklist = "Parameters are plain data (ids, not objects)"
    VALID = [
        "from datetime import datetime\nfrom uuid import UUID\nfrom celery import shared_task\n\n"
        "@shared_task\ndef f(order_id: int, at: datetime, ref: UUID, tags: list[str] | None = None):\n"
        "    pass\n",
        "from celery import shared_task\nfrom shop.models import OrderIn\n\n"
        "@shared_task(pydantic=True)\ndef f(order: OrderIn):\n    pass\n",
        "from celery import shared_task\n\n@shared_task\ndef f(order):\n    pass\n",
    ]
    INVALID = [
        "from celery import shared_task\nfrom shop.models import Order\n\n"
        "@shared_task\ndef f(order: Order):\n    pass\n",
        "from celery import shared_task\nfrom django.http import HttpRequest\n\n"
        "@shared_task\ndef f(request: HttpRequest):\n    pass\n",
        "from typing import Callable, Optional\nfrom celery import shared_task\n\n"
        "@shared_task\ndef f(callback: Optional[Callable[[], None]] = None):\n    pass\n",
        "from celery import shared_task\nfrom shop import models\n\n"
        "@shared_task\ndef f(orders: 'list[models.Order]'):\n    pass\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        pydantic = task.value("pydantic") is True
        for param in task.params:
            if param.annotation is None:
                continue
            culprit = self._culprit(param.annotation, ctx, pydantic)
            if culprit is not None:
                yield Report(
                    param.node,
                    f"parameter `{param.name}` is annotated `{culprit}`, which the JSON serializer cannot "
                    "carry: pass an id or plain data and re-fetch it in the task",
                    task,
                )

    def _culprit(self, annotation: cst.BaseExpression, ctx: FileContext, pydantic: bool) -> str | None:
        for name_node in _names(annotation):
            qualified = ctx.info.qualify(name_node) or ""
            last = qualified.rpartition(".")[2]
            if last in _OBJECT_TYPES:
                return last
            imported = ctx.info.imports.get(qualified.partition(".")[0]) is not None or "." in qualified
            if not pydantic and imported and ".models." in f".{qualified}" and last[:1].isupper():
                return last
        return None


def _names(annotation: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    """The names an annotation refers to, looking into unions, containers and strings."""
    if isinstance(annotation, (cst.Name, cst.Attribute)):
        yield annotation
    elif isinstance(annotation, (cst.SimpleString, cst.ConcatenatedString)):
        text = string_value(annotation)
        if text:
            try:
                yield from _names(cst.parse_expression(text))
            except Exception:  # an annotation string that is not an expression: nothing to say
                return
    elif isinstance(annotation, cst.BinaryOperation) and isinstance(annotation.operator, cst.BitOr):
        yield from _names(annotation.left)
        yield from _names(annotation.right)
    elif isinstance(annotation, cst.Subscript):
        head = annotation.value
        last = head.attr.value if isinstance(head, cst.Attribute) else getattr(head, "value", "")
        if last in _OBJECT_TYPES or last not in _NESTED_PARTS:
            yield head
            return
        for element in annotation.slice:
            if isinstance(element.slice, cst.Index):
                yield from _names(element.slice.value)
