from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule

FREQUENT = 3600.0  # seconds: entries that run more often than hourly are reported


def _every(seconds: float) -> str:
    """``every 15 minutes``, ``every 30 s``, or ``7 times an hour`` (a crontab's average)."""
    if seconds >= 60 and seconds % 60 == 0:
        minutes = int(seconds // 60)
        return "every minute" if minutes == 1 else f"every {minutes} minutes"
    if seconds < 60:
        return f"every {seconds:g} s"
    return f"{round(3600 / seconds)} times an hour"


# django-celery-beat's DatabaseScheduler keeps ``options["expire_seconds"]`` but drops
# ``options["expires"]`` when it copies the schedule into its tables.
_DATABASE_ADVICE = (
    '; the project\'s DatabaseScheduler drops `options={"expires": ...}`: set `expires=` on the task '
    '(or `options={"expire_seconds": ...}`)'
)


class PeriodicWithoutExpires(Rule):
    """
    ## What it does
    Checks that every beat entry that runs more often than hourly sets
    `options={"expires": ...}` (or `expires=` on `add_periodic_task`), or that its task sets
    `expires` itself. Entries of schedules built from names (`dict(PERIODIC)`, `{**A, **B}`, an
    imported dict, `SCHEDULE["key"] = {...}`) are checked where they are written.

    Reported only when the schedule runs more often than once an hour: a number of seconds, a
    `timedelta` or `schedule(run_every=...)` under 3600 s, or a `crontab` whose `hour` is left
    at `*` (or `*/n`) and whose `minute` is `*`, `*/n` or several values (`"0,30"`, `"0-59/10"`,
    a list). Module-level names in the same module are followed to their value. A `crontab`
    that leaves its minute at `*` below a given hour or day (`crontab(hour=7)`, CT405's mistake)
    is read as meant, at minute 0: CT405 reports it.

    Not reported:
    - entries that run hourly or less often (daily and weekly cleanups, a `crontab` at fixed
      hours): at most one late copy queues per period of outage, and running it is wanted;
    - entries whose schedule the analyser cannot evaluate (`solar`, a custom schedule class, a
      period read from the environment);
    - entries whose task sets `expires` on its decorator, its `base=` class, its `Task`
      subclass body, or through `task_annotations` (for `"*"` or its name), or when the analyser
      cannot see all of its options: beat sends through `apply_async`, which uses the task's
      own `expires` when the entry gives none;
    - entries naming a task the analyser did not discover (another package's, or one registered
      under a name it cannot work out): that task may set its own `expires`.

    ## Why is this bad?
    Beat keeps sending while the workers are down or busy. When they come back they run every
    queued copy of the periodic task, one after another: an hour of outage of a five-minute
    entry leaves a dozen stale, duplicate runs. An expiry drops the copies nobody ran in time.

    ## Example
    ```python
    beat_schedule = {"sync": {"task": "proj.tasks.sync", "schedule": crontab(minute="*/5")}}
    ```

    ## Use instead
    ```python
    beat_schedule = {
        "sync": {"task": "proj.tasks.sync", "schedule": crontab(minute="*/5"), "options": {"expires": 290}}
    }
    ```
    or, on the task, which every scheduler honours (django-celery-beat's `DatabaseScheduler`
    drops `options["expires"]` when it copies the schedule into its tables; it keeps
    `options["expire_seconds"]`; the message says so when the project configures it):
    ```python
    @shared_task(expires=290)
    def sync(): ...
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
        # hourly or less often: at most one late copy per period of outage
        "from datetime import timedelta\nfrom celery.schedules import crontab\n\n"
        "CELERY_BEAT_SCHEDULE = {\n"
        "    'nightly': {'task': 'proj.tasks.clean', 'schedule': crontab(minute=0, hour=0)},\n"
        "    'weekly': {'task': 'proj.tasks.audit', 'schedule': crontab(minute=0, hour=7, day_of_week='wed')},\n"
        "    'daily': {'task': 'proj.tasks.purge', 'schedule': timedelta(days=1)},\n"
        "    'hourly': {'task': 'proj.tasks.stats', 'schedule': timedelta(hours=1)},\n"
        "    'at-22': {'task': 'proj.tasks.prune', 'schedule': crontab(minute=22, hour='*')},\n"
        "    'six-hourly': {'task': 'proj.tasks.pages', 'schedule': crontab(minute=27, hour='*/6')},\n"
        "    'fixed-hour': {'task': 'proj.tasks.morning', 'schedule': crontab(minute='*/15', hour=7)},\n"
        "    'check': {'task': 'proj.tasks.check', 'schedule': 3600},\n"
        "}\n",
        # schedules the analyser cannot evaluate
        "import os\nfrom datetime import timedelta\nfrom celery.schedules import solar\n\n"
        "EVERY = timedelta(seconds=int(os.environ['SYNC_SECONDS']))\n\n"
        "CELERY_BEAT_SCHEDULE = {\n"
        "    'sunset': {'task': 'proj.tasks.lights', 'schedule': solar('sunset', 59.9, 10.7)},\n"
        "    'sync': {'task': 'proj.tasks.sync', 'schedule': EVERY},\n"
        "    'custom': {'task': 'proj.tasks.poll', 'schedule': polling_schedule},\n"
        "}\n",
        "from celery import Celery, signature\nfrom celery.schedules import crontab\n\napp = Celery('proj')\n"
        "app.add_periodic_task(crontab(minute=30, hour=4), signature('proj.tasks.sync'))\n",
    ]
    INVALID = [
        {
            "proj/settings.py": "CELERY_BEAT_SCHEDULE = {'s': {'task': 'proj.tasks.sync', 'schedule': 60}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef sync():\n    pass\n",
        },
        {
            "proj/celeryconfig.py": "beat_schedule = {'s': {'task': 'proj.tasks.sync', 'schedule': 60, "
            "'options': {'queue': 'beat'}}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef sync():\n    pass\n",
        },
        {  # an expiry on another task does not help
            "proj/settings.py": "CELERY_BEAT_SCHEDULE = {'s': {'task': 'proj.tasks.sync', 'schedule': 60}}\n"
            "CELERY_TASK_ANNOTATIONS = {'proj.tasks.other': {'expires': 55}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task(time_limit=5)\ndef sync():\n    pass\n",
        },
        {
            "proj/periodic.py": "PERIODIC = {'s': {'task': 'proj.tasks.sync', 'schedule': 60}}\n",
            "proj/settings.py": "from proj.periodic import PERIODIC\n\nCELERY_BEAT_SCHEDULE = dict(PERIODIC)\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef sync():\n    pass\n",
        },
        "from celery.schedules import crontab\n\n"
        "CELERY_BEAT_SCHEDULE = {'s': {'task': 'proj.tasks.sync', 'schedule': crontab(minute='*/15')}}\n"
        "from celery import shared_task\n\n@shared_task\ndef sync():\n    pass\n",
        "from celery.schedules import crontab\n\n"
        "CELERY_BEAT_SCHEDULE = {'s': {'task': 'proj.tasks.sync', 'schedule': crontab(minute='*')}}\n"
        "from celery import shared_task\n\n@shared_task\ndef sync():\n    pass\n",
        "from celery.schedules import crontab\n\n"
        "CELERY_BEAT_SCHEDULE = {'s': {'task': 'proj.tasks.sync', 'schedule': crontab(minute='0,30', hour='*')}}\n"
        "from celery import shared_task\n\n@shared_task\ndef sync():\n    pass\n",
        "from celery.schedules import crontab\n\nCELERY_BEAT_SCHEDULE = {\n"
        "    's': {'task': 'proj.tasks.sync', 'schedule': crontab(minute='*/10', hour='*/2')},\n}\n"
        "from celery import shared_task\n\n@shared_task\ndef sync():\n    pass\n",
        "import datetime\n\nEVERY = datetime.timedelta(minutes=10)\n\n"
        "CELERY_BEAT_SCHEDULE = {'s': {'task': 'proj.tasks.sync', 'schedule': EVERY}}\n"
        "from celery import shared_task\n\n@shared_task\ndef sync():\n    pass\n",
        "from celery.schedules import schedule\n\n"
        "CELERY_BEAT_SCHEDULE = {'s': {'task': 'proj.tasks.sync', 'schedule': schedule(run_every=30)}}\n"
        "from celery import shared_task\n\n@shared_task\ndef sync():\n    pass\n",
        "from celery import Celery, signature\nfrom celery.schedules import crontab\n\napp = Celery('proj')\n"
        "app.add_periodic_task(crontab(minute='*/5'), signature('proj.tasks.sync'))\n"
        "from celery import shared_task\n\n@shared_task\ndef sync():\n    pass\n",
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        by_name = {t.name: t for t in project.tasks}
        scheduler = project.config.value("beat_scheduler")
        database = isinstance(scheduler, str) and "DatabaseScheduler" in scheduler
        for reference in project.references("beat"):
            if reference.has_expires or reference.period is None or reference.period >= FREQUENT:
                continue
            task = by_name.get(reference.task)
            if task is None or project.task_sets(task, "expires"):
                continue  # a task the analyser cannot see may set its own ``expires``
            yield ProjectReport(
                reference.where,
                f"the beat entry for `{reference.task}` runs {_every(reference.period)} and has no "
                "`expires`: copies pile up while workers are down" + (_DATABASE_ADVICE if database else ""),
                task,  # the scheduled task fails "deployed"
            )
