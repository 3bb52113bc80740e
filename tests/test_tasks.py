"""Task discovery: every way to define a task, and the names Celery registers them under."""

from __future__ import annotations

from checker.config import Config


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
        def a(): ...

        @shared_task
        def b(): ...
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
        def a(): ...

        @jobs.instrumented_task()
        def b(): ...
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
            def a(): ...
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
