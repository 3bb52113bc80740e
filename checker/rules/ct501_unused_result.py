from __future__ import annotations

import re
from collections.abc import Iterator

import libcst as cst

from checker import body
from checker.celery_names import backend_aliases
from checker.model import Finding, Section, Severity, TaskSummary
from checker.project import ProjectContext
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef

_APP = "from celery import Celery\n\napp = Celery('proj', backend='redis://localhost')\n\n"
_SEND = "\n\ndef later():\n    f.delay()\n"


class UnusedResult(TaskRule):
    """
    ## What it does
    Checks tasks that never return a value and do not set `ignore_result`, in a project whose
    code configures a result backend (`result_backend` / `CELERY_RESULT_BACKEND` in any spelling,
    `Celery(backend=...)`, `app.conf.result_backend`) and does not set `task_ignore_result` (set
    to `False`, it says the project stores results on purpose).

    `ignore_result` counts wherever the task's options come from: the decorator, a `base=`
    class, the `Task` subclass's attributes, `task_annotations` (for `"*"` or the task's name),
    as for CT201's time limits.

    Reported only when the project shows that nobody reads the result: the task is sent
    somewhere outside tests (`.delay`/`.apply_async`/`.delay_on_commit`, a signature applied at
    once as in `t.s(...).apply_async()`, or a beat entry), and
    - every send discards the AsyncResult: the call is an expression statement, not assigned,
      returned, passed on or awaited (keeping `.id` to revoke or poll later counts as using it,
      and so does choosing the id with `apply_async(task_id=...)`);
    - no signature of the task is part of a canvas (`.s`/`.si`/`.signature`/`.subtask` not
      applied at once: a `chord`, `group`, `chain`, `link=`): a chord's header tasks must store
      their results or the chord never completes;
    - no `send_task` names it (its result may be read), and its body does not call
      `self.update_state(...)` or `self.replace(...)`, nor hands its own id on outside a log
      line (`Job.objects.create(task_id=self.request.id)`): pollers read those states.

    Not reported for a stub whose body is only `pass`, `...` or a docstring (its code removed,
    or run by another service: its result is not what needs fixing), nor for a task only ever
    called directly (it runs inline, nothing is stored), nor
    for one sent only by beat, every half hour or less often, and by commands someone runs by hand (a
    Django management command, a click, typer or Flask CLI command, a view or action only staff
    reach: a method of a Django `ModelAdmin` or `AdminSite`, a DRF view whose
    `permission_classes` are `IsAdminUser`, `@staff_member_required`; once per run, not in a
    loop; the task sending itself again from an `except` handler of its own body, a retry by
    hand, does not count as another sender, while an unconditional re-send is a loop that runs
    all the time): a day's results are a few dozen keys, not worth a change; nor when the backend is django-celery-results' `django-db` or
    `django-cache` (also as written in class-based Django settings, `class Common:
    CELERY_RESULT_BACKEND = "django-db"`), or a backend class the project names by its path
    (`"proj.celery:DatabaseBackend"`) or by a name Celery does not know (`"processtask"`, which
    a package registers as a `celery.result_backends` entry point): the project keeps results
    where it reads them (the admin), nor when unsure. Not reported without a result backend in the code: Celery's default is none, and then
    nothing is stored. A backend read from the environment with no default or a None/empty one
    (`os.environ.get("CELERY_RESULT_BACKEND")`) does not count either: the code cannot tell
    whether it is set, and a wrong finding is worse than none. (Read through the project's own
    helper, `get_string("CELERY_RESULT_BACKEND", ...)`, it counts as set: the analyser does not
    follow the helper.)

    ## Why is this bad?
    With a result backend configured, Celery stores every task's return value and state, `None`
    included: a write per task to Redis or the database, kept for `result_expires` (a day by
    default). For fire-and-forget tasks that is load and memory spent for nothing.

    ## Example
    ```python
    @shared_task
    def send_welcome_email(user_id):
        mail.send(...)

    def sign_up(user):
        send_welcome_email.delay(user.pk)  # the AsyncResult is dropped
    ```

    ## Use instead
    ```python
    @shared_task(ignore_result=True)
    def send_welcome_email(user_id):
        mail.send(...)
    ```
    """

    code = "CT501"
    name = "unused-result"
    section = Section.OPTIMIZED
    severity = Severity.INFO
    checklist = "Stores a result only when one is used"
    satisfied_by_settings = ("task_ignore_result",)
    satisfied_by_options = ("ignore_result",)
    VALID = [
        _APP + "@app.task\ndef add(x, y):\n    return x + y\n",
        # a config class: results ignored in a block of its body (the value is then unknown)
        {
            "proj/config.py": "class CeleryConfig:\n    result_backend = 'django-db'\n    try:\n"
            "        import kombu\n    except ImportError:\n        pass\n    else:\n"
            "        task_ignore_result = True\n",
            "proj/app.py": "from celery import Celery\nfrom proj.config import CeleryConfig\n\n"
            "app = Celery()\napp.config_from_object(CeleryConfig)\n\n"
            "@app.task\ndef f():\n    g()\n\nf.delay()\n",
        },
        _APP + "@app.task(ignore_result=True)\ndef f():\n    g()\n" + _SEND,
        "from celery import Celery\n\napp = Celery('proj', backend='redis://', task_ignore_result=True)\n\n"
        "@app.task\ndef f():\n    g()\n" + _SEND,
        # a stub: its code was removed
        _APP + "@app.task\ndef f():\n    pass\n" + _SEND,
        # never sent as a message: only called directly, it runs inline and stores nothing
        _APP + "@app.task\ndef f():\n    g()\n\n@app.task\ndef h():\n    f()\n    return 1\n\nh.delay()\n",
        # the caller chooses the task's id (stored, to read the result by it later)
        _APP + "@app.task\ndef f():\n    g()\n\ndef later(job):\n    f.apply_async(task_id=job.task_id)\n",
        # the project stores results on purpose: ``task_ignore_result`` set, to False
        "from celery import Celery\n\napp = Celery('proj', backend='redis://localhost')\n"
        "app.conf.task_ignore_result = False\n\n@app.task\ndef f():\n    g()\n" + _SEND,
        # the AsyncResult is kept (its id to revoke or poll later)
        _APP + "@app.task\ndef f():\n    g()\n\ndef later(job):\n    job.task_id = f.delay().id\n",
        _APP + "@app.task\ndef f():\n    g()\n\ndef later():\n    return f.apply_async()\n",
        # part of a canvas: a chord header must store its result
        _APP
        + "from celery import chord\n\n@app.task\ndef f(x):\n    g(x)\n\n@app.task\ndef done(_):\n    pass\n\n"
        "def later(xs):\n    f.delay(xs[0])\n    chord(f.s(x) for x in xs)(done.s())\n",
        # progress reported through the result backend
        _APP + "@app.task(bind=True)\ndef f(self):\n    self.update_state(state='PROGRESS')\n" + _SEND,
        # its own id stored for a poller (``AsyncResult(job.task_id).status``)
        _APP
        + "@app.task(bind=True)\ndef f(self):\n    Job.objects.create(task_id=self.request.id)\n"
        + _SEND,
        # no result backend configured: nothing is stored
        "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
        # a backend from the environment, None when unset: cannot tell
        {
            "proj/settings.py": "import os\nCELERY_RESULT_BACKEND = os.environ.get('CELERY_RESULT_BACKEND', None)\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
        },
        # ignore_result from the base class or task_annotations
        _APP
        + "class Quiet(app.Task):\n    ignore_result = True\n\n@app.task(base=Quiet)\ndef f():\n    g()\n"
        + _SEND,
        _APP + "app.conf.task_annotations = {'proj.tasks.f': {'ignore_result': True}}\n\n"
        "@app.task\ndef f():\n    g()\n" + _SEND,
        # only beat sends it, once a day: a result a day is not worth a change
        {
            "proj/settings.py": "from celery.schedules import crontab\n\n"
            "CELERY_RESULT_BACKEND = 'redis://localhost'\n"
            "CELERY_BEAT_SCHEDULE = {'f': {'task': 'proj.tasks.f', 'schedule': crontab(minute=0, hour=3)}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
        },
        # only beat sends it, once a day; it sends itself again when a call fails (a retry)
        {
            "proj/settings.py": "CELERY_RESULT_BACKEND = 'redis://localhost'\n"
            "CELERY_BEAT_SCHEDULE = {'f': {'task': 'proj.tasks.f', 'schedule': 86400}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    try:\n"
            "        g()\n    except ConnectionError:\n        f.apply_async(countdown=600)\n",
        },
        # beat, every half hour (a crontab): 48 results a day
        {
            "proj/settings.py": "from celery.schedules import crontab\n\nCELERY_RESULT_BACKEND = 'redis://localhost'\n"
            "CELERY_BEAT_SCHEDULE = {'f': {'task': 'proj.tasks.f', 'schedule': crontab(minute='*/30')}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
        },
        # beat, twice a day, and a command someone runs by hand: a few results a day
        {
            "proj/settings.py": "CELERY_RESULT_BACKEND = 'redis://localhost'\n"
            "CELERY_BEAT_SCHEDULE = {'f': {'task': 'proj.tasks.f', 'schedule': 43200}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
            "proj/management/commands/refresh.py": "from django.core.management.base import BaseCommand\n"
            "from proj.tasks import f\n\nclass Command(BaseCommand):\n    def handle(self, **options):\n"
            "        f.delay()\n",
            "proj/cli.py": "import click\nfrom proj.tasks import f\n\n@click.command()\ndef refresh():\n"
            "    f.delay()\n",
        },
        # beat, daily, and views only staff reach: an admin view, a DRF view for ``IsAdminUser``
        {
            "proj/settings.py": "CELERY_RESULT_BACKEND = 'redis://localhost'\n"
            "CELERY_BEAT_SCHEDULE = {'f': {'task': 'proj.tasks.f', 'schedule': 86400}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
            "proj/admin.py": "from django.contrib import admin\nfrom proj.tasks import f\n\n"
            "class ZaakAdmin(admin.ModelAdmin):\n    def resync(self, request):\n        f.delay()\n",
            "proj/api.py": "from rest_framework.permissions import IsAdminUser\nfrom rest_framework.views import APIView\n"
            "from proj.tasks import f\n\nclass CacheView(APIView):\n    permission_classes = (IsAdminUser,)\n\n"
            "    def post(self, request):\n        f.delay()\n",
        },
        # a backend a package registers under its own name (an entry point): the project's own
        {
            "proj/settings.py": "CELERY_RESULT_BACKEND = 'processtask'\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
            "proj/views.py": "from proj.tasks import f\n\ndef later():\n    f.delay()\n",
        },
        # the project's own backend class: results kept where the project reads them
        {
            "proj/settings.py": "CELERY_RESULT_BACKEND = 'proj.celery:DatabaseBackend'\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
            "proj/views.py": "from proj.tasks import f\n\ndef later():\n    f.delay()\n",
        },
        # django-celery-results, in class-based settings (django-configurations)
        {
            "proj/celery.py": "from celery import Celery\n\napp = Celery('proj')\n"
            "app.config_from_object('django.conf:settings', namespace='CELERY')\n",
            "proj/settings.py": "class Common:\n    CELERY_RESULT_BACKEND = 'django-db'\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
            "proj/views.py": "from proj.tasks import f\n\ndef later():\n    f.delay()\n",
        },
        # django-celery-results: results kept to be read in the admin
        {
            "proj/settings.py": "CELERY_RESULT_BACKEND = 'django-db'\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
            "proj/views.py": "from proj.tasks import f\n\ndef later():\n    f.delay()\n",
        },
    ]
    INVALID = [
        # beat every five minutes: 288 results a day
        {
            "proj/settings.py": "from celery.schedules import crontab\n\nCELERY_RESULT_BACKEND = 'redis://localhost'\n"
            "CELERY_BEAT_SCHEDULE = {'f': {'task': 'proj.tasks.f', 'schedule': crontab(minute='*/5')}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
        },
        # a view any signed-in user reaches: sent all day
        {
            "proj/settings.py": "CELERY_RESULT_BACKEND = 'redis://localhost'\n"
            "CELERY_BEAT_SCHEDULE = {'f': {'task': 'proj.tasks.f', 'schedule': 86400}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
            "proj/api.py": "from rest_framework.permissions import IsAdminUser, IsAuthenticated\n"
            "from rest_framework.views import APIView\nfrom proj.tasks import f\n\nclass CacheView(APIView):\n"
            "    permission_classes = (IsAdminUser | IsAuthenticated,)\n\n    def post(self, request):\n        f.delay()\n",
        },
        # its own id only in a log line
        _APP + "@app.task(bind=True)\ndef f(self):\n    logger.info('running %s', self.request.id)\n" + _SEND,
        # beat sends it once a day, and every run sends it again: it runs all the time
        {
            "proj/settings.py": "CELERY_RESULT_BACKEND = 'redis://localhost'\n"
            "CELERY_BEAT_SCHEDULE = {'f': {'task': 'proj.tasks.f', 'schedule': 86400}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    if g():\n"
            "        f.apply_async(countdown=600)\n",
        },
        _APP + "@app.task\ndef f():\n    g()\n" + _SEND,
        {
            "proj/settings.py": "CELERY_RESULT_BACKEND = 'redis://localhost'\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f(x):\n"
            "    if not x:\n        return None\n    g(x)\n    return\n",
            "proj/views.py": "from proj.tasks import f\n\ndef later(x):\n    f.s(x).apply_async(countdown=5)\n",
        },
        {
            "proj/settings.py": "import os\n"
            "CELERY_RESULT_BACKEND = os.environ.get('CELERY_RESULT_BACKEND', 'redis://localhost')\n"
            "CELERY_BEAT_SCHEDULE = {'f': {'task': 'proj.tasks.f', 'schedule': 60}}\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n",
        },
        # a command that sends once per record: a result each
        {
            "proj/settings.py": "CELERY_RESULT_BACKEND = 'redis://localhost'\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef f(pk):\n    g(pk)\n",
            "proj/cli.py": "import click\nfrom proj.tasks import f\n\n@click.command()\ndef sync():\n"
            "    for pk in ids():\n        f.delay(pk)\n",
        },
    ]

    @classmethod
    def revise(cls, finding: Finding, project: ProjectContext) -> Finding | None:
        if not project.config.result_backend() or project.config.is_set("task_ignore_result"):
            return None  # no backend, or results kept (or not) by the project's own choice
        if _browsed_backend(project):
            return None  # django-celery-results: results kept to be read in the admin
        task = next((t for t in project.tasks if t.key == finding.task_key), None)
        if task is None or not _result_never_read(task, project) or project.rarely_sent(task):
            return None
        return finding

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.run is None or not task.options_complete or task.is_set("ignore_result"):
            return
        if body.returns_value(task.run) or _uses_result_backend(task) or body.does_nothing(task.run):
            return  # (a ``pass`` stub: its result is not what matters)
        yield Report(
            task.anchor,
            "the task returns nothing and every send drops its result, yet the backend stores it: "
            "set `ignore_result=True`",
            task,
        )


def _result_never_read(task: TaskSummary, project: ProjectContext) -> bool:
    """The task is sent, and every send drops its AsyncResult; no canvas, no ``send_task``."""
    sends = project.sends(task)
    named = project.named_by(task)
    if "send_task" in named or any(site.canvas or site.result_used for site in sends):
        return False
    return bool(sends) or "beat" in named


# django-celery-results' backends: the project installed it to browse task results in the admin.
_BROWSED = frozenset({"django-db", "django-cache"})


def _browsed_backend(project: ProjectContext) -> bool:
    """django-celery-results' backends, a backend class the project names by its path
    (``"share.celery:CeleryDatabaseBackend"``), or a name Celery does not know, which a package
    registers as an entry point (``"processtask"``): results kept where the project reads them."""
    return any(
        value in _BROWSED or (isinstance(value, str) and (_class_path(value) or _entry_point(value)))
        for fact in project.config.facts("result_backend")
        for value in (fact.value, fact.literal)
    )


_ALIAS = re.compile(r"[A-Za-z][\w-]*")


def _entry_point(value: str) -> bool:
    """A backend name (or URL scheme, before any ``+``) that is not one of Celery's aliases:
    Celery looks it up among the ``celery.result_backends`` entry points of installed packages."""
    scheme = value.partition("://")[0] if "://" in value else value
    name = scheme.partition("+")[0].lower()
    return bool(_ALIAS.fullmatch(name)) and name not in backend_aliases() and name not in _BROWSED


def _class_path(value: str) -> bool:
    """``"pkg.module:Class"`` or ``"pkg.module.Class"``, not a URL or a scheme alias."""
    if "://" in value or "+" in value:
        return False
    module, colon, name = value.rpartition(":")
    if not colon:
        module, _, name = value.rpartition(".")
    if not module or module.split(".")[0] == "celery":
        return False  # Celery's own backends, named by their class
    return name[:1].isupper() and all(p.isidentifier() for p in module.split("."))


def _uses_result_backend(task: TaskDef) -> bool:
    """The body reports progress through the result backend (``self.update_state``), or hands
    its own id on (``Job.objects.create(task_id=self.request.id)``): pollers look its state up
    by that id (``AsyncResult(job.task_id).status``)."""
    if task.run is None:
        return False
    if _hands_own_id(task.run):
        return True
    receiver = task.self_name
    if receiver is None:
        return False
    return any(
        body.method_call(call, receiver, "update_state") or body.method_call(call, receiver, "replace")
        for call in body.calls(task.run.body)
    )


def _hands_own_id(run: cst.FunctionDef) -> bool:
    """``<x>.request.id`` is read outside log lines (a log line that names it keeps nothing)."""
    for node, ancestors in body.walk(run.body):
        if (
            isinstance(node, cst.Attribute)
            and node.attr.value == "id"
            and isinstance(node.value, cst.Attribute)
            and node.value.attr.value == "request"
            and not any(isinstance(a, cst.Call) and body.is_logging_call(a) for a in ancestors)
        ):
            return True
    return False
