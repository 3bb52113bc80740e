from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule


class PeriodicWithoutExpires(Rule):
    """
    ## What it does
    Checks that every beat entry sets `options={"expires": ...}` (or `expires=` on
    `add_periodic_task`), or that its task sets `expires` itself. Entries of schedules built
    from names (`dict(PERIODIC)`, `{**A, **B}`, an imported dict, `SCHEDULE["key"] = {...}`)
    are checked where they are written.

    Not reported when the scheduled task sets `expires` on its decorator, its `base=` class, its
    `Task` subclass body, or through `task_annotations` (for `"*"` or its name), or when the
    analyser cannot see all of its options: beat sends through `apply_async`, which uses the
    task's own `expires` when the entry gives none.

    ## Why is this bad?
    Beat keeps sending while the workers are down or busy. When they come back they run every
    queued copy of the periodic task, one after another: a burst of stale, duplicate runs. An
    expiry drops the copies nobody ran in time.

    ## Example
    ```python
    beat_schedule = {"sync": {"task": "proj.tasks.sync", "schedule": 60.0}}
    ```

    ## Use instead
    ```python
    beat_schedule = {"sync": {"task": "proj.tasks.sync", "schedule": 60.0, "options": {"expires": 55}}}
    ```
    """

    code = "CT407"
    name = "periodic-without-expires"
    section = Section.DEPLOYED
    severity = Severity.INFO
    opt_in = True
    checklist = "Periodic runs expire"
    per_task = False
    VALID = [
        {
            "proj/settings.py": "CELERY_BEAT_SCHEDULE = {'s': {'task': 'proj.tasks.sync', 'schedule': 60, "
            "'options': {'expires': 55}}}\n"
        },
        "from celery import Celery, signature\n\napp = Celery('proj')\n"
        "app.add_periodic_task(60, signature('proj.tasks.sync'), expires=55)\n",
        # the task sets its own expiry: beat's apply_async uses it
        {
            "proj/settings.py": "CELERY_BEAT_SCHEDULE = {'s': {'task': 'proj.tasks.sync', 'schedule': 60}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task(expires=55)\ndef sync():\n    pass\n",
        },
        {
            "proj/settings.py": "CELERY_BEAT_SCHEDULE = {'s': {'task': 'proj.tasks.sync', 'schedule': 60}}\n",
            "proj/tasks.py": "from celery import Task, shared_task\n\nclass Expiring(Task):\n    expires = 55\n\n"
            "@shared_task(base=Expiring)\ndef sync():\n    pass\n",
        },
        {
            "proj/settings.py": "CELERY_BEAT_SCHEDULE = {'s': {'task': 'proj.tasks.sync', 'schedule': 60}}\n"
            "CELERY_TASK_ANNOTATIONS = {'proj.tasks.sync': {'expires': 55}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef sync():\n    pass\n",
        },
    ]
    INVALID = [
        {"proj/settings.py": "CELERY_BEAT_SCHEDULE = {'s': {'task': 'proj.tasks.sync', 'schedule': 60}}\n"},
        {
            "proj/celeryconfig.py": "beat_schedule = {'s': {'task': 'proj.tasks.sync', 'schedule': 60, "
            "'options': {'queue': 'beat'}}}\n"
        },
        {  # an expiry on another task does not help
            "proj/settings.py": "CELERY_BEAT_SCHEDULE = {'s': {'task': 'proj.tasks.sync', 'schedule': 60}}\n"
            "CELERY_TASK_ANNOTATIONS = {'proj.tasks.other': {'expires': 55}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task(time_limit=5)\ndef sync():\n    pass\n",
        },
        {
            "proj/periodic.py": "PERIODIC = {'s': {'task': 'proj.tasks.sync', 'schedule': 60}}\n",
            "proj/settings.py": "from proj.periodic import PERIODIC\n\nCELERY_BEAT_SCHEDULE = dict(PERIODIC)\n",
        },
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        by_name = {t.name: t for t in project.tasks}
        for reference in project.references("beat"):
            task = by_name.get(reference.task)
            if task is not None and project.task_sets(task, "expires"):
                continue
            if project.config.annotated(reference.task, ["expires"]):
                continue  # a task of another package, annotated here
            if not reference.has_expires:
                yield ProjectReport(
                    reference.where,
                    f"the beat entry for `{reference.task}` has no `expires`: runs pile up while workers are down",
                    task,  # the scheduled task fails "deployed"
                )
