"""Task discovery: every way to define a task, and the names Celery registers them under."""

from __future__ import annotations

import libcst as cst

from checker.api import _module_name
from checker.config import Config
from checker.index import ProjectIndex
from checker.module_info import collect
from checker.tasks import TaskDef, discover, index_contributions
from checker.values import Ref
from tests.conftest import dedent


def names(result):
    return sorted(t.name for t in result.tasks)


def test_shared_task_forms_and_aliases(analyse):
    result = analyse(
        {
            "proj/tasks.py": """
            import celery
            from celery import shared_task
            from celery import shared_task as job

            @shared_task
            def a(): ...

            @shared_task(name="custom.b")
            def b(): ...

            @job(bind=True)
            def c(self): ...

            @celery.shared_task
            def d(): ...

            def not_a_task(): ...
            """
        }
    )
    assert names(result) == ["custom.b", "proj.tasks.a", "proj.tasks.c", "proj.tasks.d"]


def test_app_task_bound_in_module_and_fallback_names(analyse):
    result = analyse(
        {
            "proj/worker.py": """
            from celery import Celery

            queue = Celery("proj")

            @queue.task
            def a(): ...

            @queue.task(bind=True)
            def b(self): ...
            """,
            "proj/jobs.py": """
            from proj.factory import celery_app
            from proj.factory import app
            from proj.factory import billing_app

            @celery_app.task
            def c(): ...

            @app.task()
            def d(): ...

            @billing_app.task
            def e(): ...

            class Plugin:
                def setup(self):
                    @self.app.task
                    def f(): ...

            def register(manager):
                @manager.app.task
                def g(): ...
            """,
        }
    )
    assert names(result) == [
        "proj.jobs.c",
        "proj.jobs.d",
        "proj.jobs.e",
        "proj.jobs.f",
        "proj.jobs.g",
        "proj.worker.a",
        "proj.worker.b",
    ]


def test_app_imported_from_project_module_that_binds_celery(analyse):
    result = analyse(
        {
            "proj/celery_setup.py": "from celery import Celery\nworker = Celery('proj')\n",
            "proj/tasks.py": """
            from proj.celery_setup import worker

            @worker.task
            def a(): ...
            """,
        }
    )
    assert names(result) == ["proj.tasks.a"]


def test_app_built_from_a_subclass_of_celery_named_so(analyse):
    # (``NotifyCelery`` comes from a library shared by a project's services: by its name a
    # subclass of Celery, whose instance is the app)
    result = analyse(
        {
            "proj/__init__.py": "from notifications_utils.celery import NotifyCelery\n"
            "notify_celery = NotifyCelery()\n",
            "proj/tasks.py": """
            from proj import notify_celery

            @notify_celery.task(name="send-email")
            def a(): ...
            """,
            "proj/other.py": """
            from huey import HueyCelery

            queue = HueyCelery()

            @queue.task()
            def b(): ...
            """,
        }
    )
    assert names(result) == ["send-email"]


def test_app_returned_by_a_project_function(analyse):
    # Flask's pattern: ``make_celery(app)`` builds the app, configures it and returns it; the
    # name it is bound to need not look like an app's.
    result = analyse(
        {
            "proj/worker.py": """
            from celery import Celery

            def make_celery(flask_app):
                celery = Celery(flask_app.import_name)
                celery.conf.update(flask_app.config)
                return celery

            def make_other():
                return object()

            WORKER = make_celery(object())
            OTHER = make_other()

            @WORKER.task(bind=True)
            def a(self): ...

            @OTHER.task
            def not_a_task(): ...
            """,
            "proj/tasks.py": """
            from proj.worker import WORKER, make_celery

            QUEUE = make_celery(None)

            @WORKER.task
            def b(): ...

            @QUEUE.task
            def c(): ...
            """,
        }
    )
    assert names(result) == ["proj.tasks.b", "proj.tasks.c", "proj.worker.a"]


def test_method_of_the_projects_celery_subclass_that_makes_tasks(analyse):
    # indico's ``@celery.periodic_task(run_every=...)``: a method of the project's Celery subclass
    # that applies ``self.task`` to the function, taking options of its own
    result = analyse(
        {
            "proj/core.py": """
            from celery import Celery

            class ProjectCelery(Celery):
                def periodic_task(self, *args, **kwargs):
                    def decorator(f):
                        entry = {"schedule": kwargs.pop("run_every")}
                        kwargs.setdefault("ignore_result", True)
                        task = self.task(f, *args, **kwargs)
                        entry["task"] = task.name
                        self.conf["beat_schedule"][task.name] = entry
                        return task
                    return decorator

                def configure(self, app):
                    self.conf.update(app.config)
            """,
            "proj/__init__.py": "from proj.core import ProjectCelery\ncelery = ProjectCelery('proj')\n",
            "proj/tasks.py": """
            from proj import celery

            @celery.periodic_task(name="cleanup", run_every=60, time_limit=30)
            def cleanup(): ...

            @celery.configure
            def not_a_task(): ...

            @celery.task(name="send")
            def send(): ...
            """,
        }
    )
    assert names(result) == ["cleanup", "send"]
    cleanup = next(t for t in result.tasks if t.name == "cleanup")
    assert cleanup.decorator == "proj.core.ProjectCelery.periodic_task"
    assert not [f for f in result.findings if f.code in ("CT107", "CT201") and f.task == "cleanup"]


def test_app_built_from_the_projects_own_subclass_whatever_its_name(analyse):
    # ``class CeleryApp(Celery)``: its name does not end in "Celery", its base says what it is
    result = analyse(
        {
            "proj/utils/app.py": "from celery import Celery\n\nclass CeleryApp(Celery):\n    pass\n",
            "proj/celery.py": "from proj.utils.app import CeleryApp\n\nworker = CeleryApp('proj')\n",
            "proj/tasks.py": """
            from proj.celery import worker

            @worker.task(name="apply_changes")
            def apply_changes(): ...
            """,
        }
    )
    assert names(result) == ["apply_changes"]


def test_other_frameworks_and_other_decorators_are_not_tasks(analyse):
    result = analyse(
        {
            "proj/tasks.py": """
            from huey import RedisHuey
            from proj.queueing import huey

            app = RedisHuey()

            @app.task()
            def a(): ...

            @huey.task()
            def b(): ...

            @router.task
            def c(): ...

            @task
            def d(): ...
            """
        }
    )
    assert names(result) == []


def test_old_style_task_decorator(analyse):
    result = analyse(
        {
            "proj/tasks.py": """
            from celery.task import task, periodic_task
            from celery.decorators import task as old_task

            @task
            def a(): ...

            @old_task(ignore_result=True)
            def b(): ...

            @periodic_task(run_every=60)
            def c(): ...
            """
        },
        select=["ALL"],
    )
    assert names(result) == ["proj.tasks.a", "proj.tasks.b", "proj.tasks.c"]
    assert not [f for f in result.findings if f.code == "CT107"]


def test_transaction_aware_task_libraries(analyse):
    # django-celery-transactions and django-atomic-celery: Celery's ``task`` with a base class
    # that sends once the transaction commits, and that class for class-based tasks
    result = analyse(
        {
            "proj/tasks.py": """
            from djcelery_transactions import PostTransactionTask, task
            from django_atomic_celery import task as atomic_task

            @task
            def a(): ...

            @atomic_task(ignore_result=True)
            def b(): ...

            class C(PostTransactionTask):
                def run(self, pk): ...
            """
        },
        select=["ALL"],
    )
    assert names(result) == ["proj.tasks.C", "proj.tasks.a", "proj.tasks.b"]


def test_call_form_registration(analyse):
    result = analyse(
        {
            "proj/tasks.py": """
            from celery import shared_task
            from proj.celery import app
            from proj.impl import remote_impl

            def _send(self, to): ...

            def _ping(): ...

            def _pong(): ...

            send = app.task(bind=True, name="mail.send")(_send)
            ping = shared_task(_ping)
            pong = app.task(_pong, ignore_result=True)
            remote = shared_task(remote_impl)
            """
        }
    )
    assert names(result) == [
        "mail.send",
        "proj.impl.remote_impl",
        "proj.tasks._ping",
        "proj.tasks._pong",
    ]
    kinds = {t.name: t.kind for t in result.tasks}
    assert set(kinds.values()) == {"call"}


def test_task_classes(analyse):
    result = analyse(
        {
            "proj/base.py": """
            from celery import Task

            class BaseTask(Task):
                abstract = True
                time_limit = 60
            """,
            "proj/tasks.py": """
            import celery
            from celery import Task
            from proj.base import BaseTask
            from proj.celery import app

            class A(Task):
                def run(self): ...

            class B(celery.Task):
                name = "custom.b"
                def run(self): ...

            class C(app.Task):
                def run(self): ...

            class D(BaseTask):
                def run(self): ...

            class Local(Task):
                pass

            class E(Local):
                def run(self): ...

            class Abstract(Task):
                abstract = True
                def run(self): ...

            class NotATask:
                def run(self): ...
            """,
        }
    )
    assert names(result) == [
        "custom.b",
        "proj.tasks.A",
        "proj.tasks.C",
        "proj.tasks.D",
        "proj.tasks.E",
    ]


def test_base_class_options_count_as_set(analyse):
    files = {
        "proj/celeryconfig.py": "result_backend = 'redis://'\n",
        "proj/base.py": """
        from celery import Task

        class Limited(Task):
            time_limit = 60
            ignore_result = True
        """,
        "proj/tasks.py": """
        from celery import shared_task
        from proj.base import Limited

        @shared_task(base=Limited)
        def a(): work()

        @shared_task
        def b(): work()

        def later():
            a.delay()
            b.delay()
        """,
    }
    result = analyse(files, select=["CT201", "CT501"])
    assert [(f.code, f.task) for f in result.findings] == [
        ("CT201", "proj.tasks.b"),
        ("CT501", "proj.tasks.b"),
    ]


def test_configured_wrapper_decorators(analyse):
    files = {
        "acme/jobs.py": """
        from celery import shared_task

        def instrumented_task(**options):
            def wrap(fn):
                return shared_task(**options)(fn)
            return wrap
        """,
        "acme/tasks.py": """
        from acme.jobs import instrumented_task
        from acme import jobs

        @instrumented_task(time_limit=30, name="acme.a")
        def a(): work()

        @jobs.instrumented_task()
        def b(): work()
        """,
    }
    config = Config(task_decorators=["acme.jobs.instrumented_task"])
    result = analyse(files, config=config, select=["CT201"])
    assert names(result) == ["acme.a", "acme.tasks.b"]
    assert [f.task for f in result.findings] == ["acme.tasks.b"]
    # a factory defined in the project is found without the setting, with the same result
    unconfigured = analyse(files, select=["CT201"])
    assert names(unconfigured) == ["acme.a", "acme.tasks.b"]
    assert [f.task for f in unconfigured.findings] == ["acme.tasks.b"]


def test_src_layout_and_packages(analyse):
    result = analyse(
        {
            "src/shop/orders/__init__.py": """
            from celery import shared_task

            @shared_task
            def in_init(): ...
            """,
            "src/shop/orders/tasks.py": """
            from celery import shared_task

            @shared_task
            def ship(): ...
            """,
        }
    )
    assert names(result) == ["shop.orders.in_init", "shop.orders.tasks.ship"]


def test_non_literal_name_is_reported_as_unknown(analyse):
    result = analyse(
        {
            "proj/tasks.py": """
            from celery import shared_task

            @shared_task(name=PREFIX + ".a")
            def a(): ...
            """
        }
    )
    assert names(result) == ["proj.tasks.a"]


def test_positions_point_at_first_decorator(analyse):
    result = analyse(
        {
            "proj/tasks.py": """
            from celery import shared_task


            @shared_task
            @other
            def a(): work()
            """
        },
        select=["CT101", "CT201"],
    )
    [task] = result.tasks
    assert (task.line, task.column) == (4, 1)
    by_code = {f.code: f for f in result.findings}
    assert (by_code["CT201"].line, by_code["CT201"].column) == (4, 1)
    assert by_code["CT201"].task_key == task.key


def test_task_classes_of_other_libraries_are_not_tasks(analyse):
    result = analyse(
        {
            "proj/base.py": "from celery import Task\n",
            "proj/pipelines.py": """
            import luigi
            from luigi import Task
            from prefect import Task as PrefectTask

            class Extract(Task):
                def run(self): ...

            class Load(luigi.Task):
                def run(self): ...

            class Flow(PrefectTask):
                def run(self): ...
            """,
            "proj/tasks.py": """
            from proj.base import Task

            class Reexported(Task):
                def run(self): ...
            """,
        }
    )
    assert names(result) == ["proj.tasks.Reexported"]


# The project's own decorator factories, found without configuration ---------------------------
def discovered(files: dict[str, str]) -> dict[str, TaskDef]:
    """The tasks of in-memory modules by registered name, with the project index built the way a
    run builds it (every module contributes until nothing changes)."""
    infos = []
    for path, text in dedent(files).items():
        assert isinstance(text, str)
        module, is_package = _module_name(path)
        infos.append(collect(cst.parse_module(text), module, is_package))
    index = ProjectIndex(modules={i.name for i in infos})
    for _ in range(6):
        before = index.size()
        for info in infos:
            index.merge(index_contributions(info, index))
        if index.size() == before:
            break
    return {t.name: t for info in infos for t in discover(info, index, frozenset())[0]}


def options(task: TaskDef) -> dict[str, object]:
    return {k: v.value for k, v in task.options.items()}


CRONS = """
from functools import wraps

from celery import shared_task


def cron_task(*task_args, **task_kwargs):
    lock_timeout = task_kwargs.pop("lock_timeout", 1800)

    def _cron_task(task_func):
        @wraps(task_func)
        def wrapper(*args, **kwargs):
            with lock(lock_timeout):
                return task_func(*args, **kwargs)

        return shared_task(*task_args, **task_kwargs)(wrapper)

    return _cron_task
"""


def test_function_factory_with_consumed_and_forwarded_keywords(analyse):
    files = {
        "proj/utils/crons.py": CRONS,
        "proj/orgs/tasks.py": """
        from proj.utils.crons import cron_task

        @cron_task()
        def squash(): work()

        @cron_task(lock_timeout=7200, time_limit=60)
        def trim(org_id): work()
        """,
    }
    tasks = discovered(files)
    assert sorted(tasks) == ["proj.orgs.tasks.squash", "proj.orgs.tasks.trim"]
    trim = tasks["proj.orgs.tasks.trim"]
    assert options(trim) == {"time_limit": 60}  # ``lock_timeout`` is the factory's own
    assert trim.options_complete and trim.factory == "proj.utils.crons.cron_task"
    assert trim.run is not None and trim.run.name.value == "trim"  # the decorated body is read
    assert [p.name for p in trim.params] == ["org_id"]
    assert trim.bound is None  # the worker calls the wrapper: what it passes is not known
    result = analyse(files, select=["CT107", "CT201"])
    # the forwarded ``time_limit`` satisfies CT201; ``lock_timeout`` is no CT107
    assert [(f.code, f.task) for f in result.findings] == [("CT201", "proj.orgs.tasks.squash")]
    assert {t.decorator for t in result.tasks} == {"proj.utils.crons.cron_task"}


def test_factory_forwarding_star_args_is_used_bare_as_well(analyse):
    # ``shared_task(fn)`` makes the task at once: a factory passing its ``*args`` on works as
    # ``@factory`` as well as ``@factory(...)``
    files = {
        "proj/deco.py": """
        from celery import Task, shared_task

        class RetryTask(Task):
            autoretry_for = (IOError,)

        def retry_task(*args, **kwargs):
            return shared_task(*args, base=RetryTask, **kwargs)
        """,
        "proj/tasks.py": """
        from proj.deco import retry_task

        @retry_task
        def bare(x): ...

        @retry_task(time_limit=5)
        def called(x): ...
        """,
    }
    tasks = discovered(files)
    assert sorted(tasks) == ["proj.tasks.bare", "proj.tasks.called"]
    assert options(tasks["proj.tasks.called"]) == {"base": Ref("RetryTask"), "time_limit": 5}
    assert tasks["proj.tasks.bare"].factory == "proj.deco.retry_task"


def test_class_factory_forwards_options_and_explicit_name(analyse):
    files = {
        "proj/retry.py": """
        from functools import wraps
        from celery import shared_task

        class retryable_task:
            def __init__(self, *args, **kwargs):
                self.task_args = args
                self.task_kwargs = kwargs

            def __call__(self, f):
                @wraps(f)
                def inner(*args, **kwargs):
                    return f(*args, **kwargs)

                task_func = shared_task(*self.task_args, **self.task_kwargs)(inner)
                return task_func
        """,
        "proj/logs/tasks.py": """
        from proj.retry import retryable_task

        @retryable_task(name="log-parser", max_retries=10)
        def parse_logs(): ...

        @retryable_task()
        def rotate(): ...
        """,
    }
    tasks = discovered(files)
    assert sorted(tasks) == ["log-parser", "proj.logs.tasks.rotate"]
    assert options(tasks["log-parser"]) == {"name": "log-parser", "max_retries": 10}
    assert tasks["log-parser"].options_complete
    assert options(tasks["proj.logs.tasks.rotate"]) == {}
    result = analyse(files, select=["CT107"])
    assert {t.decorator for t in result.tasks} == {"proj.retry.retryable_task"}


def test_instance_of_a_class_whose_call_returns_a_task_decorator():
    # ``handler = Dispatcher()``; ``@handler("key", queue="q")``: the instance is a factory,
    # its subclasses' too (one that extends ``__call__`` and defers to ``super().__call__``)
    files = {
        "proj/core.py": """
        from proj.celery import app

        class Dispatcher(dict):
            def __call__(self, *keys, **kwargs):
                def wrap(f):
                    f = app.task(ignore_result=True, **kwargs)(f)
                    for key in keys:
                        self.setdefault(key, []).append(f)
                    return f

                return wrap
        """,
        "proj/alerts.py": """
        from proj.core import Dispatcher

        class AlertDispatcher(Dispatcher):
            def __call__(self, *keys, **kwargs):
                TOPICS.update(keys)
                return super().__call__(*keys, **kwargs)

        handler = AlertDispatcher()

        @handler("local", shared=False)
        def local(alert): ...
        """,
        "proj/notices.py": """
        from proj.core import Dispatcher

        class NoticeDispatcher(Dispatcher):
            pass

        handler = NoticeDispatcher()
        """,
        "proj/orchestrator.py": """
        from proj import alerts, notices

        @alerts.handler("superevent", queue="alerts")
        def on_superevent(alert): ...

        @notices.handler("gbm")
        def on_gbm(notice): ...

        def not_a_task(): ...
        """,
        "proj/celery.py": "from celery import Celery\napp = Celery('proj')\n",
    }
    tasks = discovered(files)
    assert sorted(tasks) == [
        "proj.alerts.local",
        "proj.orchestrator.on_gbm",
        "proj.orchestrator.on_superevent",
    ]
    assert options(tasks["proj.orchestrator.on_superevent"]) == {"ignore_result": True, "queue": "alerts"}


def test_an_instance_whose_call_takes_the_function_is_not_a_factory():
    # ``__call__(self, fn)`` applies the decorator itself: ``@Registry(...)`` (the class
    # factory) makes tasks; an instance used as ``@registry("key")`` would not
    files = {
        "proj/core.py": """
        from celery import shared_task

        class Registry:
            def __call__(self, fn):
                return shared_task(fn)

        registry = Registry()
        """,
        "proj/jobs.py": """
        from proj.core import registry

        @registry("key")
        def job(): ...
        """,
    }
    assert discovered(files) == {}


def test_factory_of_a_factory_and_options_the_factory_passes_itself(analyse):
    files = {
        "proj/utils/crons.py": CRONS,
        "proj/utils/periodic.py": """
        from proj.utils.crons import cron_task

        def nightly(**options):
            options.setdefault("queue", "nightly")

            def decorate(fn):
                return cron_task(bind=True, time_limit=600, **options)(fn)

            return decorate
        """,
        "proj/reports.py": """
        from proj.utils.periodic import nightly

        @nightly(lock_timeout=60, queue="reports")
        def build(self): ...

        @nightly()
        def purge(self): ...
        """,
    }
    tasks = discovered(files)
    assert sorted(tasks) == ["proj.reports.build", "proj.reports.purge"]
    assert options(tasks["proj.reports.build"]) == {"bind": True, "time_limit": 600, "queue": "reports"}
    assert options(tasks["proj.reports.purge"]) == {"bind": True, "time_limit": 600, "queue": "nightly"}
    result = analyse(files, select=["CT102", "CT103", "CT107", "CT201"])
    assert result.findings == []
    assert {t.decorator for t in result.tasks} == {"proj.utils.periodic.nightly"}


def test_re_exported_factory_under_another_name(analyse):
    files = {
        "proj/utils/crons.py": CRONS,
        "proj/utils/__init__.py": "from .crons import cron_task as periodic\n",
        "proj/jobs.py": """
        from proj.utils import periodic

        @periodic(time_limit=5)
        def tick(): ...
        """,
    }
    tasks = discovered(files)
    assert list(tasks) == ["proj.jobs.tick"]
    assert options(tasks["proj.jobs.tick"]) == {"time_limit": 5}
    # ``jobs.py`` names neither Celery nor a task: the prefilter lets it through for the factory
    result = analyse(files, select=["CT201"])
    assert names(result) == ["proj.jobs.tick"]
    assert [t.decorator for t in result.tasks] == ["proj.utils.crons.cron_task"]


def test_module_level_alias_of_app_task(analyse):
    files = {
        "proj/celery.py": """
        from celery import Celery

        app = Celery("proj")
        task = app.task
        """,
        "proj/mail.py": """
        from proj.celery import task

        @task
        def send(): ...

        @task(bind=True, name="mail.bounce", time_limit=9)
        def bounce(self): ...
        """,
    }
    tasks = discovered(files)
    assert sorted(tasks) == ["mail.bounce", "proj.mail.send"]
    assert options(tasks["mail.bounce"]) == {"bind": True, "name": "mail.bounce", "time_limit": 9}
    assert tasks["mail.bounce"].bound is True  # no wrapper: ``bind`` means what it says
    assert options(tasks["proj.mail.send"]) == {}
    assert {t.decorator for t in analyse(files, select=["CT201"]).tasks} == {"proj.celery.task"}


def test_partial_of_shared_task(analyse):
    files = {
        "proj/queues.py": """
        from functools import partial
        from celery import shared_task

        slow_task = partial(shared_task, queue="slow", time_limit=300)
        """,
        "proj/work.py": """
        from proj.queues import slow_task

        @slow_task
        def crunch(): ...

        @slow_task(acks_late=True)
        def grind(): ...
        """,
    }
    tasks = discovered(files)
    assert sorted(tasks) == ["proj.work.crunch", "proj.work.grind"]
    assert options(tasks["proj.work.crunch"]) == {"queue": "slow", "time_limit": 300}
    assert options(tasks["proj.work.grind"]) == {"queue": "slow", "time_limit": 300, "acks_late": True}
    assert analyse(files, select=["CT201"]).findings == []


def test_explicit_parameter_of_a_factory_is_consumed_or_renamed(analyse):
    files = {
        "proj/locks.py": """
        from celery import shared_task

        def locked(key, timeout=60, queue="locks", **kwargs):
            kwargs.pop("lock_name", None)

            def decorate(fn):
                return shared_task(queue=queue, **kwargs)(fn)

            return decorate
        """,
        "proj/jobs.py": """
        from proj.locks import locked

        @locked("k", timeout=5, lock_name="x", queue="fast", max_retry=3)
        def a(): ...
        """,
    }
    task = discovered(files)["proj.jobs.a"]
    assert options(task) == {"queue": "fast", "max_retry": 3}
    # only the keyword passed on to Celery is reported: ``timeout`` and ``lock_name`` are not
    result = analyse(files, select=["CT107"])
    assert [f.message.split("`")[1] for f in result.findings] == ["max_retry"]


def test_wrapper_without_wraps_is_registered_under_its_own_name(analyse):
    files = {
        "proj/deco.py": """
        from celery import shared_task

        def traced_task(**options):
            def decorate(fn):
                def wrapper(*args, **kwargs):
                    return fn(*args, **kwargs)

                return shared_task(**options)(wrapper)

            return decorate
        """,
        "proj/jobs.py": """
        from proj.deco import traced_task

        @traced_task()
        def a(): ...

        @traced_task()
        def b(): ...

        @traced_task(name="jobs.c")
        def c(): ...
        """,
    }
    result = analyse(files, select=["CT108"])
    # Celery names a task by ``__module__`` and ``__name__``: those of the wrapper here
    assert names(result) == ["jobs.c", "proj.deco.wrapper", "proj.deco.wrapper"]
    assert {f.code for f in result.findings} == {"CT108"}


def test_forwarding_that_cannot_be_followed_leaves_options_unknown(analyse):
    files = {
        "proj/deco.py": """
        from celery import shared_task

        DEFAULTS = {"time_limit": 30}

        def job(**kwargs):
            options = {**DEFAULTS, **kwargs}

            def decorate(fn):
                return shared_task(acks_late=True, **options)(fn)

            return decorate
        """,
        "proj/jobs.py": """
        from proj.deco import job

        @job(typo_option=1)
        def a(): ...
        """,
    }
    task = discovered(files)["proj.jobs.a"]
    assert not task.options_complete
    assert options(task) == {"acks_late": True}  # what the factory passes itself, nothing guessed
    assert analyse(files, select=["CT107", "CT201"]).findings == []


def test_bind_from_a_factory_that_passes_the_function_itself(analyse):
    files = {
        "proj/deco.py": """
        from celery import shared_task

        def bound_task(**kwargs):
            return shared_task(bind=True, **kwargs)
        """,
        "proj/jobs.py": """
        from proj.deco import bound_task

        @bound_task()
        def a(): ...

        @bound_task(time_limit=3)
        def b(self): ...
        """,
    }
    tasks = discovered(files)
    assert tasks["proj.jobs.a"].bound is True
    result = analyse(files, select=["CT103"])
    assert [(f.code, f.task) for f in result.findings] == [("CT103", "proj.jobs.a")]


def test_factory_name_without_task_in_a_file_without_celery_bytes(analyse):
    files = {
        "proj/sched.py": """
        from functools import wraps
        from celery import shared_task

        def every(minutes, **kw):
            def decorate(fn):
                @wraps(fn)
                def run(*a):
                    return fn(*a)
                return shared_task(**kw)(run)
            return decorate
        """,
        "proj/jobs.py": "from proj.sched import every\n\n@every(5)\ndef refresh():\n    pass\n",
    }
    result = analyse(files, select=["CT201"])
    assert names(result) == ["proj.jobs.refresh"]


def test_note_suggests_task_decorators_for_a_foreign_decorator(analyse):
    body = "".join(f"@instrumented_task(queue='q')\ndef f{i}():\n    pass\n\n" for i in range(3))
    files = {"proj/jobs.py": "from acme_lib.jobs import instrumented_task\n\n" + body}
    result = analyse(files, select=["CT201"])
    assert names(result) == []
    assert len(result.notes) == 1
    assert "`acme_lib.jobs.instrumented_task` (3 functions)" in result.notes[0]
    assert "task-decorators" in result.notes[0]
    configured = analyse(files, config=Config(task_decorators=["acme_lib.jobs.instrumented_task"]))
    assert configured.notes == [] and len(configured.tasks) == 3
    invoke = {
        "tasks.py": "from invoke import task\n\n" + body.replace("instrumented_task(queue='q')", "task")
    }
    assert analyse(invoke, select=["CT201"]).notes == []  # invoke's ``task`` is not Celery's
    two = {
        "proj/jobs.py": files["proj/jobs.py"]
        .replace("def f2", "def g2")
        .replace("@instrumented_task(queue='q')\ndef g2", "def g2")
    }
    assert analyse(two, select=["CT201"]).notes == []


def test_factory_that_imports_its_app_lazily_and_applies_it_to_args_itself(analyse):
    # the app is imported inside the factory (so that importing it needs no Celery), and the
    # bare use applies the app's decorator to ``args[0]`` in the outer function
    files = {
        "proj/celery_app.py": """
        from celery import Celery

        app = Celery("proj")
        """,
        "proj/deco.py": """
        def job(*args, **options):
            if len(args) == 1 and callable(args[0]) and not options:
                fn = args[0]
                from proj.celery_app import app as _app

                return _app.task(fn)

            def wrap(fn):
                from proj.celery_app import app as _app

                return _app.task(*args, **options)(fn)

            return wrap
        """,
        "proj/jobs.py": """
        from proj.deco import job

        @job
        def a(): ...

        @job(queue="q")
        def b(): ...
        """,
    }
    tasks = discovered(files)
    assert sorted(tasks) == ["proj.jobs.a", "proj.jobs.b"]
    assert options(tasks["proj.jobs.b"]) == {"queue": "q"}


def test_use_with_or_without_parentheses_as_the_factory_allows(analyse):
    files = {
        "proj/deco.py": """
        from celery import shared_task

        def audited(fn):
            return shared_task(acks_late=True)(fn)

        def flexible_task(*args, **options):
            def decorate(fn):
                return shared_task(**options)(fn)

            if len(args) == 1 and callable(args[0]):
                return decorate(args[0])
            return decorate

        def called_only(*args, **options):
            def decorate(fn):
                return shared_task(**options)(fn)

            return decorate
        """,
        "proj/jobs.py": """
        from proj.deco import audited, called_only, flexible_task

        @audited
        def a(): ...

        @flexible_task
        def b(): ...

        @flexible_task(queue="q")
        def c(): ...

        @called_only
        def not_a_task(): ...

        @called_only()
        def d(): ...
        """,
    }
    tasks = discovered(files)
    assert sorted(tasks) == ["proj.jobs.a", "proj.jobs.b", "proj.jobs.c", "proj.jobs.d"]
    assert options(tasks["proj.jobs.a"]) == {"acks_late": True}
    assert options(tasks["proj.jobs.c"]) == {"queue": "q"}


def test_wrapper_given_only_the_function_name_keeps_the_factory_module(analyse):
    files = {
        "proj/deco.py": """
        from celery import shared_task

        def renamed_task(**options):
            def decorate(fn):
                def runner(*args):
                    return fn(*args)

                runner.__name__ = fn.__name__
                return shared_task(**options)(runner)

            return decorate
        """,
        "proj/jobs.py": "from proj.deco import renamed_task\n\n@renamed_task()\ndef a():\n    pass\n",
    }
    assert names(analyse(files, select=["CT201"])) == ["proj.deco.a"]
