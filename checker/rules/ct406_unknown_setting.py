from __future__ import annotations

from collections.abc import Iterator

from checker.celery_names import setting_defaults, setting_kinds, value_fits
from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule
from checker.settings import SettingNames
from checker.values import Value


class UnknownSetting(Rule):
    """
    ## What it does
    Checks Celery setting names, in every spelling (`app.conf`, `Celery(...)`-related calls, a
    config module, Django `CELERY_` settings, old upper-case names), against the settings the
    installed Celery knows, and reports names that look like a typo of a known one.

    A name is reported only with its suggestion, and a known name is suggested only when the
    literal value fits it (its type in the installed Celery's `celery.app.defaults`: `True` is
    not meant for a setting that takes a number) and the same module does not set it already
    (`worker_heartbeat` beside `broker_heartbeat` is not a typo of it). Without such a
    suggestion, nothing is reported: the name may belong to another library. Nor is a module-level
    name the module itself reads (`CELERY_BROKER_HOSTNAME = os.environ[...]`, then put into
    `CELERY_BROKER_URL`): it is the settings module's own variable, not a misspelt setting; the
    same for an upper-case name any module of the project reads from Django's settings
    (`soft_time_limit=settings.CELERY_SOFT_TIME_LIMIT`), or a `CELERY` name any module reads
    from any object (`env.CELERY_DATABASE_NUMBER`: a settings model's field; `time_limit =
    app_settings.CELERY_HARD_TIME_LIMIT` in a task class), nor an upper-case name whose value is
    read from Django's settings (`CELERY_HARD_TIME_LIMIT = getattr(settings,
    "OPENWISP_CELERY_HARD_TIME_LIMIT", 120)`: a reusable app's own settings module, which reads
    the configuration and is none), nor a type alias (`CELERY_SCHEDULE: TypeAlias = dict[...]`).
    Nor is a name whose literal value is
    the suggested setting's default (`CELERY_TASK_SEND_EVENTS = False`): fixing the spelling
    would change nothing.

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
        # a reusable app's settings module: its constants are read from Django's settings
        {
            "myapp/settings.py": "from django.conf import settings\n\n"
            "CELERY_HARD_TIME_LIMIT = getattr(settings, 'MYAPP_CELERY_HARD_TIME_LIMIT', 120)\n"
            "CELERY_SOFT_TIME_LIMIT = settings.MYAPP_CELERY_SOFT_TIME_LIMIT\n"
        },
        # a type alias, not a setting
        {
            "proj/conf/celery.py": "from typing import TypeAlias\nfrom celery.schedules import crontab\n\n"
            "CELERY_SCHEDULE: TypeAlias = dict[str, dict[str, str | crontab]]\n"
        },
        # read by a task class's attribute (a module without a call)
        {
            "myapp/conf.py": "CELERY_HARD_TIME_LIMIT = 120\n",
            "myapp/tasks.py": "from celery import Task\n\nfrom myapp import conf\n\n\nclass T(Task):\n"
            "    time_limit = conf.CELERY_HARD_TIME_LIMIT\n",
        },
        {"proj/settings.py": "CELERY_TASK_TIME_LIMIT = 300\nCELERY_ONCE = {'backend': 'x'}\n"},
        {"proj/celeryconfig.py": "task_acks_late = True\nredis_host = 'localhost'\n"},
        # a module's own constant, not a setting
        {"proj/contrib/debugger.py": "CELERY_RDB_HOST = os.environ.get('CELERY_RDB_HOST')\n"},
        "from celery import Celery\n\napp = Celery('proj')\napp.conf.update(worker_prefetch_multiplier=1)\n",
        # the close known name is set beside it: not a typo of it
        {"proj/celeryconfig.py": "broker_heartbeat = 10\nworker_heartbeat = 30\ntask_acks_late = True\n"},
        # the value does not fit the close known name (a queue name, not a tuple of them)
        {"proj/celeryconfig.py": "task_default_queues = ('mail', 'web')\n"},
        # the settings module's own variable, put into a setting
        {
            "proj/settings.py": "import os\n\nCELERY_BROKER_HOSTNAME = os.environ.get('CELERY_BROKER_HOSTNAME', '')\n"
            "CELERY_BROKER_URL = 'redis://{}/0'.format(CELERY_BROKER_HOSTNAME)\n"
        },
        # the project's own variable, read by a task module
        {
            "proj/settings.py": "CELERY_SOFT_TIME_LIMIT = 300\n",
            "proj/tasks.py": "from celery import shared_task\nfrom django.conf import settings\n\n"
            "@shared_task(soft_time_limit=settings.CELERY_SOFT_TIME_LIMIT)\ndef f():\n    pass\n",
        },
        # a settings model's field, read by the settings module
        {
            "proj/config/cf_env.py": "class Env(BaseSettings):\n    CELERY_DATABASE_NUMBER: int = 3\n\n"
            "env = Env()\n",
            "proj/config/settings.py": "from proj.config.cf_env import env\n\n"
            "CELERY_BROKER_URL = f'redis://redis/{env.CELERY_DATABASE_NUMBER}'\n",
        },
        # misspelt, but the value is the suggested setting's default: nothing would change
        {"proj/settings.py": "CELERY_TASK_ACKS_LAET = False\n"},
    ]
    INVALID = [
        {"proj/settings.py": "CELERY_TASK_ACKS_LAET = True\n"},
        {"proj/celeryconfig.py": "task_time_limt = 300\n"},
        "from celery import Celery\n\napp = Celery('proj')\napp.conf.task_soft_time_limt = 60\n",
        "from celery import Celery\n\napp = Celery('proj')\napp.conf.update({'worker_prefetch_multiplyer': 1})\n",
        {"proj/celeryconfig.py": "worker_heartbeat = 30\ntask_acks_late = True\n"},
        # read only by another misspelt setting: still a misspelt setting
        {
            "proj/settings.py": "CELERY_SOFT_TIME_LIMIT = 300\nCELERY_TIME_LIMIT = CELERY_SOFT_TIME_LIMIT + 60\n"
        },
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        names = project.setting_names
        if names is None:
            return
        settings = project.config.reportable()
        set_in: dict[str, set[str]] = {}
        for setting in project.config.settings:
            if setting.name is not None:
                set_in.setdefault(setting.module, set()).add(setting.name)
        for setting in settings:
            if setting.name is not None:
                continue
            if setting.raw in project.settings_read:
                continue  # the project's own variable, read elsewhere: ``settings.CELERY_SOFT_LIMIT``
            close = next(
                (
                    spelling
                    for spelling in names.close_matches(setting.raw)
                    if _fits(spelling, setting.value, names, set_in.get(setting.module, set()))
                ),
                None,
            )
            if close is not None and not _default_of(close, setting.value, names):
                yield ProjectReport(
                    setting.key_where,
                    f"`{setting.raw}` is not a Celery setting, so Celery ignores it; did you mean `{close}`?",
                )


def _fits(spelling: str, value: Value, names: SettingNames, already: set[str]) -> bool:
    """``spelling`` is a suggestion worth making: not set in the same module, and of the kind
    the value is."""
    name = names.normalise(spelling)
    if name is None:
        return True
    return name not in already and value_fits(value, setting_kinds().get(name))


def _default_of(spelling: str, value: Value, names: SettingNames) -> bool:
    """The literal is the suggested setting's default: the misspelling changes nothing."""
    name = names.normalise(spelling)
    if name is None or value is None or not isinstance(value, (bool, int, float, str)):
        return False
    default = setting_defaults().get(name)
    return type(default) is type(value) and default == value
