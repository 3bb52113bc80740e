from __future__ import annotations

from celery.app.task import Task

from checker.celery_names import known_task_options


def test_known_options_come_from_the_installed_celery() -> None:
    known = known_task_options()
    public = {name for name in dir(Task) if not name.startswith("_")}
    assert public <= known
    # decorator-only options, read from Celery's own code
    assert {"bind", "base", "name", "pydantic", "shared", "lazy", "filter"} <= known
    assert {"autoretry_for", "dont_autoretry_for", "retry_kwargs", "retry_backoff", "retry_jitter"} <= known
    assert {"queue", "routing_key", "exchange", "priority"} <= known
    assert not {"max_retry", "soft_timelimit", "acks_lates", "countdown"} & known
