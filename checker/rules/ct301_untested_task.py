from __future__ import annotations

from collections.abc import Iterator

from checker.facts import Location
from checker.model import Section, Severity
from checker.project import ProjectContext, task_names
from checker.rules.base import ProjectReport, Rule


class UntestedTask(Rule):
    """
    ## What it does
    Checks that some test file refers to each task: imports it, reaches it as an attribute of
    its module (`tasks.charge.delay`), or names it in a string (its registered name, or a
    `mock.patch` target). Test files are found with the `test-paths` globs (by default
    `test_*.py`, `*_test.py`, `tests/**/*.py` and `conftest.py`), anywhere in the tree.

    ## Why is this bad?
    A task runs far from the code that queues it, often at night, with arguments that went
    through JSON. Nobody notices it is broken until its side effect is missing. Even a test that
    calls it eagerly once catches the import errors, signature mismatches and typos that
    otherwise reach production.

    ## Example
    ```python
    # shop/tasks.py
    @shared_task
    def send_receipt(order_id): ...
    # (no test mentions send_receipt)
    ```

    ## Use instead
    ```python
    # tests/test_tasks.py
    from shop.tasks import send_receipt

    def test_send_receipt(order):
        send_receipt.apply(args=(order.pk,))
    ```
    """

    code = "CT301"
    name = "untested-task"
    section = Section.TESTED
    severity = Severity.WARNING
    checklist = "Has a test"
    VALID = [
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    pass\n",
            "tests/test_receipts.py": "from shop.tasks import send_receipt\n\ndef test_it():\n"
            "    send_receipt.apply(args=(1,))\n",
        },
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    pass\n\n@shared_task(name='shop.refund')\ndef refund(order_id):\n    pass\n",
            "shop/test_views.py": "from unittest import mock\nfrom shop import tasks\n\ndef test_it():\n"
            "    tasks.send_receipt.delay(1)\n"
            "    with mock.patch('shop.views.call') as call:\n        call('shop.refund')\n",
        },
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n    pass\n",
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    pass\n\n@shared_task\ndef send_refund(order_id):\n    pass\n",
            "tests/test_receipts.py": "from shop.tasks import send_receipt\n\ndef test_it():\n"
            "    send_receipt.apply(args=(1,))\n    assert 'send_refund'\n",
        },
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        aliases = project.import_aliases()
        mentioned: set[str] = set()
        for facts in project.files:
            mentioned.update(facts.test_references)
        referenced: set[str] = set()
        for reference in mentioned:
            for name in aliases.resolve(reference):
                parts = name.split(".")
                referenced.update(".".join(parts[:n]) for n in range(1, len(parts) + 1))
        for task in project.tasks:
            if project.test_files.matches(task.path):
                continue
            if task_names(task) & referenced:
                continue
            yield ProjectReport(
                Location(task.path, task.line, task.column, task.line, task.column),
                f"no test refers to `{task.name}` (by import, through its module, by name or by a "
                "`mock.patch` target)",
                task,
            )
