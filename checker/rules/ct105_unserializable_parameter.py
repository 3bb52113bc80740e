from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

import libcst as cst

from checker.model import Finding, Section, Severity
from checker.project import ProjectContext
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef
from checker.values import UNKNOWN, Value, string_value

# Serializers that cannot carry an arbitrary object: the value fails to serialize.
_DATA_SERIALIZERS = frozenset({"json", "application/json", "msgpack", "application/x-msgpack", "yaml"})
_SUBJECT = re.compile(r"^(parameter `(\w+)` is annotated `([^`]+)`), ")


# What an object becomes under pickle: a row or a user pickled as it was (a snapshot), or
# something that holds a stream, socket or connection and cannot be pickled at all.
SNAPSHOT = "snapshot"
UNPICKLABLE = "unpicklable"
OTHER = "other"


def consequence(serializer: Value, kind: str = OTHER, written: bool = True) -> str | None:
    """What happens to an object passed to a task, worded for the serializer in force; None when
    nothing does: under pickle, a snapshot the task only reads (it may be seconds old, and the
    task never saves it back over newer data)."""
    if isinstance(serializer, str) and serializer.lower() in _DATA_SERIALIZERS:
        name = "JSON" if "json" in serializer.lower() else f"`{serializer}`"
        return (
            f"which the {name} serializer cannot carry: pass an id or plain data and re-fetch it in the task"
        )
    if isinstance(serializer, str) and "pickle" in serializer.lower():
        if kind == UNPICKLABLE:
            return (
                f"which even the `{serializer}` serializer cannot carry (it holds a stream, socket or "
                "connection): pass the plain data the task needs"
            )
        if kind == SNAPSHOT and not written:
            return None
        if kind == SNAPSHOT:
            return (
                f"which the `{serializer}` serializer sends as a stale snapshot taken when the task was "
                "queued, and the task saves it back over newer data: pass an id and re-fetch it in the task"
            )
        return (
            f"which the `{serializer}` serializer sends as a stale snapshot taken when the task was "
            "queued: pass an id and re-fetch it in the task"
        )
    shown = f"`{serializer}`" if isinstance(serializer, str) else "the configured serializer"
    return (
        f"which {shown} either cannot serialize or sends as a stale snapshot taken when the task "
        "was queued: pass an id and re-fetch it in the task"
    )


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
    Checks task parameters' annotations for types that are objects, not data: model instances
    (any class imported from a `models` module, `Model`, `QuerySet`; not an attribute of such a
    class, `Alert.RawRequestData`, which is a type it holds), requests, files, callables,
    sockets, connections and sessions.

    The message is worded for the serializer in force: the task's `serializer=`, else
    `task_annotations`, else the project's `task_serializer` (Celery's default: json). With JSON
    (or msgpack, yaml) the value fails to serialize. With pickle (`pickle`, `signed-pickle`,
    ...) a model instance or queryset travels as a snapshot taken when the task was queued, and
    is reported only when the task writes it back (`order.save()`, `order.status = ...`,
    `setattr(order, ...)`, without re-fetching it first): that write overwrites whatever changed
    in between, while a task that only reads the snapshot gets data seconds old. Requests, files,
    sockets, connections and sessions cannot be pickled either: reported under every serializer.

    Not reported: a parameter with a default that no enqueue site in the project passes
    (`.delay`, `.apply_async`, `.s`, `.si`, `.signature`, by position or keyword): callers never
    send that object; under pickle, a model parameter the task only reads; any parameter of a
    task the project never sends (no enqueue, signature, beat entry, route or `send_task`) and
    calls as a plain function (a task only in name: its arguments never meet a serializer).

    ## Why is this bad?
    Task arguments travel through the broker, as JSON by default. A model instance then fails to
    serialize; with pickle it arrives as a stale copy of the row taken when the task was queued
    (Celery's docs: re-fetch the object in the task). Requests,
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
        # with pickle, a model instance the task only reads travels as a recent snapshot
        {
            "proj/settings.py": "CELERY_TASK_SERIALIZER = 'pickle'\n",
            "shop/tasks.py": "from celery import shared_task\nfrom shop.models import Order\n\n"
            "@shared_task\ndef f(order: Order):\n    print(order.total)\n",
        },
        # an optional parameter that no caller passes
        {
            "shop/tasks.py": "from typing import Callable, Optional\nfrom celery import shared_task\n\n"
            "@shared_task\ndef f(order_id: int, callback: Optional[Callable[[], None]] = None):\n    pass\n",
            "shop/views.py": "from shop.tasks import f\n\ndef view(pk):\n    f.delay(pk)\n"
            "    f.apply_async(args=(pk,), countdown=5)\n",
        },
        # a task only in name: never sent, called as a function by a command
        {
            "shop/__init__.py": "",
            "shop/tasks.py": "from typing import Callable\nfrom celery import shared_task\n\n"
            "@shared_task\ndef export(make_row: Callable[[int], str]):\n    pass\n",
            "shop/commands.py": "from shop.tasks import export\n\ndef handle():\n    export(str)\n",
        },
        # a type a model class holds (``RawRequestData = dict``), not the model
        "from celery import shared_task\nfrom shop.models import Alert\n\n"
        "@shared_task\ndef f(data: 'Alert.RawRequestData'):\n    pass\n",
    ]
    INVALID = [
        "from celery import shared_task\nfrom shop.models import Order\n\n"
        "@shared_task\ndef f(order: Order):\n    pass\n",
        "from celery import shared_task\nfrom django.http import HttpRequest\n\n"
        "@shared_task\ndef f(request: HttpRequest):\n    pass\n",
        "from typing import Callable, Optional\nfrom celery import shared_task\n\n"
        "@shared_task\ndef f(callback: Optional[Callable[[], None]]):\n    pass\n",
        "from celery import shared_task\nfrom shop import models\n\n"
        "@shared_task\ndef f(orders: 'list[models.Order]'):\n    pass\n",
        # an optional parameter a caller passes (by keyword)
        {
            "shop/tasks.py": "from celery import shared_task\nfrom shop.models import Order\n\n"
            "@shared_task\ndef f(order_id: int, order: Order | None = None):\n    pass\n",
            "shop/views.py": "from shop.tasks import f\n\ndef view(order):\n    f.delay(order.pk, order=order)\n",
        },
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        pydantic = task.value("pydantic") is True
        for param in task.params:
            if param.annotation is None:
                continue
            culprit = self._culprit(param.annotation, ctx, pydantic)
            if culprit is not None:
                # worded for JSON here; ``revise`` rewords it for the serializer in force
                yield Report(
                    param.node,
                    f"parameter `{param.name}` is annotated `{culprit}`, {consequence('json', _kind(culprit))}",
                    task,
                )

    @classmethod
    def revise(cls, finding: Finding, project: ProjectContext) -> Finding | None:
        match = _SUBJECT.match(finding.message)
        task = next((t for t in project.tasks if t.key == finding.task_key), None)
        if match is None or task is None:
            return finding
        if project.runs_only_inline(task):
            return None  # never sent: its arguments never meet a serializer
        name = match.group(2)
        optional = dict(task.optional_params)
        if name in optional and not _passed(project, task.key, name, optional[name]):
            return None
        serializer = project.config.serializer(task)
        said = consequence(
            UNKNOWN if serializer is UNKNOWN else serializer,
            _kind(match.group(3)),
            name in task.written_params,
        )
        if said is None:
            return None
        return dataclasses.replace(finding, message=f"{match.group(1)}, {said}")

    def _culprit(self, annotation: cst.BaseExpression, ctx: FileContext, pydantic: bool) -> str | None:
        for name_node in _names(annotation):
            qualified = ctx.info.qualify(name_node) or ""
            last = qualified.rpartition(".")[2]
            if last in _OBJECT_TYPES:
                return last
            imported = ctx.info.imports.get(qualified.partition(".")[0]) is not None or "." in qualified
            if not pydantic and imported and _model_class(qualified):
                return last
        return None


def _model_class(qualified: str) -> bool:
    """``shop.models.Order`` or ``shop.models.orders.Order``: a class of a ``models`` module, not
    an attribute of one (``Alert.RawRequestData``, a type alias a model class holds)."""
    if ".models." not in f".{qualified}":
        return False
    after = f".{qualified}".rpartition(".models.")[2].split(".")
    return after[-1][:1].isupper() and not any(part[:1].isupper() for part in after[:-1])


# Annotations whose values pickle cannot carry either; model classes, querysets and managers it
# pickles as they were (``Callable``: a module-level function pickles, a lambda does not).
_UNPICKLABLE_TYPES = _OBJECT_TYPES - {"Model", "QuerySet", "Manager", "Callable"}


def _kind(culprit: str) -> str:
    if culprit in _UNPICKLABLE_TYPES:
        return UNPICKLABLE
    return OTHER if culprit == "Callable" else SNAPSHOT


def _passed(project: ProjectContext, key: str, name: str, position: int) -> bool:
    """Some enqueue site of the task passes the parameter (or may: arguments not literal)."""
    for site, task in project.enqueued():
        if task.key != key:
            continue
        if site.passes is None or name in site.passes[1] or 0 <= position < site.passes[0]:
            return True
    return False


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
