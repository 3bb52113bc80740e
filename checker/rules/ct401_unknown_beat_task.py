from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule


class UnknownBeatTask(Rule):
    """
    ## What it does
    Checks that every beat schedule entry (`beat_schedule`, `CELERY_BEAT_SCHEDULE`,
    `CELERYBEAT_SCHEDULE`, `app.add_periodic_task(..., signature("name"))`) names, as a string,
    a task the project defines. A schedule built from names (`dict(PERIODIC)`, `{**A, **B}`,
    `A | B`, a dict imported from another module, entries added by `SCHEDULE["key"] = {...}` or
    `SCHEDULE.update(...)` or `SCHEDULE |= PRODUCTION_ONLY`, also in a function such as a Flask extension's `init_app`:
    `app.config["CELERY_BEAT_SCHEDULE"]["key"] = {...}`, or a function that post-processes the
    settings and builds `settings["CELERY_BEAT_SCHEDULE"]` from a dict of entries it holds) is
    followed to the literal entries, which are reported where they are written. Tasks in excluded or skipped files count as defined, and a task
    whose name Celery makes from its module counts under the module's name below a directory
    the project puts on `sys.path` too (`billing.tasks.charge` for `proj/apps/billing/tasks.py`
    when the settings insert `apps`). Names outside the
    project's own prefixes (Celery's built-ins, installed libraries' tasks) are left alone, and
    so is everything when a task's name is not a literal.

    ## Why is this bad?
    Beat sends the message whatever the name; the worker rejects it as an unregistered task and
    the periodic job silently never runs. This happens after every rename or move of a task
    whose name is implicit.

    ## Example
    ```python
    beat_schedule = {
        "nightly-invoices": {"task": "billing.tasks.send_invoice", "schedule": crontab(minute=0, hour=2)},
    }
    ```

    ## Use instead
    ```python
    beat_schedule = {
        "nightly-invoices": {"task": "billing.tasks.send_invoices", "schedule": crontab(minute=0, hour=2)},
    }
    ```
    """

    code = "CT401"
    name = "unknown-beat-task"
    section = Section.DEPLOYED
    severity = Severity.ERROR
    checklist = "Beat entries name existing tasks"
    per_task = False
    VALID = [
        # a class no ``config_from_object`` is given is not configuration
        "class Defaults:\n    beat_schedule = {'cleanup': {'task': 'proj.tasks.clean_up', 'schedule': 60.0}}\n",
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef cleanup():\n    pass\n",
            "proj/settings.py": "CELERY_BEAT_SCHEDULE = {\n    'cleanup': {'task': 'proj.tasks.cleanup', "
            "'schedule': 60.0},\n    'results': {'task': 'celery.backend_cleanup', 'schedule': 3600},\n"
            "    'other': {'task': 'django_celery_results.tasks.x', 'schedule': 60}}\n",
        },
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task(name='jobs.cleanup')\n"
            "def cleanup():\n    pass\n",
            "proj/celery.py": "from celery import Celery, signature\n\napp = Celery('proj')\n"
            "app.add_periodic_task(60.0, signature('jobs.cleanup'))\n",
        },
    ]
    INVALID = [
        # the schedule of a config class given to ``config_from_object``
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef cleanup():\n    pass\n",
            "proj/config.py": "class CeleryConfig:\n    beat_schedule = {\n        'cleanup': "
            "{'task': 'proj.tasks.clean_up', 'schedule': 60.0}}\n",
            "proj/app.py": "from celery import Celery\nfrom proj.config import CeleryConfig\n\n"
            "app = Celery()\napp.config_from_object(CeleryConfig)\n",
        },
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef cleanup():\n    pass\n",
            "proj/settings.py": "CELERY_BEAT_SCHEDULE = {\n    'cleanup': {'task': 'proj.tasks.clean_up', "
            "'schedule': 60.0}}\n",
        },
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task(name='jobs.cleanup')\n"
            "def cleanup():\n    pass\n",
            "proj/celery.py": "from celery import Celery, signature\n\napp = Celery('proj')\n"
            "app.conf.beat_schedule = {'x': dict(task='jobs.cleanup_old', schedule=60)}\n"
            "app.add_periodic_task(60.0, signature('jobs.clean'))\n",
        },
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef cleanup():\n    pass\n",
            "proj/periodic.py": "NIGHTLY = {'cleanup': {'task': 'proj.tasks.clean_up', 'schedule': 60.0}}\n",
            "proj/settings.py": "from proj.periodic import NIGHTLY\n\nCELERY_BEAT_SCHEDULE = {**NIGHTLY}\n",
        },
        # merged in with a dict union, in production only
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef cleanup():\n    pass\n",
            "proj/periodic.py": "PRODUCTION_ONLY = {'cleanup': {'task': 'proj.tasks.clean_up', 'schedule': 60.0}}\n",
            "proj/settings.py": "from proj.periodic import PRODUCTION_ONLY\n\nCELERY_BEAT_SCHEDULE = {}\n"
            "if not STAGE:\n    CELERY_BEAT_SCHEDULE |= PRODUCTION_ONLY\n",
        },
        # added at start-up by an extension of a Flask app
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef cleanup():\n    pass\n",
            "proj/__init__.py": "def init_app(app):\n    app.config['CELERY_BEAT_SCHEDULE']['cleanup'] = "
            "{'task': 'proj.tasks.clean_up', 'schedule': 60.0}\n",
        },
        # the settings post-processed in a function: the entries enabled by name from a local dict
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef cleanup():\n    pass\n",
            "proj/settings/post.py": "def post_process(settings):\n    jobs = {\n        'cleanup': "
            "{'task': 'proj.tasks.clean_up', 'schedule': 60.0},\n    }\n"
            "    settings['CELERY_BEAT_SCHEDULE'] = dict((j, jobs[j]) for j in settings['JOBS'])\n",
        },
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        registered = project.registered_names()
        for reference in project.references("beat"):
            if reference.task in registered or not project.may_name_a_project_task(reference.task):
                continue
            yield ProjectReport(
                reference.where,
                f"beat schedules `{reference.task}`, which no task of the project registers: "
                "the worker will reject it as unregistered",
            )
