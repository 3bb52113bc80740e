from __future__ import annotations

from collections.abc import Iterator

from checker.facts import Location
from checker.model import Section, Severity, TaskSummary
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule


class DuplicateTaskName(Rule):
    """
    ## What it does
    Checks that no two task definitions register the same name, whether the name is explicit
    (`name=`) or the default `module.function`. Every definition is reported, each naming the
    others (`path:line`), so that the one a change adds is flagged on its own lines whichever file
    sorts first. Definitions in test files, and several definitions of the same function in one
    module (typically under `if`/`else`), are left alone.

    ## Why is this bad?
    Celery keeps one task per name: the definition imported last silently replaces the other,
    so messages sent for one run the other's code, with the other's arguments and options.

    ## Example
    ```python
    # billing/tasks.py
    @shared_task(name="send_email")
    def send_invoice_email(invoice_id): ...

    # accounts/tasks.py
    @shared_task(name="send_email")
    def send_welcome_email(user_id): ...
    ```

    ## Use instead
    ```python
    @shared_task(name="billing.send_invoice_email")
    def send_invoice_email(invoice_id): ...

    @shared_task(name="accounts.send_welcome_email")
    def send_welcome_email(user_id): ...
    ```
    """

    code = "CT108"
    name = "duplicate-task-name"
    section = Section.DEFINED
    severity = Severity.ERROR
    checklist = "Has a name no other task uses"
    VALID = [
        {
            "proj/billing.py": "from celery import shared_task\n\n@shared_task(name='billing.send')\n"
            "def send():\n    pass\n",
            "proj/accounts.py": "from celery import shared_task\n\n@shared_task(name='accounts.send')\n"
            "def send():\n    pass\n",
        },
        "from celery import shared_task\n\nif FAST:\n    @shared_task\n    def f():\n        pass\n"
        "else:\n    @shared_task\n    def f():\n        pass\n",
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task(name='send')\ndef send():\n    pass\n",
            "tests/test_tasks.py": "from celery import shared_task\n\n@shared_task(name='send')\n"
            "def send():\n    pass\n",
        },
    ]
    INVALID = [
        {
            "proj/billing.py": "from celery import shared_task\n\n@shared_task(name='send_email')\n"
            "def send_invoice():\n    pass\n",
            "proj/accounts.py": "from celery import shared_task\n\n@shared_task(name='send_email')\n"
            "def send_welcome():\n    pass\n",
        },
        "from celery import shared_task\n\n@shared_task(name='proj.tasks.g')\ndef f():\n    pass\n\n"
        "@shared_task\ndef g():\n    pass\n",
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        by_name: dict[str, list[TaskSummary]] = {}
        for task in project.tasks:
            if task.name_known and not project.test_files.matches(task.path):
                by_name.setdefault(task.name, []).append(task)
        for name, tasks in by_name.items():
            if len({(t.module, t.function) for t in tasks}) < 2:
                continue  # one function defined in several branches of the same module
            ordered = sorted(tasks, key=lambda t: (t.path, t.line))
            for task in ordered:
                others = [o for o in ordered if (o.module, o.function) != (task.module, task.function)]
                where = ", ".join(f"`{o.function}` at {o.path}:{o.line}" for o in others)
                yield ProjectReport(
                    Location(task.path, task.line, task.column, task.line, task.column),
                    f"the task name `{name}` is also registered by {where}: one silently replaces the other",
                    task,
                )
