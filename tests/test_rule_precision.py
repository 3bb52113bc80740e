"""What rules say, and when they stay silent, beyond what their VALID/INVALID examples express."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from checker.api import check_sources
from checker.config import Config, ConfigError, load_file
from checker.model import Finding


def _findings(files: dict[str, str], code: str, config: Config | None = None) -> list[Finding]:
    sources = {path: textwrap.dedent(source) for path, source in files.items()}
    return [f for f in check_sources(sources, config, select=[code]).findings if f.code == code]


def _task(decorator: str) -> dict[str, str]:
    return {
        "proj/tasks.py": f"from celery import shared_task\n\n@shared_task({decorator})\ndef f():\n    work()\n"
    }


def test_ct202_soft_above_hard_cannot_be_sent() -> None:
    (finding,) = _findings(_task("soft_time_limit=120, time_limit=60"), "CT202")
    assert "ValueError" in finding.message and "cannot be sent" in finding.message


def test_ct202_equal_limits_never_fire_first() -> None:
    (finding,) = _findings(_task("soft_time_limit=60, time_limit=60"), "CT202")
    assert "never fires before" in finding.message and "ValueError" not in finding.message


def test_ct107_suggests_a_fitting_option() -> None:
    (finding,) = _findings(_task("max_retry=5"), "CT107")
    assert finding.message.endswith("did you mean `max_retries`?")


def test_ct107_no_suggestion_when_the_value_does_not_fit() -> None:
    # `base` takes a class: a boolean is not a typo of it
    (finding,) = _findings(_task("bare=True"), "CT107")
    assert "did you mean" not in finding.message


def test_ct107_no_suggestion_of_an_option_the_decorator_already_sets() -> None:
    (finding,) = _findings(_task("acks_late=True, acks_lates=True"), "CT107")
    assert "`acks_late`?" not in finding.message
    (finding,) = _findings(_task("acks_lates=True"), "CT107")
    assert finding.message.endswith("did you mean `acks_late`?")


_INSTALLED_HELPER = """\
    from acme.errors import report_failure
    from celery import shared_task

    @shared_task
    def f(job_id):
        try:
            g()
        except Exception:
            report_failure(job_id)
    """


@pytest.mark.parametrize("helper", ["acme.errors.report_failure", "errors.report_failure", "report_failure"])
def test_ct207_logging_helpers_setting(helper: str) -> None:
    files = {"proj/tasks.py": _INSTALLED_HELPER}
    assert len(_findings(files, "CT207")) == 1
    assert _findings(files, "CT207", Config(logging_helpers=[helper])) == []


def test_ct207_logging_helpers_must_be_dotted_names(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.celery-checklist]\nlogging-helpers = ["acme.errors.report"]\n')
    assert load_file(path).logging_helpers == ["acme.errors.report"]
    path.write_text('[tool.celery-checklist]\nlogging-helpers = ["acme errors"]\n')
    with pytest.raises(ConfigError, match="`logging-helpers` entries must be dotted names"):
        load_file(path)


def test_ct207_method_of_a_project_class_that_logs() -> None:
    files = {
        "proj/models.py": """\
            import logging

            logger = logging.getLogger(__name__)

            class Message:
                @classmethod
                def log_and_create(cls, text):
                    logger.error(text)
            """,
        "proj/tasks.py": """\
            from celery import shared_task
            from proj.models import Message

            @shared_task
            def f():
                try:
                    g()
                except Exception:
                    Message.log_and_create("g failed")
            """,
    }
    assert _findings(files, "CT207") == []


def test_ct207_nested_silent_handlers_report_the_innermost_only() -> None:
    files = {
        "proj/tasks.py": """\
            from celery import shared_task

            @shared_task
            def f():
                try:
                    g()
                except Exception:
                    try:
                        cleanup()
                    except Exception:
                        pass
            """
    }
    (finding,) = _findings(files, "CT207")
    assert finding.line == 10


def test_ct207_text_kept_but_never_read_is_lost() -> None:
    files = {
        "proj/tasks.py": """\
            from celery import shared_task

            @shared_task
            def f():
                try:
                    g()
                except Exception as e:
                    message = f"g failed: {e}"
            """
    }
    assert len(_findings(files, "CT207")) == 1


def test_ct207_exception_name_as_an_attribute_or_keyword_is_not_the_exception() -> None:
    files = {
        "proj/tasks.py": """\
            from celery import shared_task

            @shared_task
            def f(job):
                try:
                    g()
                except Exception as e:
                    notify(job.e, e=1)
            """
    }
    assert len(_findings(files, "CT207")) == 1


@pytest.mark.parametrize(
    "connect",
    [
        "from celery.signals import setup_logging\n\n@setup_logging.connect()\ndef configure(**kw):\n    pass\n",
        "import celery.signals\n\ndef configure(**kw):\n    pass\n\n"
        "celery.signals.setup_logging.connect(configure, weak=False)\n",
    ],
)
def test_ct602_setup_logging_connected_anywhere(connect: str) -> None:
    files = {
        "proj/celery.py": connect,
        "proj/tasks.py": "import logging\nfrom celery import shared_task\n\nlogger = logging.getLogger(__name__)\n\n"
        "@shared_task\ndef f():\n    logger.info('x')\n",
    }
    assert _findings(files, "CT602") == []
    del files["proj/celery.py"]
    assert len(_findings(files, "CT602")) == 1


CT602_TASKS = (
    "import logging\nfrom celery import shared_task\n\nlogger = logging.getLogger(__name__)\n\n"
    "@shared_task\ndef f():\n    logger.info('x')\n"
)


@pytest.mark.parametrize(
    ("configuration", "reported"),
    [
        # a settings module with no Celery in it is still read
        ("LOGGING = {'version': 1, 'loggers': {'proj': {'handlers': ['file']}}}\n", False),
        ("LOGGING = {'version': 1, 'loggers': {'proj.jobs.tasks': {'handlers': ['file']}}}\n", False),
        ("LOGGING = {'version': 1, 'loggers': {'proj.jobs': {'handlers': HANDLERS}}}\n", False),
        # class-based settings (django-configurations)
        (
            "class Base(Configuration):\n    LOGGING = {'version': 1, 'loggers': {'proj': {'handlers': ['f']}}}\n",
            False,
        ),
        # additions to the setting
        ("LOGGING = {'version': 1}\nLOGGING['loggers'] = {'proj': {'handlers': ['file']}}\n", False),
        (
            "LOGGING = {'version': 1, 'loggers': {}}\nLOGGING['loggers']['proj'] = {'handlers': ['file']}\n",
            False,
        ),
        (
            "LOGGING = {'version': 1, 'loggers': {}}\nLOGGING['loggers'].update({'proj': {'handlers': ['f']}})\n",
            False,
        ),
        (
            "LOGGING = {'version': 1}\nif DEBUG:\n    LOGGING.update({'loggers': {'proj': {'handlers': ['f']}}})\n",
            False,
        ),
        # dictConfig with a literal or a module-level dict of any name
        (
            "from logging.config import dictConfig\n\nCONF = {'version': 1, 'loggers': {'proj': {'handlers': ['f']}}}\n"
            "dictConfig(CONF)\n",
            False,
        ),
        ("LOG_CONFIG = {'version': 1, 'loggers': {'proj': {'handlers': ['f']}}}\n", False),
        # what does not count
        ("LOGGING = {'version': 1, 'loggers': {'proj': {'handlers': []}}}\n", True),
        ("LOGGING = {'version': 1, 'loggers': {'proj': {'level': 'DEBUG', 'propagate': True}}}\n", True),
        (
            "LOGGING = {'version': 1, 'loggers': {'root': {'handlers': ['f']}, '': {'handlers': ['f']}}}\n",
            True,
        ),
        ("LOGGING = {'version': 1, 'loggers': {'proj.jobs.views': {'handlers': ['f']}}}\n", True),
        ("LOGGING = {'version': 1, 'loggers': {'pro': {'handlers': ['f']}}}\n", True),
        ("CONFIG = {'loggers': {'proj': {'handlers': ['f']}}}\n", True),  # not a logging configuration
    ],
)
def test_ct602_project_loggers_with_their_own_handlers(configuration: str, reported: bool) -> None:
    files = {"proj/log_config.py": configuration, "proj/jobs/tasks.py": CT602_TASKS}
    assert len(_findings(files, "CT602")) == (1 if reported else 0)


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        ("crontab(minute='*/15')", "runs every 15 minutes"),
        ("crontab()", "runs every minute"),
        ("30", "runs every 30 s"),
        ("crontab(minute='0-6')", "runs 7 times an hour"),
    ],
)
def test_ct407_says_how_often_the_entry_runs(schedule: str, words: str) -> None:
    files = {
        "proj/settings.py": "from celery.schedules import crontab\n\n"
        f"CELERY_BEAT_SCHEDULE = {{'s': {{'task': 'proj.tasks.sync', 'schedule': {schedule}}}}}\n",
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef sync():\n    work()\n",
    }
    (finding,) = _findings(files, "CT407")
    assert words in finding.message and "no `expires`" in finding.message


def test_broad_autoretry_of_a_shared_decorator_is_reported_once_where_it_is_written(analyse):
    source = (
        "from celery import shared_task\n\n"
        "retrying = shared_task(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)\n\n"
        "@retrying\ndef f():\n    pass\n\n@retrying\ndef g():\n    pass\n\n"
        "@shared_task(autoretry_for=(Exception,))\ndef h():\n    work()\n"
    )
    found = [(f.line, f.task) for f in analyse({"proj/tasks.py": source}, select=["CT208"]).findings]
    assert found == [(3, "proj.tasks.f"), (13, "proj.tasks.h")]


def test_periodic_without_expires_under_the_database_scheduler_asks_for_the_task_option(analyse):
    files = {
        "proj/settings.py": "CELERY_BEAT_SCHEDULER = 'django_celery_beat.schedulers:DatabaseScheduler'\n"
        "CELERY_BEAT_SCHEDULE = {'s': {'task': 'proj.tasks.sync', 'schedule': 60}}\n",
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef sync():\n    work()\n",
    }
    found = analyse(files, select=["CT407"]).findings
    assert len(found) == 1 and "set `expires=` on the task" in found[0].message
    del files["proj/settings.py"]
    files["proj/celeryconfig.py"] = "beat_schedule = {'s': {'task': 'proj.tasks.sync', 'schedule': 60}}\n"
    found = analyse(files, select=["CT407"]).findings
    assert len(found) == 1 and "DatabaseScheduler" not in found[0].message


def test_a_misspelt_setting_read_by_another_misspelt_one_is_still_reported(analyse) -> None:
    # (a settings variable put into a known setting is the module's own: not reported)
    settings = (
        "import os\n\nCELERY_SOFT_TIME_LIMIT = 300\nCELERY_TIME_LIMIT = CELERY_SOFT_TIME_LIMIT + 60\n"
        "CELERY_BROKER_HOSTNAME = os.environ.get('HOST', '')\n"
        "CELERY_BROKER_URL = 'redis://{}/0'.format(CELERY_BROKER_HOSTNAME)\n"
    )
    result = analyse({"proj/settings.py": settings}, select=["CT406"])
    assert [f.line for f in result.findings] == [3, 4]
