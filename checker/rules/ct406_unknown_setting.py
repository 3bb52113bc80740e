from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule


class UnknownSetting(Rule):
    """
    ## What it does
    Checks Celery setting names, in every spelling (`app.conf`, `Celery(...)`-related calls, a
    config module, Django `CELERY_` settings, old upper-case names), against the settings the
    installed Celery knows, and reports names that look like a typo of a known one.

    ## Why is this bad?
    Celery ignores settings it does not know. `task_time_limt = 300` or
    `CELERY_TASK_ACKS_LAET = True` leaves the default in force, and the configuration reads as if
    it were protected.

    ## Example
    ```python
    CELERY_TASK_SOFT_TIME_LIMT = 60
    ```

    ## Use instead
    ```python
    CELERY_TASK_SOFT_TIME_LIMIT = 60
    ```
    """

    code = "CT406"
    name = "unknown-setting"
    section = Section.DEPLOYED
    severity = Severity.WARNING
    checklist = "Settings are ones Celery knows"
    per_task = False
    VALID = [
        {"proj/settings.py": "CELERY_TASK_TIME_LIMIT = 300\nCELERY_ONCE = {'backend': 'x'}\n"},
        {"proj/celeryconfig.py": "task_acks_late = True\nredis_host = 'localhost'\n"},
        # a module's own constant, not a setting
        {"proj/contrib/debugger.py": "CELERY_RDB_HOST = os.environ.get('CELERY_RDB_HOST')\n"},
        "from celery import Celery\n\napp = Celery('proj')\napp.conf.update(worker_prefetch_multiplier=1)\n",
    ]
    INVALID = [
        {"proj/settings.py": "CELERY_TASK_ACKS_LAET = True\n"},
        {"proj/celeryconfig.py": "task_time_limt = 300\n"},
        "from celery import Celery\n\napp = Celery('proj')\napp.conf.task_soft_time_limt = 60\n",
        "from celery import Celery\n\napp = Celery('proj')\napp.conf.update({'worker_prefetch_multiplyer': 1})\n",
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        names = project.setting_names
        if names is None:
            return
        for setting in project.config.reportable():
            if setting.name is not None:
                continue
            close = names.close_match(setting.raw)
            if close is not None:
                yield ProjectReport(
                    setting.key_where,
                    f"`{setting.raw}` is not a Celery setting, so Celery ignores it; did you mean `{close}`?",
                )
