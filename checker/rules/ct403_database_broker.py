from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule

_BROKER_SETTINGS = frozenset({"broker_url", "broker_read_url", "broker_write_url"})
_DATABASE_TRANSPORTS = ("sqla+", "sqlalchemy+", "db+", "django://")


class DatabaseBroker(Rule):
    """
    ## What it does
    Checks literal broker URLs (`broker=` of `Celery(...)`, `broker_url`, `CELERY_BROKER_URL`,
    `BROKER_URL`, ...) for a relational-database transport: `sqla+`, `sqlalchemy+`, `db+` or
    `django://`.

    ## Why is this bad?
    Database transports are experimental in Kombu: they poll tables, lack reliable
    acknowledgements and monitoring, and put the queue's load on the database the application
    needs. Messages are lost or delivered twice under load.

    ## Example
    ```python
    app = Celery("proj", broker="sqla+postgresql://app@db/app")
    ```

    ## Use instead
    ```python
    app = Celery("proj", broker="amqp://guest@rabbitmq//")  # or redis://
    ```
    """

    code = "CT403"
    name = "database-broker"
    section = Section.DEPLOYED
    severity = Severity.WARNING
    checklist = "The broker is RabbitMQ or Redis"
    per_task = False
    VALID = [
        "from celery import Celery\n\napp = Celery('proj', broker='redis://localhost:6379/0',\n"
        "             backend='db+postgresql://app@db/app')\n",
        "CELERY_BROKER_URL = env('BROKER_URL')\n",
    ]
    INVALID = [
        "from celery import Celery\n\napp = Celery('proj', broker='sqla+postgresql://app@db/app')\n",
        {"proj/settings.py": "CELERY_BROKER_URL = 'django://'\n"},
        "from celery import Celery\n\napp = Celery('proj')\napp.conf.broker_url = 'sqlalchemy+sqlite:///celery.db'\n",
        {
            "proj/celery.py": "from celery import Celery\n\napp = Celery('proj')\n"
            "app.config_from_object('proj.worker_config')\n",
            "proj/worker_config.py": "broker_url = 'sqla+mysql://app@db/app'\n",
        },
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        for setting in project.config.reportable():
            if setting.name not in _BROKER_SETTINGS or not isinstance(setting.value, str):
                continue
            if setting.value.strip().lower().startswith(_DATABASE_TRANSPORTS):
                yield ProjectReport(
                    setting.where,
                    f"the broker `{setting.value.split(':', 1)[0]}` is a database transport: "
                    "use RabbitMQ or Redis",
                )
