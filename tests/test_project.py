"""Project-wide knowledge: configuration in every spelling, test files, beat and routes."""

from __future__ import annotations

from pathlib import Path

import pathspec
import pytest

from checker.project import spec_matcher
from tests.helpers import write_tree


def codes(result):
    return sorted((f.code, f.path, f.task) for f in result.findings)


def test_test_files_without_celery_tokens_are_read_only_when_they_name_a_task(analyse):
    result = analyse(
        {
            "shop/billing.py": "from celery import shared_task\n\n@shared_task\ndef charge(x):\n    work()\n",
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
            "shop/billing.py": "from celery import shared_task\n\n@shared_task\ndef charge(x):\n    work()\n\n"
            "@shared_task\ndef refund(x):\n    work()\n",
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
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef t():\n    work()\n",
    }
    result = analyse(files, select=["CT201", "CT302", "CT501"])
    assert codes(result) == []


def test_old_setting_names_map_to_new_ones(analyse):
    files = {
        "proj/celeryconfig.py": "CELERYD_TASK_TIME_LIMIT = 60\nCELERY_IGNORE_RESULT = True\n"
        "CELERY_RESULT_BACKEND = 'redis://'\n",
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef t():\n    work()\n",
    }
    assert codes(analyse(files, select=["CT201", "CT501"])) == []


def test_config_module_given_as_a_module_object(analyse):
    files = {
        "proj/celery.py": "from celery import Celery\nfrom proj import worker_settings\n\n"
        "app = Celery('proj')\napp.config_from_object(worker_settings)\n",
        "proj/worker_settings.py": "task_time_limit = 60\ntask_ignore_result = True\n"
        "result_backend = 'redis://'\n",
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef t():\n    work()\n",
    }
    assert codes(analyse(files, select=["CT201", "CT501"])) == []


def test_beat_and_routes_by_explicit_names_are_known(analyse):
    files = {
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task(name='jobs.sync')\n"
        "def sync():\n    work()\n",
        "proj/settings.py": "CELERY_BEAT_SCHEDULE = {'sync': {'task': 'jobs.sync', 'schedule': 60}}\n"
        "CELERY_TASK_ROUTES = {'jobs.sync': {'queue': 'sync'}, 'jobs.*': {'queue': 'jobs'}}\n",
    }
    assert codes(analyse(files, select=["CT401", "CT402"])) == []


def test_beat_is_trusted_when_a_task_name_cannot_be_read(analyse):
    files = {
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task(name=PREFIX + 'sync')\n"
        "def sync():\n    work()\n",
        "proj/settings.py": "CELERY_BEAT_SCHEDULE = {'sync': {'task': 'proj.sync', 'schedule': 60}}\n",
    }
    assert codes(analyse(files, select=["CT401"])) == []


def test_project_findings_honour_noqa(analyse):
    files = {
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef sync():\n    work()\n",
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
        "from shop.tasks import refund\n\ndef bulk(ids):\n    return [refund.delay(i) for i in ids]\n"
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
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef ping():\n    work()\n",
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
        "proj/a_new.py": "from celery import shared_task\n\n@shared_task(name='send')\ndef send_a():\n    work()\n",
        "proj/b_old.py": "from celery import shared_task\n\n@shared_task(name='send')\ndef send_b():\n    work()\n",
        "proj/c_old.py": "from celery import shared_task\n\n@shared_task(name='send')\ndef send_c():\n    work()\n",
    }
    findings = analyse(files, select=["CT108"]).findings
    assert [(f.path, f.line) for f in findings] == [
        ("proj/a_new.py", 3),
        ("proj/b_old.py", 3),
        ("proj/c_old.py", 3),
    ]
    assert "`send_b` at proj/b_old.py:3, `send_c` at proj/c_old.py:3" in findings[0].message
    assert "`send_a` at proj/a_new.py:3, `send_c` at proj/c_old.py:3" in findings[1].message


TASK = "from celery import shared_task\n\n@shared_task\ndef add(x):\n    work()\n"


def test_tasks_in_test_roots_are_test_doubles_read_for_references(analyse):
    """Celery's own layout: ``t/integration/tasks.py`` beside ``conftest.py`` and test modules."""
    files = {
        "proj/tasks.py": TASK,
        "t/integration/conftest.py": "",
        "t/integration/tasks.py": TASK,
        "t/smoke/tasks.py": TASK,
        "t/unit/test_app.py": "from proj.tasks import add\n",
        "acme/testing/tasks.py": TASK,
        "integration/conftest.py": "",
        "integration/test_flow.py": "",
        "integration/tasks.py": TASK,  # a test root: conftest.py beside test modules
    }
    result = analyse(files, select=["ALL"])
    assert [t.path for t in result.tasks] == ["proj/tasks.py"]
    assert "CT301" not in {f.code for f in result.findings}  # t/unit/test_app.py refers to it


def test_a_conftest_alone_makes_no_test_root(analyse):
    """A project's or a package's ``conftest.py`` configures pytest; its tests live elsewhere."""
    files = {
        "conftest.py": "",
        "test_smoke.py": "",
        "tasks.py": TASK,
        "shop/__init__.py": "",
        "shop/conftest.py": "",
        "shop/tasks.py": TASK,
        "shop/tests/test_tasks.py": "",
    }
    assert [t.path for t in analyse(files, select=["CT201"]).tasks] == ["shop/tasks.py", "tasks.py"]


def test_an_application_package_keeping_its_tests_beside_its_code_is_no_test_root(analyse):
    """``content_sync/tasks.py`` beside ``content_sync/tasks_test.py`` and a ``conftest.py``: the
    worker imports the package's modules; only its test modules are tests."""
    files = {
        "content_sync/__init__.py": "",
        "content_sync/conftest.py": "",
        "content_sync/tasks.py": TASK,
        "content_sync/tasks_test.py": "from content_sync.tasks import add\n\ndef test_add():\n    add(1)\n",
        "content_sync/serializers.py": "from content_sync.tasks import add\n",
        "videos/__init__.py": "",
        "videos/conftest.py": "",
        "videos/models.py": "",
        "videos/signals.py": TASK.replace("add", "notify"),
        "videos/signals_test.py": "",
        "smoke/conftest.py": "",
        "smoke/tasks.py": TASK,
        "smoke/test_flow.py": "",
    }
    result = analyse(files, select=["ALL"])
    assert [t.path for t in result.tasks] == ["content_sync/tasks.py", "videos/signals.py"]


def test_pytest_configuration_names_test_roots(tmp_path, monkeypatch, capsys):
    import json

    from checker.cli import main

    def tree(files):
        for rel, text in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)

    def listed():
        main(["check", ".", "--format", "json", "--select", "CT201", "--no-cache"])
        return sorted(t["path"] for t in json.loads(capsys.readouterr().out)["tasks"])

    tree(
        {
            "shop/__init__.py": "",
            "shop/tasks.py": TASK,
            "shop/tests.py": TASK,  # Django's python_files = tests.py
            "shop/check_tasks.py": TASK,
            "suites/helpers/tasks.py": TASK,
            "shop/everything.py": TASK,
        }
    )
    monkeypatch.chdir(tmp_path)
    configurations = {
        # a test path that is the project's package only says where pytest looks
        "pytest.ini": "[pytest]\ntestpaths = suites shop\npython_files = tests.py check_*.py *.py\n",
        "pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = ['suites']\n"
        "python_files = ['tests.py', 'check_*.py']\n",
        "tox.ini": "[pytest]\ntestpaths =\n    suites\npython_files = tests.py check_*.py\n",
        "setup.cfg": "[tool:pytest]\ntestpaths = suites\npython_files = tests.py check_*.py\n",
    }
    for name, text in configurations.items():
        (tmp_path / name).write_text(text)
        # a catch-all pattern (``*.py``) would make every module a test: it is not followed
        assert listed() == ["shop/everything.py", "shop/tasks.py"], name
        (tmp_path / name).unlink()
    # a test path that holds the project's source tree is no test root: a Django app beside a
    # ``pythonpath``, or a Celery app module (the application of a project without Django)
    source_trees = [
        (
            "src_tree/\npythonpath = src_tree/",
            ["src_tree/proj/__init__.py", "src_tree/proj/models.py"],
            "src_tree/proj/tasks.py",
        ),
        ("app_tree", ["app_tree/celery_app.py", "app_tree/core/__init__.py"], "app_tree/core/tasks.py"),
    ]
    for testpaths, modules, tasks in source_trees:
        tree({**dict.fromkeys(modules, ""), tasks: TASK})
        (tmp_path / "pytest.ini").write_text(f"[pytest]\ntestpaths = {testpaths}\n")
        assert tasks in listed(), testpaths
        (tmp_path / "pytest.ini").unlink()
        for rel in (*modules, tasks):
            (tmp_path / rel).unlink()
    # without a configuration, Django's ``tests.py`` is still a test file (a default glob)
    assert listed() == [
        "shop/check_tasks.py",
        "shop/everything.py",
        "shop/tasks.py",
        "suites/helpers/tasks.py",
    ]


def test_skipped_files_still_register_tasks_and_settings(analyse):
    """``skip-file`` controls reporting, not knowledge."""
    skip = "# celery-checklist: skip-file\n"
    files = {
        "proj/legacy.py": skip + "from celery import shared_task\n\n@shared_task\ndef cleanup():\n"
        "    print('no limit')\n",
        "proj/settings.py": "CELERY_BEAT_SCHEDULE = {'c': {'task': 'proj.legacy.cleanup', 'schedule': 60}}\n"
        "CELERY_TASK_ROUTES = {'proj.legacy.cleanup': {'queue': 'slow'}}\n",
        "proj/celeryconfig.py": skip + "task_time_limit = 60\ntask_acks_laet = True\n",
        "proj/tasks.py": TASK,
    }
    result = analyse(files, select=["ALL"])
    assert [t.path for t in result.tasks] == ["proj/tasks.py"]
    others = {(f.code, f.path) for f in result.findings if f.path != "proj/tasks.py"}
    assert others == {("CT407", "proj/settings.py")}  # no CT401/CT402, nothing in skipped files
    assert "CT201" not in {f.code for f in result.findings}  # the skipped config still counts


def test_excluded_files_still_register_tasks_and_settings(tmp_path, monkeypatch, capsys):
    import json

    from checker.cli import main

    files = {
        "pyproject.toml": "[tool.celery-checklist]\nexclude = ['legacy/', 'proj/celeryconfig.py']\n",
        "proj/__init__.py": "",
        "proj/tasks.py": TASK,
        "proj/celeryconfig.py": "task_time_limit = 60\n",
        "proj/celery.py": "from celery import Celery\n\napp = Celery('proj')\n"
        "app.config_from_object('proj.celeryconfig')\n"
        "app.conf.beat_schedule = {'c': {'task': 'proj.legacy.jobs.cleanup', 'schedule': 60}}\n",
        "proj/legacy/__init__.py": "",
        "proj/legacy/jobs.py": "from celery import shared_task\n\n@shared_task\ndef cleanup():\n    n = 1\n    print(n)\n",
        "tests/test_tasks.py": "from proj.tasks import add\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    monkeypatch.chdir(tmp_path)

    def report(*args):
        main(["check", *args, "--format", "json", "--select", "ALL"])
        found = json.loads(capsys.readouterr().out)
        return [t["path"] for t in found["tasks"]], sorted(
            {(f["code"], f["path"]) for f in found["findings"]}
        )

    # the task in legacy/ registers its name (no CT401) but is neither listed nor judged;
    # the excluded config module still sets the time limit (no CT201)
    expected = (
        ["proj/tasks.py"],
        [("CT109", "proj/tasks.py"), ("CT110", "proj/tasks.py"), ("CT407", "proj/celery.py")],
    )
    assert report(".") == expected
    assert report(".") == expected  # from the cache
    # pre-commit passes the staged files only
    assert report("proj/celery.py", "proj/legacy/jobs.py") == ([], [("CT407", "proj/celery.py")])
    # the cache follows a change of `exclude`
    (tmp_path / "pyproject.toml").write_text("[tool.celery-checklist]\nexclude = ['proj/celeryconfig.py']\n")
    paths, findings = report(".")
    assert paths == ["proj/legacy/jobs.py", "proj/tasks.py"] and ("CT601", "proj/legacy/jobs.py") in findings


def _beat(result):
    return sorted((f.code, f.path, f.line) for f in result.findings)


def test_beat_schedules_built_from_names_are_followed(analyse):
    files = {
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef sync():\n    work()\n",
        "proj/periodic.py": "from celery.schedules import crontab\n\n"
        "EVEN_HOURS = {'sync': {'task': 'proj.tasks.sync', 'schedule': crontab(hour='*/2')}}\n"
        "HOURLY = {'gone': {'task': 'proj.tasks.gone', 'schedule': 3600, 'options': {'expires': 60}}}\n"
        "PERIODIC_TASKS_ALL = {**EVEN_HOURS, **HOURLY}\n"
        "PERIODIC_TASKS_ALL['late'] = {'task': 'proj.tasks.late', 'schedule': 60, 'options': {'expires': 5}}\n",
        "proj/settings.py": "from proj.periodic import PERIODIC_TASKS_ALL\n\n"
        "CELERY_BEAT_SCHEDULE = dict(PERIODIC_TASKS_ALL)\n",
    }
    assert _beat(analyse(files, select=["CT401", "CT405", "CT407"])) == [
        ("CT401", "proj/periodic.py", 4),  # proj.tasks.gone
        ("CT401", "proj/periodic.py", 6),  # proj.tasks.late, added by item assignment
        ("CT405", "proj/periodic.py", 3),
        # (no CT407: read as meant, every two hours; CT405 reports the minute left at '*')
    ]


def test_beat_schedule_items_and_updates_and_config_modules(analyse):
    files = {
        "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef sync():\n    work()\n",
        "proj/settings/__init__.py": "from .base import *\n",
        "proj/settings/base.py": "CELERY_BEAT_SCHEDULE = {'sync': {'task': 'proj.tasks.sync', 'schedule': 60}}\n"
        "if FEATURE:\n"
        "    CELERY_BEAT_SCHEDULE['report'] = {'task': 'proj.tasks.report', 'schedule': 60}\n"
        "CELERY_BEAT_SCHEDULE.update(extra={'task': 'proj.tasks.extra', 'schedule': 60})\n",
        "proj/settings/prod.py": "from .base import *\n\n"
        "CELERY_BEAT_SCHEDULE = {**CELERY_BEAT_SCHEDULE, 'prod': {'task': 'proj.tasks.prod', 'schedule': 1}}\n",
        "proj/schedule.py": "SCHEDULE = {'old': {'task': 'proj.tasks.old', 'schedule': 60}}\n",
        "proj/celeryconfig.py": "from proj import schedule\n\nbeat_schedule = schedule.SCHEDULE\n",
        # a schedule only a test module uses is not the project's
        "proj/unused.py": "UNUSED = {'u': {'task': 'proj.tasks.unused', 'schedule': 60}}\n",
        "proj/settings/test.py": "from proj.unused import UNUSED\n\nCELERY_BEAT_SCHEDULE = UNUSED\n",
    }
    assert _beat(analyse(files, select=["CT401"])) == [
        ("CT401", "proj/schedule.py", 1),
        ("CT401", "proj/settings/base.py", 3),
        ("CT401", "proj/settings/base.py", 4),
        ("CT401", "proj/settings/prod.py", 3),
    ]


@pytest.mark.parametrize(
    "lines",
    [
        ["test_*.py", "*_test.py", "tests.py", "**/tests/**/*.py", "conftest.py", "t/", "/pkg/sub/"],
        ["**/tests/**/*.py", "!keep.py"],  # a negation: pathspec's own matching
        [],
    ],
)
def test_the_union_matcher_matches_what_pathspec_matches(lines):
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    matcher = spec_matcher(spec)
    root = Path(__file__).resolve().parent.parent
    paths = [
        str(p.relative_to(root)) for d in ("tests", "checker", "examples") for p in (root / d).rglob("*.py")
    ]
    paths += [
        "t/x.py",
        "a/t/y.py",
        "pkg/sub/z.py",
        "x/pkg/sub/z.py",
        "./tests.py",
        "/abs/test_a.py",
        "a/keep.py",
    ]
    paths += ["tests/keep.py", "conftest.py", "a_test.py", "test_.py", "x.py", "tests", "tests/"]
    assert [p for p in paths if matcher(p)] == [p for p in paths if spec.match_file(p)]


def test_the_settings_module_the_test_runs_select_may_be_the_production_one(tmp_path, monkeypatch, capsys):
    """pytest-django may select the project's own settings module: its time limit still protects
    the tasks in production (CT201), and its eager setting is still reported (CT302); a module
    named for pytest holds test settings."""
    import json

    from checker.cli import main

    files = {
        "pytest.ini": "[pytest]\nDJANGO_SETTINGS_MODULE = shop.settings\n",
        "shop/__init__.py": "",
        "shop/settings.py": "CELERY_TASK_TIME_LIMIT = 300\nCELERY_TASK_ALWAYS_EAGER = True\n",
        "shop/pytest.py": "CELERY_TASK_ALWAYS_EAGER = True\n",
        "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send(order_id):\n    return 1\n",
    }
    write_tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    main(["check", ".", "--format", "json", "--select", "CT201,CT302", "--no-cache"])
    reported = [(f["code"], f["path"]) for f in json.loads(capsys.readouterr().out)["findings"]]
    assert reported == [("CT302", "shop/settings.py")]


@pytest.mark.parametrize(
    ("module", "test"),
    [
        ("config.settings.settings_pytest", True),
        ("proj.settings.test", True),
        ("proj.test_settings", True),
        ("proj.settings.dev", False),
        ("proj.pytest_helpers", False),
    ],
)
def test_modules_named_for_tests(module, test):
    from checker.project import is_test_module

    assert is_test_module(module) is test


def test_import_aliases_follow_re_exports_and_star_imports_at_any_prefix() -> None:
    from checker.facts import FileFacts
    from checker.project import ImportAliases

    views = FileFacts("shop/views.py", "shop.views", imports={"charge": "shop.tasks.charge"})
    package = FileFacts("shop/tasks/__init__.py", "shop.tasks", imports={"charge": "shop.tasks.mail.charge"})
    starred = FileFacts("shop/api.py", "shop.api", star_imports=["shop.views"])
    aliases = ImportAliases([views, package, starred])
    assert aliases.resolve("shop.views.charge.delay") == {
        "shop.views.charge.delay",
        "shop.tasks.charge.delay",
        "shop.tasks.mail.charge.delay",
    }
    assert "shop.tasks.mail.charge" in aliases.resolve("shop.api.charge")  # through the star import
    assert aliases.resolve("other.charge") == {"other.charge"}
    assert aliases.resolve("shop") == {"shop"}


def test_ct301_prefixes_are_every_leading_part() -> None:
    from checker.rules.ct301_untested_task import _prefixes

    for name in ["a.b.c", "a", "", "a..b", "a.", ".a"]:
        parts = name.split(".")
        assert list(_prefixes(name)) == [".".join(parts[:n]) for n in range(1, len(parts) + 1)], name
