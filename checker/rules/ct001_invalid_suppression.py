from __future__ import annotations

from collections.abc import Iterator

from checker.facts import Location
from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule


class InvalidSuppression(Rule):
    """
    ## What it does
    Reports suppression comments that cannot do what they say: an unknown `CT` code or a prefix
    (`CT2`) in `# noqa:`, an unknown code in `# celery-checklist: ignore[...]`, and a bare
    `# celery-checklist: ignore` (which names no rule and silences nothing). Codes of other tools
    in a `# noqa:` list (`E501`, `F401`) are left alone. Opt-in, like ruff's `RUF102`.

    ## Why is this bad?
    A typo in a suppression silences nothing, and nobody notices: the comment reads as if the
    finding had been looked at. A prefix never matches: suppressions name exact codes.

    ## Example
    ```python
    @shared_task  # noqa: CT210
    def sync(): ...
    ```

    ## Use instead
    ```python
    @shared_task  # noqa: CT201
    def sync(): ...
    ```
    """

    code = "CT001"
    name = "invalid-suppression"
    section = Section.FILE
    severity = Severity.WARNING
    opt_in = True
    checklist = "Suppression comments name real rules"
    per_task = False
    VALID = [
        "from celery import shared_task\n\n@shared_task  # noqa: CT201, E501\ndef f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task  # celery-checklist: ignore[CT201,ct301]\n"
        "def f():\n    pass\n",
        "from celery import shared_task\n\nTEXT = '# noqa: CT999'\n",  # in a string: not a comment
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task  # noqa: CT999\ndef f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task  # noqa: CT2\ndef f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task  # celery-checklist: ignore\ndef f():\n    pass\n",
        "from celery import shared_task\n\n@shared_task  # celery-checklist: ignore[E501]\ndef f():\n    pass\n",
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        for facts in project.files:
            for line, column, text, problem in facts.suppressions.problems:
                where = Location(facts.path, line, column, line, column + len(text))
                yield ProjectReport(where, f"suppression `{text}`: {problem}")
