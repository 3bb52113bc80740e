from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.rules.base import FileContext, Report, Rule


class SyntaxErrorRule(Rule):
    """
    ## What it does
    Reports a Python file that cannot be parsed or decoded, at the parser's line and column.
    Not reported in a project that declares Python 2 only (its `.travis.yml`, `tox.ini`,
    `runtime.txt` or classifiers name Python 2 and never Python 3): the analyser reads the
    running Python's grammar, and Python 2 syntax is no error there; a note says how many files
    were skipped.

    ## Why is this bad?
    A module that does not parse cannot be imported: every task in it is missing from the worker,
    and the analyser cannot check any of them. Every other file is still analysed.

    ## Example
    ```python
    @shared_task
    def add(x, y)
        return x + y
    ```

    ## Use instead
    ```python
    @shared_task
    def add(x, y):
        return x + y
    ```
    """

    code = "CT000"
    name = "syntax-error"
    section = Section.FILE
    severity = Severity.ERROR
    checklist = "The module parses"
    per_task = False
    VALID = [
        "from celery import shared_task\n\n@shared_task\ndef add(x, y):\n    return x + y\n",
        "import celery\n\nmatch = 1\nprint(f'{match!r:>{10}}')\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\ndef add(x, y)\n    return x + y\n",
        "# a Python 2 module\nfrom celery import task\nprint 'hello'\n",
        b"from celery import shared_task\nname = '\xff\xfe'\n",  # not UTF-8, no coding cookie
    ]

    def check(self, ctx: FileContext) -> Iterator[Report]:
        # Files reach the rules only once they parsed; the engine reports parse failures under
        # this rule's code before any rule runs.
        return iter(())
