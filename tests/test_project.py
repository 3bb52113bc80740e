"""Project-wide knowledge: configuration in every spelling, test files, beat and routes."""

from __future__ import annotations


def codes(result):
    return sorted((f.code, f.path, f.task) for f in result.findings)


def test_test_files_without_celery_tokens_are_read_only_when_they_name_a_task(analyse):
    result = analyse(
        {
            "shop/billing.py": "from celery import shared_task\n\n@shared_task\ndef charge(x):\n    pass\n",
            "tests/test_billing.py": "from shop.billing import charge\n\ndef test_charge():\n    charge(1)\n",
            # never parsed: it names no task (parsing it would report CT000)
            "tests/test_views.py": "def test_view(:\n",
        },
        select=["CT000", "CT301"],
    )
    assert codes(result) == []


def test_untested_when_the_only_test_names_another_task(analyse):
    result = analyse(
        {
            "shop/billing.py": "from celery import shared_task\n\n@shared_task\ndef charge(x):\n    pass\n\n"
            "@shared_task\ndef refund(x):\n    pass\n",
            "tests/test_billing.py": "from shop.billing import charge\n",
        },
        select=["CT301"],
    )
    assert codes(result) == [("CT301", "shop/billing.py", "shop.billing.refund")]


def test_django_settings_split_across_a_package(analyse):
    files = {
        "proj/celery.py": "import os\nfrom celery import Celery\n\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'proj.settings')\n"
        "app = Celery('proj')\napp.config_from_object('django.conf:settings', namespace='CELERY')\n",
        "proj/settings/__init__.py": "from .base import *\n",
        "proj/settings/base.py": "CELERY_RESULT_BACKEND = 'redis://'\nCELERY_TASK_IGNORE_RESULT = True\n"
        "if DEBUG:\n    CELERY_TASK_SOFT_TIME_LIMIT = 60\n",
        "proj/settings/test.py": "CELERY_TASK_ALWAYS_EAGER = True\n",
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef t():\n    pass\n",
    }
    result = analyse(files, select=["CT201", "CT302", "CT501"])
    assert codes(result) == []


def test_old_setting_names_map_to_new_ones(analyse):
    files = {
        "proj/celeryconfig.py": "CELERYD_TASK_TIME_LIMIT = 60\nCELERY_IGNORE_RESULT = True\n"
        "CELERY_RESULT_BACKEND = 'redis://'\n",
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef t():\n    pass\n",
    }
    assert codes(analyse(files, select=["CT201", "CT501"])) == []


def test_config_module_given_as_a_module_object(analyse):
    files = {
        "proj/celery.py": "from celery import Celery\nfrom proj import worker_settings\n\n"
        "app = Celery('proj')\napp.config_from_object(worker_settings)\n",
        "proj/worker_settings.py": "task_time_limit = 60\ntask_ignore_result = True\n"
        "result_backend = 'redis://'\n",
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef t():\n    pass\n",
    }
    assert codes(analyse(files, select=["CT201", "CT501"])) == []


def test_beat_and_routes_by_explicit_names_are_known(analyse):
    files = {
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task(name='jobs.sync')\n"
        "def sync():\n    pass\n",
        "proj/settings.py": "CELERY_BEAT_SCHEDULE = {'sync': {'task': 'jobs.sync', 'schedule': 60}}\n"
        "CELERY_TASK_ROUTES = {'jobs.sync': {'queue': 'sync'}, 'jobs.*': {'queue': 'jobs'}}\n",
    }
    assert codes(analyse(files, select=["CT401", "CT402"])) == []


def test_beat_is_trusted_when_a_task_name_cannot_be_read(analyse):
    files = {
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task(name=PREFIX + 'sync')\n"
        "def sync():\n    pass\n",
        "proj/settings.py": "CELERY_BEAT_SCHEDULE = {'sync': {'task': 'proj.sync', 'schedule': 60}}\n",
    }
    assert codes(analyse(files, select=["CT401"])) == []


def test_project_findings_honour_noqa(analyse):
    files = {
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef sync():\n    pass\n",
        "proj/settings.py": "CELERY_BEAT_SCHEDULE = {\n"
        "    'sync': {'task': 'proj.tasks.sink', 'schedule': 60},  # noqa: CT401\n}\n",
    }
    assert codes(analyse(files, select=["CT401"])) == []


def test_test_files_are_not_judged(analyse):
    files = {
        "tests/test_schedules.py": "from celery import shared_task\nfrom celery.schedules import crontab\n\n"
        "@shared_task(serializer='pickle')\ndef double(x):\n    print(x)\n\n"
        "def test_hour():\n    assert crontab(hour=7)\n    for i in range(3):\n        double.delay(i)\n",
    }
    result = analyse(files, select=["ALL"])
    assert codes(result) == [] and result.tasks == []


def test_hook_mode_keeps_cross_file_facts_for_a_single_file(tmp_path, monkeypatch, capsys):
    """pre-commit passes only staged files: the rest of the project still counts."""
    import json

    from checker.cli import main

    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "tasks.py").write_text(
        "from celery import shared_task\n\n@shared_task\ndef charge(x):\n    return x\n\n"
        "@shared_task(time_limit=5)\ndef refund(x):\n    return x\n"
    )
    (tmp_path / "shop" / "celeryconfig.py").write_text("task_time_limit = 60\n")
    (tmp_path / "shop" / "celery.py").write_text(
        "from celery import Celery\n\napp = Celery('shop')\napp.config_from_object('shop.celeryconfig')\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_tasks.py").write_text("from shop.tasks import charge\n")
    (tmp_path / "shop" / "views.py").write_text(
        "from shop.tasks import refund\n\ndef bulk(ids):\n    for i in ids:\n        refund.delay(i)\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["check", "shop/tasks.py", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    # not untested (the test file was not passed), no missing time limit (config not passed);
    # refund is untested; the loop in views.py is not reported (views.py was not passed)
    assert sorted((f["code"], f["task"]) for f in report["findings"]) == [("CT301", "shop.tasks.refund")]
    assert [t["name"] for t in report["tasks"]] == ["shop.tasks.charge", "shop.tasks.refund"]
    assert report["summary"]["files"] == 1
    assert main(["check", "shop/views.py", "--format", "json", "--select", "CT503"]) == 0  # info only
    report = json.loads(capsys.readouterr().out)
    assert [(f["code"], f["path"]) for f in report["findings"]] == [("CT503", "shop/views.py")]


def test_class_based_django_settings_count_as_set_with_unknown_values(analyse):
    """django-configurations style: settings are attributes of classes that override each other."""
    files = {
        "proj/celery.py": "from celery import Celery\n\n"
        "app = Celery('proj')\napp.config_from_object('django.conf:settings', namespace='CELERY')\n",
        "proj/settings/base.py": "class Base:\n    CELERY_TASK_TIME_LIMIT = 60 * 60\n"
        "    CELERY_TASK_IGNORE_RESULT = True\n    CELERY_TASK_ALWAYS_EAGER = True\n",
        "proj/settings/production.py": "from .base import Base\n\n"
        "class Production(Base):\n    CELERY_TASK_ALWAYS_EAGER = False\n",
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef ping():\n    pass\n",
    }
    result = analyse(files, select=["CT201", "CT501", "CT302"])
    assert codes(result) == []
    # the same attributes outside a settings module are a class's own constants
    files["proj/settings/base.py"] = "X = 1\n"
    files["proj/helpers.py"] = "class Base:\n    CELERY_TASK_TIME_LIMIT = 60\n"
    result = analyse(files, select=["CT201"])
    assert codes(result) == [("CT201", "proj/tasks.py", "proj.tasks.ping")]


def test_duplicate_names_are_reported_at_every_definition(analyse):
    """A pull request adding the duplicate in the file that sorts first is flagged on its lines."""
    files = {
        "proj/a_new.py": "from celery import shared_task\n\n@shared_task(name='send')\ndef send_a():\n    pass\n",
        "proj/b_old.py": "from celery import shared_task\n\n@shared_task(name='send')\ndef send_b():\n    pass\n",
        "proj/c_old.py": "from celery import shared_task\n\n@shared_task(name='send')\ndef send_c():\n    pass\n",
    }
    findings = analyse(files, select=["CT108"]).findings
    assert [(f.path, f.line) for f in findings] == [
        ("proj/a_new.py", 3),
        ("proj/b_old.py", 3),
        ("proj/c_old.py", 3),
    ]
    assert "`send_b` at proj/b_old.py:3, `send_c` at proj/c_old.py:3" in findings[0].message
    assert "`send_a` at proj/a_new.py:3, `send_c` at proj/c_old.py:3" in findings[1].message
