from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule


class UnknownRoutedTask(Rule):
    """
    ## What it does
    Checks that every `task_routes` key without glob characters (dict and list-of-dicts forms),
    and every `app.send_task("...")` literal, names a task the project defines. `send_task` often
    targets a task of another service, so that case is reported at `info` severity; names
    outside the project's own prefixes are never reported.

    ## Why is this bad?
    A route for a name no task has routes nothing: the task it was meant for (often renamed) goes
    to the default queue, onto workers that may not be sized or configured for it. A
    `send_task` with a stale name sends messages that every worker rejects.

    ## Example
    ```python
    task_routes = {"reports.tasks.render_pdf": {"queue": "pdf"}}  # the task is render_report
    ```

    ## Use instead
    ```python
    task_routes = {"reports.tasks.render_report": {"queue": "pdf"}}
    ```
    """

    code = "CT402"
    name = "unknown-routed-task"
    section = Section.DEPLOYED
    severity = Severity.WARNING
    checklist = "Routes name existing tasks"
    per_task = False
    VALID = [
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef render():\n    pass\n",
            "proj/celeryconfig.py": "task_routes = {'proj.tasks.render': {'queue': 'pdf'}, "
            "'proj.mail.*': {'queue': 'mail'}}\n",
        },
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef render():\n    pass\n",
            "proj/client.py": "from proj.celery import app\n\napp.send_task('other_service.render')\n",
        },
    ]
    INVALID = [
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef render():\n    pass\n",
            "proj/celeryconfig.py": "task_routes = [{'proj.tasks.render_pdf': {'queue': 'pdf'}}]\n",
        },
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef render():\n    pass\n",
            "proj/client.py": "from proj.celery import app\n\napp.send_task('proj.tasks.rendre', args=(1,))\n",
        },
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        registered = project.registered_names()
        for via in ("route", "send_task"):
            for reference in project.references(via):
                if reference.task in registered or not project.may_name_a_project_task(reference.task):
                    continue
                if via == "route":
                    yield ProjectReport(
                        reference.where,
                        f"`task_routes` routes `{reference.task}`, which no task of the project registers",
                    )
                else:
                    yield ProjectReport(
                        reference.where,
                        f"`send_task` sends `{reference.task}`, which no task of this project registers "
                        "(fine if another service defines it)",
                        severity=Severity.INFO,
                    )
