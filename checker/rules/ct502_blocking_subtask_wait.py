from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker import body
from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef

_WAITS = frozenset({"get", "wait", "join", "join_native", "collect"})
_ENQUEUE = frozenset({"delay", "apply_async"})
_RESULT_CLASSES = frozenset({"AsyncResult", "GroupResult", "ResultSet"})
_CANVAS = frozenset({"group", "chain", "chord"})


class BlockingSubtaskWait(TaskRule):
    """
    ## What it does
    Checks for a task waiting on another task's result: `.get()`, `.wait()`, `.join()`,
    `.join_native()` or `.collect()` called on the value of `.delay()`, `.apply_async()`,
    `AsyncResult(...)`, `GroupResult(...)` or a called `group`/`chain`/`chord`, directly or
    through a local name. Calls passing `disable_sync_subtasks=False` are left alone.

    ## Why is this bad?
    The waiting task holds a worker slot while the subtask needs one. With every slot waiting,
    nothing runs and the pool deadlocks. Celery raises "Never call result.get() within a task!"
    for the simple case; the workarounds only hide the deadlock.

    ## Example
    ```python
    @shared_task
    def report(ids):
        parts = group(render.s(i) for i in ids)().get()
        return merge(parts)
    ```

    ## Use instead
    ```python
    @shared_task
    def report(ids):
        chord(render.s(i) for i in ids)(merge.s())
    ```
    """

    code = "CT502"
    name = "blocking-subtask-wait"
    section = Section.OPTIMIZED
    severity = Severity.ERROR
    checklist = "Never waits for another task's result"
    VALID = [
        "from celery import shared_task, chain\n\n@shared_task\ndef f(x):\n"
        "    chain(g.s(x), h.s())()\n    return ','.join(['a', 'b'])\n",
        "from celery import shared_task\n\n@shared_task\ndef f(x):\n    data = {'a': 1}.get('a')\n"
        "    r = g.delay(x)\n    return r.id\n",
        "from celery import shared_task\n\n@shared_task\ndef f(x):\n"
        "    return g.delay(x).get(disable_sync_subtasks=False)\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\ndef f(x):\n    return g.delay(x).get()\n",
        "from celery import shared_task\n\n@shared_task\ndef f(x):\n    result = g.apply_async((x,))\n"
        "    return result.get(timeout=10)\n",
        "from celery import shared_task, group\n\n@shared_task\ndef f(xs):\n"
        "    return group(g.s(x) for x in xs)().join()\n",
        "from celery import shared_task\nfrom celery.result import AsyncResult\n\n@shared_task\n"
        "def f(task_id):\n    AsyncResult(task_id).wait()\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.run is None:
            return
        results = self._result_names(task.run)
        for call in body.calls(task.run.body):
            func = call.func
            if not isinstance(func, cst.Attribute) or func.attr.value not in _WAITS:
                continue
            flag = body.keyword(call, "disable_sync_subtasks")
            if flag is not None and isinstance(flag.value, cst.Name) and flag.value.value == "False":
                continue
            receiver = func.value
            if _is_result(receiver, ctx) or (isinstance(receiver, cst.Name) and receiver.value in results):
                yield Report(
                    call,
                    f"`.{func.attr.value}()` on a task result inside a task blocks a worker slot "
                    "and can deadlock the pool: chain the work instead",
                    task,
                )

    @staticmethod
    def _result_names(function: cst.FunctionDef) -> set[str]:
        """Local names bound only to task results."""
        bound: dict[str, bool] = {}
        for node in body.nodes(function.body):
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    if isinstance(target.target, cst.Name):
                        name = target.target.value
                        bound[name] = bound.get(name, True) and _is_result(node.value, None)
            elif isinstance(node, (cst.AugAssign, cst.AnnAssign)) and isinstance(node.target, cst.Name):
                bound[node.target.value] = False
        return {name for name, only_results in bound.items() if only_results}


def _is_result(node: cst.BaseExpression, ctx: FileContext | None) -> bool:
    if not isinstance(node, cst.Call):
        return False
    func = node.func
    if isinstance(func, cst.Attribute) and func.attr.value in _ENQUEUE:
        return True
    last = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", None)
    if last in _RESULT_CLASSES:
        return True
    if isinstance(func, cst.Attribute) and func.attr.value == "restore":
        inner = func.value
        return (
            inner.attr.value if isinstance(inner, cst.Attribute) else getattr(inner, "value", None)
        ) == "GroupResult"
    # ``group(...)()``: a canvas primitive, called
    if isinstance(func, cst.Call):
        callee = func.func
        name = callee.attr.value if isinstance(callee, cst.Attribute) else getattr(callee, "value", None)
        return name in _CANVAS
    return False
