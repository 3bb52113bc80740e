from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker import body, loggers
from checker.loggers import calls_any
from checker.model import Finding, Section, Severity
from checker.project import ProjectContext
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef, is_ref
from checker.values import Ref, Value, evaluate, is_number, iter_items


class SoftLimitUnhandled(TaskRule):
    """
    ## What it does
    Checks that a task with a `soft_time_limit` below a hard time limit (its own `time_limit`, or
    `task_time_limit` / `task_annotations` in the app's configuration) handles
    `SoftTimeLimitExceeded` somewhere in its body (by name, or through a broad `except`).

    Not reported:
    - without a hard limit: the soft limit is then the task's only stop, and letting
      `SoftTimeLimitExceeded` fail the task is what it is there for;
    - when the task's `soft_time_limit` is not below its `time_limit` (literals, module-level
      constants, or the same name for both): the soft limit can then never fire first (CT202
      reports literal limits);
    - when `autoretry_for` lists `SoftTimeLimitExceeded`, or `Exception` or `BaseException`,
      which catch it (the task is retried when it runs out of time), or the body has a `try`/`finally` (its `finally:` cleans up when the soft limit
      interrupts it);
    - when the task's `base=` class is the project's own: such a base commonly wraps `run` (in
      `__call__`) with its own handler, which the analyser does not follow;
    - when the task calls project code that catches `SoftTimeLimitExceeded` (by name or
      through a broad `except`), itself or one call deeper: `ExportHandler.run(job)` that marks
      the job as failed in its `except Exception:` is where the task handles its soft limit.

    ## Why is this bad?
    With both limits, the soft one exists so the task can stop cleanly before the hard one kills
    the worker process: release a lock, save progress, mark the job as timed out. When nothing
    handles `SoftTimeLimitExceeded`, the exception ends the task wherever it was (between two
    writes, holding a lock, with its job marked as running) and the gap between the two limits
    is wasted: the partial work is left as it was.

    ## Example
    ```python
    @shared_task(soft_time_limit=300, time_limit=330)
    def export(report_id):
        build_export(report_id)
    ```

    ## Use instead
    ```python
    @shared_task(soft_time_limit=300, time_limit=330)
    def export(report_id):
        try:
            build_export(report_id)
        except SoftTimeLimitExceeded:
            mark_timed_out(report_id)
            raise
    ```
    """

    code = "CT209"
    name = "soft-limit-unhandled"
    section = Section.RESILIENT
    severity = Severity.INFO
    checklist = "A soft time limit is handled"
    VALID = [
        # handled in the project code the task calls
        {
            "proj/celeryconfig.py": "task_time_limit = 120\n",
            "proj/export.py": "class Exporter:\n    def run(self, job):\n        try:\n            build(job)\n"
            "        except Exception:\n            job.fail()\n            raise\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task(soft_time_limit=60)\n"
            "def export(job_id):\n    from proj.export import Exporter\n    Exporter().run(job_id)\n",
        },
        "from celery import shared_task\nfrom celery.exceptions import SoftTimeLimitExceeded\n\n"
        "@shared_task(soft_time_limit=60)\ndef f():\n    try:\n        g()\n"
        "    except SoftTimeLimitExceeded:\n        cleanup()\n",
        "from celery import shared_task\n\n@shared_task(time_limit=60)\ndef f():\n    g()\n",
        "from celery import shared_task\n\n@shared_task(soft_time_limit=60)\ndef f():\n    try:\n"
        "        g()\n    except Exception:\n        cleanup()\n        raise\n",
        "from celery import shared_task\n\n@shared_task(soft_time_limit=60, time_limit=60)\n"
        "def f():\n    g()\n",
        "from celery import shared_task\n\n@shared_task(soft_time_limit=90, time_limit=60)\n"
        "def f():\n    g()\n",
        # the same constant for both, or constants whose values are equal
        "from celery import shared_task\nfrom proj.limits import DAY\n\n"
        "@shared_task(soft_time_limit=DAY, time_limit=DAY)\ndef f():\n    g()\n",
        "from celery import shared_task\n\nSOFT = 3600\nHARD = 60 * 60\n\n"
        "@shared_task(soft_time_limit=SOFT, time_limit=HARD)\ndef f():\n    g()\n",
        # retried when it runs out of time, or cleaned up in ``finally:``
        "from celery import shared_task\nfrom celery.exceptions import SoftTimeLimitExceeded\n\n"
        "@shared_task(soft_time_limit=50, time_limit=60, autoretry_for=(SoftTimeLimitExceeded,))\n"
        "def f():\n    g()\n",
        "from celery import shared_task\n\n"
        "@shared_task(soft_time_limit=50, time_limit=60, autoretry_for=(Exception,), retry_backoff=True)\n"
        "def f():\n    g()\n",
        "from celery import shared_task\n\n@shared_task(soft_time_limit=50, time_limit=60)\n"
        "def f():\n    lock = acquire()\n    try:\n        g()\n    finally:\n        lock.release()\n",
        # no hard limit anywhere: the soft limit is the only stop, failing the task is its job
        "from celery import shared_task\n\n@shared_task(soft_time_limit=60)\ndef f():\n    g()\n",
        # the project's own base class may handle it around ``run``
        "from celery import Task, shared_task\n\nclass Guarded(Task):\n    def __call__(self, *a, **kw):\n"
        "        try:\n            return self.run(*a, **kw)\n        except Exception as e:\n"
        "            return {'error': str(e)}\n\n"
        "@shared_task(base=Guarded, soft_time_limit=50, time_limit=60)\ndef f():\n    g()\n",
    ]
    INVALID = [
        # the hard limit comes from the app's configuration
        {
            "proj/celeryconfig.py": "task_time_limit = 120\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task(soft_time_limit=60)\n"
            "def f():\n    g()\n",
        },
        "from celery import Task\n\nclass T(Task):\n    soft_time_limit = 60\n    time_limit = 90\n\n"
        "    def run(self):\n"
        "        try:\n            g()\n        except ValueError:\n            pass\n",
        "from celery import shared_task\n\n@shared_task(soft_time_limit=50, time_limit=60)\n"
        "def f():\n    g()\n",
        "from celery import shared_task\n\nSOFT = 50\nHARD = 60\n\n"
        "@shared_task(soft_time_limit=SOFT, time_limit=HARD)\ndef f():\n    g()\n",
    ]

    @classmethod
    def revise(cls, finding: Finding, project: ProjectContext) -> Finding | None:
        """Kept when the task or the app's configuration sets a hard limit, and the project code
        the task calls (one or two calls away) does not catch the soft limit either."""
        facts = project.facts_by_path().get(finding.path)
        called = facts.finding_calls.get((finding.code, finding.line, finding.column)) if facts else None
        if called and calls_any(called, project.limit_handlers):
            return None  # handled in the project code the task calls
        task = project.task_by_key().get(finding.task_key or "")
        if task is not None and "time_limit" in task.set_options:
            return finding
        if project.config.is_set("task_time_limit") or project.config.annotated(
            finding.task, ("time_limit",)
        ):
            return finding
        return None

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        option = task.option("soft_time_limit")
        if option is None or option.value is None or option.origin == "base" or task.run is None:
            return
        if task.is_set("base") and task.kind != "class" and not _celery_base(task):
            return  # the project's own base class may handle it around ``run``
        hard = task.option("time_limit")
        if hard is not None and hard.value is not None:
            if isinstance(option.value, Ref) and option.value == hard.value:
                return  # the same constant: the soft limit never fires first
            soft_seconds, hard_seconds = _seconds(option.value, ctx), _seconds(hard.value, ctx)
            if soft_seconds is not None and hard_seconds is not None and soft_seconds >= hard_seconds:
                return  # the soft limit never fires first (CT202)
        autoretry = task.option("autoretry_for")
        if autoretry is not None and any(
            is_ref(e, _SOFT, "Exception", "BaseException") for e in iter_items(autoretry.value)
        ):
            return  # retried when it runs out of time: a deliberate answer to the soft limit
        for node in body.nodes(task.run.body):
            if isinstance(node, cst.ExceptHandler) and body.catches_broadly(node, frozenset({_SOFT})):
                return
            if isinstance(node, cst.Try) and node.finalbody is not None:
                return  # its ``finally:`` cleans up when the soft limit interrupts it
        owner = f"{ctx.info.name}.{task.function}" if task.kind == "class" and ctx.info.name else None
        yield Report(
            option.node or task.anchor,
            "`soft_time_limit` fires before the hard limit but the task never handles `SoftTimeLimitExceeded`: the task fails wherever the limit interrupts it, with nothing cleaned up",
            task,
            calls=loggers.called_names(task.run.body, ctx.info, owner),
        )


_SOFT = "SoftTimeLimitExceeded"


def _seconds(value: Value, ctx: FileContext) -> float | None:
    """A limit in seconds: a number, or a module-level constant bound to one."""
    if isinstance(value, Ref) and "." not in value.dotted:
        value = evaluate(ctx.info.assignments.get(value.dotted))
    if is_number(value):
        assert isinstance(value, (int, float))
        return float(value)
    return None


def _celery_base(task: TaskDef) -> bool:
    """``base=`` names Celery's own ``Task`` class (``celery.Task``, ``app.Task``)."""
    base = task.option("base")
    node = base.node.value if base is not None and isinstance(base.node, cst.Arg) else None
    return isinstance(node, (cst.Name, cst.Attribute)) and (
        node.value == "Task" if isinstance(node, cst.Name) else node.attr.value == "Task"
    )
