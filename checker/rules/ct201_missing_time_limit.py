from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from checker import body
from checker.model import Finding, Section, Severity
from checker.project import ProjectContext
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef
from checker.values import dotted_name

GLOBAL_LIMITS = ("task_time_limit", "task_soft_time_limit")


class MissingTimeLimit(TaskRule):
    """
        ## What it does
        Checks that a task has a time limit: `time_limit` or `soft_time_limit` on the task (or on
        its `base=` class), or `task_time_limit` / `task_soft_time_limit` in the app's configuration
        (any spelling: `app.conf`, `Celery(...)`, a config module or a config class given to
        `config_from_object`, a class named for Celery's configuration such as a pydantic
        `class CeleryConfiguration(BaseSettings)` whose dump the app loads, Django's `CELERY_`
        settings). The message names the global setting as the project spells it:
        `CELERY_TASK_TIME_LIMIT` for Django settings read with `namespace="CELERY"`, the old
        `CELERYD_TASK_TIME_LIMIT` for Django settings read with no namespace
        (`app.config_from_object("django.conf:settings")`, where Celery takes only the old
        upper-case names).
        Not reported for a task that does nothing but print or log its own request or a fixed
        message (Celery's `debug_task`), or hand a message to an error reporter
        (`sentry_sdk.capture_message(msg)`, raven's `captureMessage`: a task that checks error
        reporting from a worker), or touch a heartbeat file (`Path(settings.HEALTH_FILE).touch()`,
        `os.utime(path)`: a worker liveness ping; a stuck worker never runs it), only raises (`raise Exception("boom")`, `1 / 0`: a crash
        test for error reporting), or only computes over its arguments with operators and pure
        builtins (Celery's `add(x, y)`: `return x + y`, `return sum(numbers)`), or is a stub whose
        body is only `pass`, `...`, a docstring or a bare `return` (its code removed or switched off
        by a first `return` above it, or run by another service that consumes the same name), or only sends other tasks (`purge.apply_async(queue="reporting")`,
    `check.si(event, event["id"]).delay()`, with arguments made of names, attributes, subscripts,
    literals and operators on them, besides log lines, assignments and `if` tests of the same
    kind: a dispatcher beat runs): nothing in it can hang.
        Not reported for a task under a decorator named for a timeout (`@task_timeout(900)`,
        `@timeout(60)`, `timeout_decorator.timeout`): the project bounds the run itself (a
        `gevent.Timeout`, `signal.alarm`; gevent and eventlet pools ignore `soft_time_limit`).
        Not reported for a task that the project never sends as a message and only calls directly
        or runs with `.apply(...)` (from another task, a view, a migration, a command; also from a
        loop over a literal list of tasks, `for msg, step in steps: step.apply()`): it then
        runs inside its caller, and a task time limit would never apply (the worker's pool
        enforces limits; `apply` runs the task in the calling process). Nor for one the project
        uses only as an error callback (`callback.on_error(on_error.s(...))`, `link_error=`) whose
        function takes more than one positional argument (`request, exc, traceback`): Celery
        calls it inline, in the worker that handles the failure, and sends no message.
        Not reported when the project's Python code starts its workers with a limit on their command
        line (`app.worker_main(["worker", "--time-limit=1800"])`, a command list holding
        `"--soft-time-limit"`): every task of such a worker has one. (Command lines outside Python,
        in a Procfile, a supervisord or systemd file, are not read.)
        Not reported for a task defined inside a function (a callback made when the function runs,
        `@app.task` in a function body): no worker registers it at import and nothing outside the
        function can send it.
        A task nothing in the project sends, schedules or names is still reported: deployments
        schedule tasks in configuration the repository does not hold (lemur's `lemur.conf.py`,
        django-celery-beat's database).

        ## Why is this bad?
        Celery sets no time limit by default. A task stuck on a network call without a timeout, a lock
        or an endless loop holds its worker slot forever; a few of them and the queue stops moving
        while every worker looks healthy.

        ## Example
        ```python
        @shared_task
        def import_feed(url):
            return requests.get(url).text
        ```

        ## Use instead
        ```python
        @shared_task(soft_time_limit=60, time_limit=90)
        def import_feed(url):
            return requests.get(url, timeout=30).text
        ```
    """

    code = "CT201"
    name = "missing-time-limit"
    section = Section.RESILIENT
    severity = Severity.WARNING
    checklist = "Has a time limit"
    satisfied_by_settings = GLOBAL_LIMITS
    satisfied_by_options = ("time_limit", "soft_time_limit")
    VALID = [
        "from celery import shared_task\n\n@shared_task(time_limit=60)\ndef f():\n    pass\n",
        # only ever run in the caller's process with ``.apply``: no pool, no limit to enforce
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef index(pk):\n    reindex(pk)\n\n"
            "def on_saved(item):\n    index.apply(args=[item.pk])\n",
        },
        # switched off by a first ``return``: what follows never runs
        "from celery import shared_task\n\n@shared_task\ndef sitemaps():\n    return\n\n"
        "    for page in pages():\n        upload(page)\n",
        # checks error reporting from a worker: the event is queued, nothing waits
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef sentry_test(self, msg):\n"
        "    self.app.raven_client.captureMessage(msg)\n",
        # a dispatcher: it only hands other tasks to the broker
        "from celery import shared_task\nfrom proj.tasks import purge_sms, purge_email\n\n"
        "@shared_task\ndef nightly():\n    logger.info('purging')\n"
        "    purge_sms.apply_async(queue=Queues.REPORTING)\n    purge_email.apply_async(queue=Queues.REPORTING)\n",
        # ... with arguments picked from its own, under an ``if`` on them, a signature sent
        "from celery import shared_task\nfrom proj import detchar\n\n@shared_task\ndef launch(event):\n"
        "    start = event['gpstime']\n    if event['search'] == 'Supernova':\n        end = start\n"
        "    else:\n        end = start + (event['duration'] or 4.0)\n"
        "    detchar.check.si(event, start, end).set(queue='q').delay()\n    return event\n",
        # a config class given to ``config_from_object``, defined in a module of the package
        # that the app imports it from
        {
            "proj/settings/__init__.py": "from .defaults import *\n",
            "proj/settings/defaults.py": "class CeleryConfig:\n    task_soft_time_limit = 300\n",
            "proj/celery_app.py": "from celery import Celery\nfrom proj.settings import CeleryConfig\n\n"
            "app = Celery()\napp.config_from_object(CeleryConfig)\n",
            "proj/tasks.py": "from proj.celery_app import app\n\n@app.task\ndef f():\n    return 1\n",
        },
        "from celery import shared_task\n\n@shared_task(soft_time_limit=settings.LIMIT)\n"
        "def f():\n    pass\n",
        "from celery import Task, shared_task\n\nclass Limited(Task):\n    time_limit = 300\n\n"
        "@shared_task(base=Limited)\ndef f():\n    pass\n",
        "from celery import Celery\n\napp = Celery('proj')\napp.conf.task_time_limit = 600\n\n"
        "@app.task\ndef f():\n    pass\n",
    ]
    VALID += [
        {
            "proj/celery.py": "from celery import Celery\n\napp = Celery('proj')\n"
            "app.config_from_object('proj.celeryconfig')\n",
            "proj/celeryconfig.py": "task_soft_time_limit = 300\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    pass\n",
        },
        {
            "proj/settings/__init__.py": "from .base import *\n",
            "proj/settings/base.py": "import environ\nenv = environ.Env()\n"
            "CELERY_TASK_TIME_LIMIT = env.int('CELERY_TASK_TIME_LIMIT', 600)\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    pass\n",
        },
        {
            "proj/celery.py": "from celery import Celery\n\napp = Celery('proj')\n"
            "app.conf.task_annotations = {'*': {'time_limit': 60}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    pass\n",
        },
    ]
    VALID += [
        {  # never sent, only called as a function by a view: no worker ever runs it
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef rebuild(ids):\n    pass\n",
            "proj/views.py": "from proj.tasks import rebuild\n\ndef view(request):\n    rebuild([1])\n",
        },
        {  # never sent, only run inline by another task: the caller's limit is what applies
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef part(ids):\n    pass\n\n"
            "@shared_task(time_limit=600)\ndef whole(ids):\n    part(ids)\n    return len(ids)\n",
            "proj/views.py": "from proj.tasks import whole\n\ndef view(ids):\n    whole.delay(ids)\n",
        },
        {  # a settings class named for Celery, dumped into ``app.conf.update(...)`` at start-up
            "proj/configuration.py": "from pydantic_settings import BaseSettings\n\n"
            "class CeleryConfiguration(BaseSettings):\n    task_time_limit: int | None = 1800\n",
            "proj/factory.py": "from celery import Celery\n\ndef make(config):\n    app = Celery()\n"
            "    app.conf.update(config)\n    return app\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    work()\n",
        },
        # the project's own timeout decorator bounds the run (``gevent.Timeout`` inside)
        "from celery import shared_task\nfrom proj.utils import task_timeout\n\n@shared_task\n"
        "@task_timeout(timeout_seconds=900)\ndef index(ids):\n    fetch(ids)\n",
        # a stub: the code was removed, or another service runs the task under this name
        "from celery import shared_task\n\n@shared_task(name='export.project')\ndef export(org, project):\n"
        "    pass\n",
        # Celery's ``add``: arithmetic cannot hang
        "from celery import shared_task\n\n@shared_task\ndef add(x, y):\n    return x + y\n",
        "import random\nfrom celery import shared_task\n\n@shared_task\ndef mul(x, y):\n"
        "    total = x * (y * random.randint(3, 100))\n    return total\n",
        # a crash test for error reporting: nothing in it can hang
        "from celery import Celery\n\napp = Celery('proj')\n\n@app.task(name='crash_task')\n"
        'def crash_task():\n    """For testing purposes only."""\n    1 / 0\n',
        # run only with ``.apply()``, from a list of steps another task loops over
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task(time_limit=60)\n"
            "def send(pk):\n    post(pk)\n\n@shared_task\ndef fake_reply():\n    store()\n\n"
            "@shared_task(time_limit=600)\ndef dev_run():\n"
            "    steps = [('Sending', send), ('Faking a reply', fake_reply)]\n"
            "    for i, (msg, step) in enumerate(steps, start=1):\n        log.info(msg)\n        step.apply()\n\n"
            "def later(pk):\n    send.delay(pk)\n",
        },
        # only an error callback taking ``(request, exc, traceback)``: Celery calls it inline
        {
            "proj/tasks.py": "from celery import chord, shared_task\n\n@shared_task(time_limit=60)\n"
            "def build(pk):\n    render(pk)\n\n@shared_task(time_limit=60)\ndef done(pk):\n    mark(pk)\n\n"
            "@shared_task\ndef failed(request, exc, traceback, *args, pk):\n    mark_failed(pk, exc)\n\n"
            "def make(pk):\n    callback = done.si(pk).on_error(failed.s(pk=pk))\n"
            "    chord([build.si(pk)], callback).apply_async()\n",
        },
        # a worker liveness ping touches a heartbeat file: nothing in it can hang
        "from pathlib import Path\nfrom celery import shared_task\n\n@shared_task(bind=True)\n"
        "def worker_health_check(self):\n    Path(settings.WORKER_HEALTH_FILENAME).touch()\n    log.debug('pinged')\n",
        # Celery's ``debug_task`` prints its request: nothing in it can hang
        "from celery import Celery\n\napp = Celery('proj')\n\n@app.task(bind=True)\n"
        "def debug_task(self):\n    print(f'Request: {self.request!r}')\n",
        # a callback made inside a function
        "from proj.celery import app\n\ndef run(event):\n    @app.task\n    def on_error(request, exc, tb):\n"
        "        event.status = 'FAILED'\n\n    start(event)\n",
        {  # the project starts its worker with a limit on the command line
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef sync(ids):\n    fetch(ids)\n",
            "proj/main.py": "from proj.celery import app\n\ndef cli():\n"
            "    app.worker_main(['worker', '--loglevel=info', '--time-limit=1800'])\n",
        },
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\ndef f():\n    work()\n",
        # run with ``.apply()`` from a loop, and named by a beat entry a function builds
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task(name='proj:send')\n"
            "def send():\n    post()\n\n@shared_task(time_limit=600)\ndef dev_run():\n"
            "    for step in [send]:\n        step.apply()\n",
            "proj/celery.py": "def prod_schedule():\n    return {'send': {'task': 'proj:send', 'schedule': 600}}\n",
        },
        # an old-style error callback (one argument, the task id) is sent as a message
        {
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task(time_limit=60)\n"
            "def build(pk):\n    render(pk)\n\n@shared_task\ndef failed(task_id):\n    mark_failed(task_id)\n\n"
            "def make(pk):\n    build.apply_async((pk,), link_error=failed.s())\n",
        },
        # the heartbeat's path is computed by a call that may wait
        "from pathlib import Path\nfrom celery import shared_task\n\n@shared_task\n"
        "def ping():\n    Path(fetch_path()).touch()\n",
        # the test of its ``if`` calls something that may wait
        "from celery import shared_task\nfrom proj import detchar\n\n@shared_task\ndef launch(event):\n"
        "    if fetch(event['id']):\n        detchar.check.si(event).delay()\n",
        # the arguments are computed by a call that may wait
        "from celery import shared_task\n\n@shared_task\ndef nightly():\n"
        "    purge.apply_async(args=[fetch_ids()])\n",
        # an echo of its argument stands for any task
        "from celery import shared_task\n\n@shared_task\ndef f(x):\n    return x\n",
        # ``raise self.replace(...)`` goes on as a canvas: not a crash test
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self, ids):\n"
        "    raise self.replace(build(ids))\n",
        "from proj.celery import app\n\n@app.task(bind=True, max_retries=3)\ndef f(self):\n    work()\n",
        "from celery import Task\n\nclass T(Task):\n    name = 'x'\n\n    def run(self):\n        work()\n",
        {
            # a limit in test settings does not protect production
            "proj/settings/test.py": "CELERY_TASK_TIME_LIMIT = 5\n",
            # lower-case names count only in a module the app reads its config from
            "proj/constants.py": "task_time_limit = 60\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    work()\n",
        },
    ]

    @classmethod
    def revise(cls, finding: Finding, project: ProjectContext) -> Finding | None:
        """Dropped for a task never sent as a message that the project calls directly, and when
        the project starts its workers with a time limit on their command line."""
        if project.worker_limit:
            return None
        task = project.task_by_key().get(finding.task_key or "")
        if task is not None and (project.runs_only_inline(task) or project.runs_only_as_errback(task)):
            return None
        return finding

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if not task.options_complete or task.local:
            return  # (a task made inside a function: a callback no one outside it can send)
        if task.run is not None and (
            body.cannot_hang(task.run, bool(task.bound))
            or body.does_nothing(task.run)
            or body.only_enqueues(task.run)
        ):
            return  # Celery's ``debug_task``, a crash test, ``add(x, y)``, a ``pass`` stub, a dispatcher
        if task.run is not None and any(_timeout_decorator(d.decorator) for d in task.run.decorators):
            return  # ``@task_timeout(seconds=900)``: the project bounds the run itself
        if task.is_set("time_limit") and task.value("time_limit") is not None:
            return
        if task.is_set("soft_time_limit") and task.value("soft_time_limit") is not None:
            return
        yield Report(
            task.anchor,
            "no time limit: set `soft_time_limit`/`time_limit` on the task or "
            "`task_time_limit` in the Celery config",
            task,
        )


def _timeout_decorator(decorator: cst.BaseExpression) -> bool:
    """A decorator named for a timeout (``@task_timeout(timeout_seconds=900)``, ``@timeout(60)``,
    ``@timeout_decorator.timeout(5)``, ``@func_set_timeout(30)``): a bound the project puts on
    the run itself (``gevent.Timeout``, ``signal.alarm``), which Celery's limits would repeat."""
    target = decorator.func if isinstance(decorator, cst.Call) else decorator
    name = (dotted_name(target) or "").rpartition(".")[2].lower()
    return "timeout" in name or "time_limit" in name
