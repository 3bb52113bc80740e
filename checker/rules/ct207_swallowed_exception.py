from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker import body
from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef


class SwallowedException(TaskRule):
    """
    ## What it does
    Checks for handlers in the task body that catch everything (`except:`, `except Exception`,
    `except BaseException`) and then neither re-raise, nor retry, nor log.

    ## Why is this bad?
    The task ends as SUCCESS, so nothing retries it, no failure handler runs and no monitoring
    sees the error. `SoftTimeLimitExceeded` is caught too, so the time limit no longer stops the
    task cleanly. The work is lost without a trace.

    ## Example
    ```python
    @shared_task
    def sync_contact(contact_id):
        try:
            crm.push(contact_id)
        except Exception:
            pass
    ```

    ## Use instead
    ```python
    @shared_task
    def sync_contact(contact_id):
        try:
            crm.push(contact_id)
        except crm.Unavailable:
            logger.warning("CRM unavailable, contact %s not synced", contact_id)
    ```
    """

    code = "CT207"
    name = "swallowed-exception"
    section = Section.RESILIENT
    severity = Severity.WARNING
    checklist = "Failures are raised, retried or logged"
    VALID = [
        "from celery import shared_task\n\n@shared_task\ndef f():\n    try:\n        g()\n"
        "    except Exception:\n        logger.exception('g failed')\n",
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n    try:\n"
        "        g()\n    except Exception as exc:\n        raise self.retry(exc=exc)\n",
        "from celery import shared_task\n\n@shared_task\ndef f():\n    try:\n        g()\n"
        "    except KeyError:\n        pass\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\ndef f():\n    try:\n        g()\n"
        "    except Exception:\n        pass\n",
        "from celery import shared_task\n\n@shared_task\ndef f():\n    for x in xs:\n        try:\n"
        "            g(x)\n        except:\n            continue\n",
        "from celery import shared_task\n\n@shared_task\ndef f():\n    try:\n        g()\n"
        "    except (ValueError, BaseException) as e:\n        return {'error': str(e)}\n",
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.run is None:
            return
        for node in body.nodes(task.run.body):
            if not isinstance(node, cst.ExceptHandler) or not body.catches_broadly(node):
                continue
            if body.reraises(node.body) or any(_reports(call) for call in body.calls(node.body)):
                continue
            yield Report(
                node,
                "this handler catches every exception and neither re-raises, retries nor logs: "
                "the task reports success and the failure is lost",
                task,
            )


def _reports(call: cst.Call) -> bool:
    """A call that logs, retries or reports the error."""
    if body.is_logging_call(call):
        return True
    return isinstance(call.func, cst.Attribute) and call.func.attr.value == "retry"
