from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule


class EagerInSettings(Rule):
    """
    ## What it does
    Checks for `task_always_eager` (`CELERY_TASK_ALWAYS_EAGER`, `CELERY_ALWAYS_EAGER`, ...) set to
    the literal `True` outside test code. Not reported in test files and test settings modules
    (`settings/test.py`, `settings/pytest.py`), nor in settings modules named for development
    or CI
    (`settings/dev.py`, `settings_dev.py`, `local_settings.py`, `settings/ci.py`,
    `settings/development/base.py`), nor in a settings module that sets `DEBUG = True`
    unconditionally (a development module whatever its name, `settings/docker.py` for a local
    container): eager mode is common there and does not reach production.

    ## Why is this bad?
    Eager mode runs every task inline, in the caller's process, and never touches the broker. In
    production settings, web requests then do the tasks' work synchronously, retries and time
    limits behave differently, and the workers sit idle. It belongs in test settings only.

    ## Example
    ```python
    # settings/production.py
    CELERY_TASK_ALWAYS_EAGER = True
    ```

    ## Use instead
    ```python
    # settings/test.py
    CELERY_TASK_ALWAYS_EAGER = True
    ```
    """

    code = "CT302"
    name = "eager-in-settings"
    section = Section.TESTED
    severity = Severity.WARNING
    checklist = "Tasks are not run eagerly outside tests"
    per_task = False
    VALID = [
        {"proj/settings/test.py": "CELERY_TASK_ALWAYS_EAGER = True\n"},
        {"proj/settings/base.py": "CELERY_TASK_ALWAYS_EAGER = env.bool('EAGER', False)\n"},
        {"tests/conftest.py": "from proj.celery import app\n\napp.conf.task_always_eager = True\n"},
        {"proj/settings_dev.py": "DEBUG = True\nCELERY_TASK_ALWAYS_EAGER = True\n"},
        {"proj/settings/development/base.py": "DEBUG = True\nCELERY_TASK_ALWAYS_EAGER = True\n"},
        {"proj/settings/local.py": "CELERY_TASK_ALWAYS_EAGER = True\n"},
        # settings for pytest
        {"proj/settings/pytest.py": "CELERY_TASK_ALWAYS_EAGER = True\n"},
        # development settings, whatever their name
        {"proj/settings/docker.py": "DEBUG = True\nCELERY_TASK_ALWAYS_EAGER = True\n"},
    ]
    INVALID = [
        {"proj/settings/production.py": "CELERY_TASK_ALWAYS_EAGER = True\n"},
        {
            "proj/settings/base.py": "import os\n\nDEBUG = False\nif os.environ.get('DEV'):\n    DEBUG = True\n"
            "CELERY_TASK_ALWAYS_EAGER = True\n"
        },
        {"proj/settings.py": "CELERY_ALWAYS_EAGER = True\n"},
        {
            "proj/celery.py": "from celery import Celery\n\napp = Celery('proj')\n"
            "app.conf.update(task_always_eager=True)\n"
        },
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        debugging = {f.module for f in project.files if f.debug_on}
        for setting in project.config.reportable():
            if (
                setting.name == "task_always_eager"
                and setting.value is True
                and not _development(setting.module)
                and setting.module not in debugging
            ):
                yield ProjectReport(
                    setting.where,
                    f"`{setting.raw}` is True outside test code: tasks would run inline, "
                    "in the caller, in production",
                )


_DEVELOPMENT = frozenset({"dev", "devel", "develop", "development", "local", "ci", "debug"})


def _development(module: str) -> bool:
    """A settings module named for development or CI (``proj.settings.dev``, ``settings_dev``,
    ``local_settings``), or inside a package so named (``proj.settings.development.base``)."""
    return any(not _DEVELOPMENT.isdisjoint(part.split("_")) for part in module.split("."))
