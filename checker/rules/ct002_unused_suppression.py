from __future__ import annotations

from collections.abc import Iterator

from checker.facts import Location
from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule


class UnusedSuppression(Rule):
    """
    ## What it does
    Reports a code in a suppression comment (`# noqa: CT201` or
    `# celery-checklist: ignore[CT201]`) that silenced no finding in this run. Only codes of rules
    that ran are judged (a rule left out by `select`/`ignore` proves nothing), and codes of other
    tools in a `# noqa:` list are left alone. Opt-in, like ruff's `RUF100`.

    ## Why is this bad?
    A suppression outlives the problem it hid: once the task is fixed, the comment stays and
    will silently hide the next real finding on that line.

    ## Example
    ```python
    @shared_task(time_limit=60)  # noqa: CT201
    def sync(): ...
    ```

    ## Use instead
    ```python
    @shared_task(time_limit=60)
    def sync(): ...
    ```
    """

    code = "CT002"
    name = "unused-suppression"
    section = Section.FILE
    severity = Severity.INFO
    opt_in = True
    checklist = "Every suppression comment still silences something"
    per_task = False
    VALID = [
        "from celery import shared_task\n\n@shared_task(\n    bind=True,\n)  # noqa: CT002\ndef f(self):\n    pass\n",
        "from celery import shared_task\n\n@shared_task  # noqa: CT601, E501\ndef f():\n    pass\n",  # not run
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task  # noqa: CT000\ndef f():\n    pass\n",
        "from celery import shared_task\n\n\n@shared_task\ndef f():\n    x = 1  # celery-checklist: ignore[CT000]\n",
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        selected = frozenset(project.selected) - {self.code}
        for facts in project.files:
            suppressions = facts.suppressions
            for line, codes in sorted(suppressions.comments.items()):
                for code in sorted(codes & selected):
                    if (line, code) not in suppressions.used:
                        start, end = suppressions.spans.get(line, (1, 2))
                        where = Location(facts.path, line, start, line, end)
                        yield ProjectReport(where, f"`{code}` in this suppression silences no finding")
