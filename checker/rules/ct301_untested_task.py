from __future__ import annotations

from collections.abc import Iterator

from checker.facts import Location
from checker.loggers import call_graph
from checker.model import Section, Severity, TaskSummary
from checker.project import ImportAliases, ProjectContext, task_names
from checker.rules.base import ProjectReport, Rule
from checker.testrefs import GRAPHQL, REACH_DEPTH, URL, VIEW_MODULES, VIEW_SUFFIXES

# What several examples below share: a task, a model whose signals enqueue it, eager test
# settings and a test that builds the model.
_SEND_RECEIPT = "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n    work()\n"
_ORDER_MODEL = "from django.db import models\n\nclass Order(models.Model):\n    pass\n"
_EAGER_SETTINGS = "CELERY_TASK_ALWAYS_EAGER = True\n"
_ORDER_TEST = "from shop.models import Order\n\ndef test_order():\n    Order.objects.create()\n"


# A function the tests run through a management command (CT301's thin-wrapper examples).
_SWEEP_AND_ITS_COMMAND = {
    "shop/sweep.py": '"""The sweep the daily task and the command run."""\n\ndef sweep(apply, write=print):\n'
    "    return {'deleted': purge(apply)}\n",
    "shop/management/__init__.py": "",
    "shop/management/commands/__init__.py": "",
    "shop/management/commands/sweep_orphans.py": '"""Run the sweep task\'s work by hand."""\n'
    "from django.core.management.base import BaseCommand\nfrom shop.sweep import sweep\n\n"
    "class Command(BaseCommand):\n    def handle(self, *args, **options):\n"
    "        sweep(apply=options['apply'], write=self.stdout.write)\n",
    "tests/test_commands.py": "from django.core.management import call_command\n\ndef test_it():\n"
    "    call_command('sweep_orphans', apply=True)\n",
}


class UntestedTask(Rule):
    """
    ## What it does
    Checks that some test file refers to each task: imports it (also through a module that
    re-exports it), reaches it as an attribute of its module, names it in a string (its
    registered name, or a `mock.patch` target through any module that holds it), or patches it
    with `patch.object`. Test files are found with the `test-paths` globs.

    A test refers to a task when it:
    - imports it (`from shop.tasks import send_receipt`), also through a module that re-exports
      it (`from shop.tasks import send_receipt` when `shop/tasks/__init__.py` does
      `from .mail import send_receipt`, or `from .mail import *`), or imports its module with
      `from shop.tasks import *` and then uses its name;
    - reaches it as an attribute of its module (`tasks.send_receipt.delay`, after
      `from shop import tasks` or `import shop.tasks`), or of its class for a task defined in
      a class body (`cache.Populator.populate(pk)`);
    - names it in a string: its registered name (`"shop.refund"`, `"billing:charge"`), or a
      `mock.patch` target through any module that holds it (`"shop.views.send_receipt.delay"`
      when `shop/views.py` does `from shop.tasks import send_receipt`);
    - patches it as an attribute: `mock.patch.object(views, "send_receipt")`,
      `monkeypatch.setattr(tasks, "send_receipt", ...)`.

    The `test-paths` globs are by default `test_*.py`, `*_test.py`, `tests.py` (Django's
    convention), `tests/**/*.py` and `conftest.py`, matched anywhere in the tree. A test file the running Python
    cannot parse (newer syntax such as Python 3.14's `except A, B:`, or Python 2 code) is still
    read, token by token: its imports, names and strings count the same (a note says which
    files).

    A task also counts as tested when code a test refers to runs it inline
    (`send_receipt(order.pk)`, `send_receipt.apply(...)`), at most three calls away (test ->
    view -> helper -> task). The code a test refers to is a function it names, or a method of a
    class it names that the same test file uses as an attribute (`view.post(...)`,
    `exporter.run()`), or its `__init__`. From there the rule follows calls of project
    functions, `self.method()`, and methods of objects the code builds
    (`sender = Sender(); sender.send()`). A task so run runs, in turn, what its own body runs
    inline, however deep it was reached: task-to-task hops add no depth.

    When the tests run tasks eagerly, every task the project's own code sends (`.delay`,
    `.apply_async`, also on a task class, whose methods Celery 3's `celery.task.Task` makes
    class methods: `DeliverHook.apply_async(...)`, a signature in a chain, group or chord, also in a lambda such as
    `transaction.on_commit(lambda: send_receipt.delay(pk))`, a canvas of it: `.chunks`, `.map`,
    `.starmap`), hands to a call (the project's own dispatch helper: `dispatch(send_receipt,
    pk)`), binds to a name (`task = tasks.send_receipt`, then `task.delay(pk)`) or keeps in a
    dict, list, tuple or set bound to a name (`exporters = {"csv": export_csv}`, then
    `exporters[kind].apply_async(...)`) or names by its registered name in a string outside its
    own module (a workflow table, `ProcessTask(name="shop.tasks.send_receipt").run()`: a send
    by name), is not reported: the tests run it
    whenever they run its sender, and they reach senders by paths a static reading cannot
    follow (signals, middleware, methods attached at run time, objects returned by helpers,
    views reached by URL). In such a project the rule reports the tasks that only beat entries,
    routes or `send_task` name, and those nothing names. The message says which. A task that
    no code outside tests sends, hands on, schedules, names (in a string or a comment of another
    module, settings included), calls or imports from another module is said to be so, eager
    tests or not ("nothing in the project's code sends it, schedules it or names it"); when the
    project keeps no beat entries outside its code (no django-celery-beat, django-celery or
    RedBeat scheduler), the message adds that, unless its configuration or another service sends
    it, it may be dead code to delete. The tests run tasks eagerly when
    `task_always_eager` (`CELERY_TASK_ALWAYS_EAGER`, `CELERY_ALWAYS_EAGER`) is set to `True` in
    test code (a test settings module such as `settings/test.py` or `tests/settings.py`, the
    settings module pytest-django's `DJANGO_SETTINGS_MODULE` option (or `--ds=...` in its
    `addopts`, also in the pytest configuration of a project one directory down) or the CI (a
    GitHub or GitLab workflow's environment, tox's `setenv`) selects, or a module such a
    settings module star-imports (`from .dev import *`), a
    `conftest.py`, `@override_settings(CELERY_TASK_ALWAYS_EAGER=True)`, a pytest plugin whose
    fixtures do it (pytest-invenio, named in the project's dependencies),
    `app.conf.task_always_eager = True`, a `celery_config` fixture returning it), or a
    pytest-celery worker fixture (`celery_worker`, `celery_session_worker`) is used; or when a
    settings module sets it to a value the analyser cannot know (under `if DEVELOPMENT:`, read
    from the environment or from a settings object, `env.celery_task_always_eager`): a development switch the tests may well run under. A literal `True`
    in a production settings module does not count (CT302 reports it), and test settings never
    count for the other rules.

    The code a test names also includes:
    - the task's module under the name it has below a directory the project puts on
      `sys.path` (`sys.path.insert(0, os.path.join(BASE_DIR, "apps"))` in the settings: a test's
      `from billing.tasks import charge` refers to `proj.apps.billing.tasks.charge`, and so
      does a beat entry, route or `send_task` naming `billing.tasks.charge`: Django imports the
      app, and the worker registers the task, by that name);
    - a Django management command it runs by name (`call_command("rebuild_index")`), and the
      signal receivers of a model it builds (`@receiver(post_save, sender=Order)`,
      `post_save.connect(handler, sender=Order)`, also `connect(receiver=handler, ...)`), and
      what code it reaches defers to run later (`transaction.on_commit(partial(index, doc))`,
      `on_commit(index)`: `index` runs);
    - a GraphQL mutation or type it names in a GraphQL document it sends
      (`mutation { requestReceipt(order: 1) { ... } }` names graphene's
      `RequestReceipt.Field()`): every method of that class;
    - a view it reaches by URL name (`reverse("orders-resend-receipt")`): a ViewSet's custom
      action (`resend_receipt`, DRF's `<basename>-<action>`), a function of that name in a
      `views`/`api` module, or a class view named after it (`pay` -> `PayView`). The router's
      basename is not read: a ViewSet counts when its module or class name holds the last word
      of the URL name before the action (`orders` -> `shop.api.OrderViewSet`). The standard routes
      (`-list`, `-detail`) are followed only when exactly one ViewSet is so named: every ViewSet
      has them.

    Not reported either:
    - a task whose whole body is one call of code a test names (besides log lines; its value
      may be bound to a name that is only logged and returned, `total = sync(); log.info("%s",
      total)`; also inside a `with` block that sets up context, such as audit or tracing context; an alias that runs
      another task inline, `other_task.apply(args=[pk])`, calls that task): `return
      QuestionVisits.reload_from_analytics()` when a test calls
      `QuestionVisits.reload_from_analytics`, or `call_command("flush_tokens")` (the command
      alone, without options) when a test runs that command: the task is a thin wrapper and
      its work is tested. So is a task whose one call is one the code a test reaches makes too
      (`sweep(apply=True)`, which a management command the tests run calls), and an `if` on the
      call's value whose body only logs counts as a log line;
    - a task that is never sent (no `.delay`, signature, beat entry, route) and that a task the
      project does send calls inline: a helper that carries the decorator; the finding of the
      task calling it (or that task's test) covers it;
    - a task defined inside a function (a callback made when the function runs): no worker
      registers it at import;
    - a task in a `migrations` package (`shop/migrations/tasks/backfill_3_22.py`): a one-off
      data backfill a migration sends once;
    - a bound task whose body does nothing but log or print its own request (Celery's
      `debug_task` example, `print(f"Request: {self.request!r}")`) or hand a message to an error
      reporter (`captureMessage(msg)`) or touch a heartbeat file (`Path(settings.HEALTH_FILE).touch()`,
      `os.utime(path)`: a worker liveness ping, which the probe that sends it exercises), or a stub whose body is only `pass`, `...`, a docstring
      or a bare `return` (kept so that queued messages still find a task, or its code removed or
      switched off by a first `return`), a crash test whose body only raises (`raise Exception("boom")`, `1 / 0`; also
      after a log line of fixed text, or only when a parameter asks: `if raises: raise ...`), or a
      task that only computes over its arguments with operators and pure builtins (Celery's
      `add(x, y)`): there is nothing in it worth a test of its own.

    Not followed: URLs written out (`client.get("/orders/1/")`), `if` branches (a task
    enqueued only under a setting the tests turn off still counts), and calls through objects
    the analyser cannot name. Name the task in a test when a finding is about such a task.

    ## Why is this bad?
    A task runs far from the code that queues it, often at night, with arguments that went
    through JSON. Nobody notices it is broken until its side effect is missing. Even a test that
    calls it eagerly once catches the import errors, signature mismatches and typos that
    otherwise reach production.

    ## Example
    ```python
    # shop/tasks.py
    @shared_task
    def send_receipt(order_id): ...
    # (no test mentions send_receipt)
    ```

    ## Use instead
    ```python
    # tests/test_tasks.py
    from shop.tasks import send_receipt

    def test_send_receipt(order):
        send_receipt.apply(args=(order.pk,))
    ```
    or, with eager tests (`CELERY_TASK_ALWAYS_EAGER = True` in the test settings), test the
    code that enqueues it:
    ```python
    # tests/test_views.py
    from shop.views import pay  # pay() calls send_receipt.delay(order.pk)

    def test_pay(order, mailoutbox):
        pay(order)
        assert len(mailoutbox) == 1
    ```
    """

    code = "CT301"
    name = "untested-task"
    section = Section.TESTED
    severity = Severity.WARNING
    checklist = "Has a test"
    VALID = [
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    pass\n",
            "tests/test_receipts.py": "from shop.tasks import send_receipt\n\ndef test_it():\n"
            "    send_receipt.apply(args=(1,))\n",
        },
        # Celery's ``add``: arithmetic over its arguments, nothing worth a test of its own
        "from celery import shared_task\n\n@shared_task\ndef add(x, y):\n    return x + y\n",
        # a crash test for error reporting: nothing to test
        "from celery import shared_task\n\n@shared_task\ndef crash():\n"
        '    """Raise, to see that errors reach Sentry."""\n    raise Exception(\'boom\')\n',
        # a callback made inside a function, when it runs
        "from proj.celery import app\n\ndef run(event):\n    @app.task\n    def on_error(request, exc, tb):\n"
        "        event.status = 'FAILED'\n        event.save()\n\n    start(event)\n",
        # a queue check: logs, and raises only when asked to
        "import logging\nfrom celery import shared_task\n\nlog = logging.getLogger(__name__)\n\n"
        "@shared_task\ndef queue_check(raises=False):\n    log.info('queue served')\n    if raises:\n"
        "        raise Exception('asked to fail')\n",
        # switched off by a first ``return``, its code kept below: nothing runs, nothing to test
        "from celery import shared_task\n\n@shared_task\ndef sitemaps():\n    return\n\n"
        "    for page in pages():\n        upload(page)\n",
        # a stub kept so that queued messages still find a task: nothing to test
        "from celery import shared_task\n\n@shared_task\ndef old_name(order_id):\n"
        '    """Removed: kept until the queues hold no message for it."""\n',
        # a bare ``pass``: its code was removed (or another service runs it)
        "from celery import shared_task\n\n@shared_task(name='letters.create')\ndef create(letter_id):\n"
        "    pass\n",
        # a worker liveness ping: it touches a heartbeat file the probe reads back
        "from pathlib import Path\nfrom celery import shared_task\nfrom django.conf import settings\n\n"
        "@shared_task(bind=True, ignore_result=True)\ndef worker_health_check(self):\n"
        "    Path(settings.WORKER_HEALTH_FILENAME).touch()\n    log.debug('pinged')\n",
        # Celery's ``debug_task``: it only prints (or logs) what it got
        "from celery import shared_task\n\n@shared_task(bind=True, ignore_result=True)\ndef debug_task(self):\n"
        "    print(f'Request: {self.request!r}')\n",
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    pass\n\n@shared_task(name='shop.refund')\ndef refund(order_id):\n    pass\n",
            "shop/test_views.py": "from unittest import mock\nfrom shop import tasks\n\ndef test_it():\n"
            "    tasks.send_receipt.delay(1)\n"
            "    with mock.patch('shop.views.call') as call:\n        call('shop.refund')\n",
        },
        # Django's per-app ``tests.py`` is a test file
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    pass\n",
            "shop/tests.py": "from shop.tasks import send_receipt\n\ndef test_it():\n    send_receipt(1)\n",
        },
        # a mock.patch target through a module that imports the task
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    pass\n",
            "shop/views.py": "from shop.tasks import send_receipt\n\ndef pay(order):\n"
            "    send_receipt.delay(order.pk)\n",
            "tests/test_views.py": "from unittest import mock\n\n"
            "@mock.patch('shop.views.send_receipt.delay')\ndef test_pay(delay):\n    pass\n",
        },
        # imported from the package that re-exports it
        {
            "shop/tasks/__init__.py": "from .mail import send_receipt\n",
            "shop/tasks/mail.py": "from celery import shared_task\n\n@shared_task\n"
            "def send_receipt(order_id):\n    pass\n",
            "tests/test_mail.py": "from shop.tasks import send_receipt\n",
        },
        # a test file in Python 2 (or newer syntax than the running Python's) is still read
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    pass\n",
            "tests/test_tasks.py": "from shop.tasks import send_receipt\n\ndef test_it():\n"
            "    print 'sending'\n    send_receipt(1)\n",
        },
        # the tests run tasks eagerly and the project's code sends it (whether or not a test
        # reaches that code by a path the rule can follow)
        {
            "shop/tasks.py": _SEND_RECEIPT,
            "shop/views.py": "from shop.tasks import send_receipt\n\ndef pay(order):\n"
            "    send_receipt.delay(order.pk)\n",
            "shop/settings/test.py": _EAGER_SETTINGS,
        },
        # eager under a development switch of the settings, which the tests may run under
        {
            "shop/tasks.py": _SEND_RECEIPT,
            "shop/views.py": "from shop.tasks import send_receipt\n\ndef pay(order):\n"
            "    send_receipt.delay(order.pk)\n",
            "shop/settings.py": "import os\n\nDEVELOPMENT = os.environ.get('DEVELOPMENT', '1') == '1'\n"
            "if DEVELOPMENT:\n    CELERY_TASK_ALWAYS_EAGER = True\n",
        },
        # the settings put ``apps/`` on ``sys.path``: the test imports the module from there
        {
            "proj/__init__.py": "",
            "proj/settings.py": "import os\nimport sys\n\nBASE = os.path.dirname(__file__)\n"
            "sys.path.insert(0, os.path.join(BASE, 'apps'))\nCELERY_BROKER_URL = 'redis://'\n",
            "proj/apps/__init__.py": "",
            "proj/apps/billing/__init__.py": "",
            "proj/apps/billing/tasks.py": "from celery import shared_task\n\n@shared_task\ndef charge(pk):\n"
            "    bill(pk)\n",
            "proj/apps/billing/tests/test_tasks.py": "from billing.tasks import charge\n\ndef test_charge():\n"
            "    charge(1)\n",
        },
        # eager as a settings model says, its default unknown here
        {
            "shop/tasks.py": _SEND_RECEIPT,
            "shop/views.py": "from shop.tasks import send_receipt\n\ndef pay(order):\n"
            "    send_receipt.delay(order.pk)\n",
            "shop/settings.py": "from shop.env import env\n\nCELERY_TASK_ALWAYS_EAGER = env.celery_task_always_eager\n",
        },
        # handed to the project's own dispatch helper, which sends what it is given
        {
            "shop/tasks.py": _SEND_RECEIPT,
            "shop/dispatch.py": "def dispatch(task, *args):\n    return task.si(*args).apply_async()\n",
            "shop/views.py": "from shop.dispatch import dispatch\nfrom shop.tasks import send_receipt\n\n"
            "def pay(order):\n    dispatch(send_receipt, order.pk)\n",
            "shop/settings/test.py": _EAGER_SETTINGS,
        },
        # kept in an annotated dispatch table of its own module, sent as a signature in a group
        {
            "shop/tasks.py": "from typing import Any\nfrom celery import group, shared_task\n\n"
            "@shared_task\ndef send_receipt(order_id):\n    work()\n\n"
            "def notify(channel, ids):\n    group(_tasks[channel].s(i) for i in ids).apply_async()\n\n"
            "_tasks: dict[str, Any] = {'email': send_receipt}\n",
            "shop/settings/test.py": _EAGER_SETTINGS,
        },
        # named by its registered name in a workflow table the project's code sends by name
        {
            "shop/tasks.py": _SEND_RECEIPT,
            "shop/views.py": "from shop.workflow import run_steps\n\ndef pay(order):\n"
            "    run_steps([{'name': 'shop.tasks.send_receipt', 'args': [order.pk]}])\n",
            "shop/settings/test.py": _EAGER_SETTINGS,
        },
        # a task defined in a class body, reached by the test through its class
        {
            "shop/cache.py": "from proj.celery import app\n\nclass Populator:\n    @staticmethod\n"
            "    @app.task\n    def populate(pk):\n        work(pk)\n",
            "tests/test_cache.py": "from shop import cache\n\ndef test_it():\n    cache.Populator.populate(1)\n",
        },
        # a task class sent through the class (Celery 3's `celery.task.Task`: class methods)
        {
            "shop/tasks.py": "from celery.task import Task\n\nclass DeliverHook(Task):\n"
            "    def run(self, target):\n        post(target)\n\n"
            "def deliver(target):\n    DeliverHook.apply_async(kwargs={'target': target})\n",
            "shop/settings/test.py": _EAGER_SETTINGS,
        },
        # kept in a dispatch table the project's code sends from
        {
            "shop/__init__.py": "",
            "shop/tasks.py": _SEND_RECEIPT,
            "shop/exports.py": "from shop.tasks import send_receipt\n\n"
            "SENDERS = {'receipt': send_receipt}\n\n"
            "def send(kind, pk):\n    return SENDERS[kind].delay(pk)\n",
            "shop/settings/test.py": _EAGER_SETTINGS,
        },
        # a send in a lambda run once the transaction commits counts too
        # a receiver of a model the test builds defers a function that runs the task inline
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef index(doc_id):\n"
            "    search.push(doc_id)\n",
            "shop/signals.py": "from functools import partial\nfrom django.db import transaction\n"
            "from django.db.models.signals import post_save\nfrom django.dispatch import receiver\n"
            "from shop.models import Doc\nfrom shop.tasks import index\n\n"
            "def reindex(doc):\n    index.apply(args=[doc.pk])\n\n"
            "@receiver(post_save, sender=Doc)\ndef saved(sender, instance, **kwargs):\n"
            "    transaction.on_commit(partial(reindex, instance))\n",
            "tests/test_docs.py": "from shop.models import Doc\n\ndef test_save():\n    Doc().save()\n",
        },
        {
            "shop/tasks.py": _SEND_RECEIPT,
            "shop/services.py": "from django.db import transaction\nfrom shop.tasks import send_receipt\n\n"
            "def pay(order):\n    transaction.on_commit(lambda: send_receipt.delay(order.pk))\n",
            "shop/settings/test.py": _EAGER_SETTINGS,
        },
        # run by a signal receiver of a model the tests build
        {
            "shop/tasks.py": _SEND_RECEIPT,
            "shop/models.py": _ORDER_MODEL,
            "shop/signals.py": "from django.db.models.signals import post_save\nfrom django.dispatch import receiver\n"
            "from shop.models import Order\nfrom shop.tasks import send_receipt\n\n"
            "@receiver(post_save, sender=Order)\ndef on_order(sender, instance, **kwargs):\n"
            "    send_receipt(instance.pk)\n",
            "tests/test_orders.py": _ORDER_TEST,
        },
        # run by a receiver connected by a call (``post_save.connect(handler, sender=...)``)
        {
            "shop/tasks.py": _SEND_RECEIPT,
            "shop/models.py": _ORDER_MODEL,
            "shop/signals.py": "from django.db.models.signals import post_save\nfrom shop.models import Order\n\n"
            "def on_order(sender, instance, **kwargs):\n    from shop.tasks import send_receipt\n"
            "    send_receipt(instance.pk)\n\n"
            "def register():\n    post_save.connect(on_order, sender=Order)\n",
            "tests/test_orders.py": _ORDER_TEST,
        },
        # connected with ``connect(receiver=...)`` inside a method
        {
            "shop/tasks.py": _SEND_RECEIPT,
            "shop/models.py": _ORDER_MODEL,
            "shop/indexing.py": "from django.db.models.signals import post_save\nfrom shop.models import Order\n"
            "from shop.tasks import send_receipt\n\ndef handler(sender, instance, **kwargs):\n"
            "    send_receipt(instance.pk)\n\nclass Setup:\n    def connect(self):\n"
            "        post_save.connect(receiver=handler, sender=Order)\n",
            "tests/test_orders.py": _ORDER_TEST,
        },
        # a receiver registered by the project's own decorator, given the sender second
        {
            "shop/tasks.py": _SEND_RECEIPT,
            "shop/models.py": _ORDER_MODEL,
            "shop/signals.py": "from django.db.models.signals import post_save\nfrom shop.models import Order\n"
            "from shop.tasks import send_receipt\nfrom shop.utils import index_receiver\n\n"
            "@index_receiver(post_save, Order)\ndef on_order(instance, **kwargs):\n"
            "    send_receipt(instance.pk)\n",
            "tests/test_orders.py": _ORDER_TEST,
        },
        # a thin wrapper around a method a test calls, and one around a command a test runs
        {
            "shop/tasks.py": "from celery import shared_task\nfrom django.core.management import call_command\n"
            "from shop.models import Visits\n\n@shared_task\ndef reload_visits():\n"
            '    """Reload."""\n    return Visits.reload_from_analytics(verbose=False)\n\n'
            "@shared_task\ndef flush():\n    call_command('flush_tokens')\n",
            "tests/test_models.py": "from django.core.management import call_command\nfrom shop.models import Visits\n\n"
            "def test_reload():\n    Visits.reload_from_analytics()\n\n"
            "def test_flush():\n    call_command('flush_tokens')\n",
        },
        # an alias under an old name that runs a tested task inline, and a wrapper that logs
        # before the call a test makes
        {
            "shop/__init__.py": "",
            "shop/services.py": "def purge_duplicates():\n    pass\n",
            "shop/tasks.py": "import logging\n\nfrom celery import shared_task\n"
            "from shop.services import purge_duplicates\n\nlog = logging.getLogger(__name__)\n\n"
            "@shared_task\ndef sync(pk):\n    pass\n\n"
            "@shared_task(name='shop.tasks.sync_article')\ndef sync_article(pk):\n"
            "    sync.apply(args=[pk], throw=True)\n\n"
            "@shared_task\ndef purge():\n    log.info('purging')\n    return purge_duplicates()\n",
            "tests/test_tasks.py": "from shop.services import purge_duplicates\nfrom shop.tasks import sync\n\n"
            "def test_it():\n    sync(1)\n    purge_duplicates()\n",
        },
        # a thin wrapper whose call's value is only logged (and returned)
        {
            "shop/services.py": "def purge_duplicates():\n    return 0\n",
            "shop/tasks.py": "from celery import shared_task\nfrom shop.services import purge_duplicates\n\n"
            "@shared_task\ndef purge():\n    logger.info('purging')\n    total = purge_duplicates()\n"
            "    logger.info('%s purged', total)\n    return total\n",
            "tests/test_services.py": "from shop.services import purge_duplicates\n\ndef test_it():\n"
            "    purge_duplicates()\n",
        },
        # a thin wrapper that only sets up context around the call a test makes
        {
            "shop/services.py": "def purge_duplicates():\n    pass\n",
            "shop/tasks.py": "from celery import shared_task\nfrom shop.audit import context\n"
            "from shop.services import purge_duplicates\n\n@shared_task\ndef purge():\n"
            "    with context(source='beat'):\n        purge_duplicates()\n",
            "tests/test_services.py": "from shop.services import purge_duplicates\n\ndef test_it():\n"
            "    purge_duplicates()\n",
        },
        # a thin wrapper importing its handler locally and calling it on a new instance
        {
            "shop/handler.py": "class CoreHandler:\n    def sync_templates(self, force=False):\n        pass\n",
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef sync_templates_task():\n"
            "    from shop.handler import CoreHandler\n\n    CoreHandler().sync_templates()\n",
            "tests/test_handler.py": "from shop.handler import CoreHandler\n\ndef test_sync():\n"
            "    CoreHandler().sync_templates(force=True)\n",
        },
        # a one-off backfill in a migrations package
        {
            "shop/migrations/__init__.py": "",
            "shop/migrations/tasks/__init__.py": "",
            "shop/migrations/tasks/backfill.py": "from celery import shared_task\n\n@shared_task\n"
            "def fill_numbers():\n    pass\n",
        },
        # called inline by a helper of the code a test calls (eager or not)
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    pass\n",
            "shop/views.py": "from shop.tasks import send_receipt\n\nclass Checkout:\n"
            "    def pay(self, order):\n        self.notify(order)\n\n"
            "    def notify(self, order):\n        send_receipt(order.pk)\n",
            "tests/test_views.py": "from shop.views import Checkout\n\ndef test_pay(order):\n"
            "    Checkout().pay(order)\n",
        },
        # a thin wrapper around a function that a command the tests run calls too (the check of
        # its result only logs)
        {
            **_SWEEP_AND_ITS_COMMAND,
            "shop/tasks.py": "from celery import shared_task\nfrom shop.sweep import sweep\n\n@shared_task\n"
            "def sweep_storage():\n    result = sweep(apply=True, write=lambda m: log.info(m))\n"
            "    if result['deleted']:\n        log.warning('deleted %d', result['deleted'])\n",
        },
        # run through a management command the test calls by name
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef rebuild(ids):\n    pass\n",
            "shop/management/__init__.py": "",
            "shop/management/commands/__init__.py": "",
            "shop/management/commands/rebuild_index.py": "from django.core.management.base import BaseCommand\n"
            "from shop.tasks import rebuild\n\nclass Command(BaseCommand):\n"
            "    def handle(self, *args, **options):\n        rebuild([1])\n",
            "tests/test_commands.py": "from django.core.management import call_command\n\ndef test_it():\n"
            "    call_command('rebuild_index')\n",
        },
        # run through a GraphQL mutation a test sends: graphene's field
        # ``requestReceipt`` is ``RequestReceipt.Field()``
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    pass\n",
            "shop/graphql/mutations.py": "from shop.tasks import send_receipt\n\nclass RequestReceipt:\n"
            "    @classmethod\n    def perform_mutation(cls, root, info, **data):\n"
            "        send_receipt(data['order'])\n",
            "tests/test_mutations.py": 'MUTATION = """\nmutation Request($order: ID!) {\n'
            '  requestReceipt(order: $order) { errors { field } }\n}\n"""\n\n'
            "def test_it(api_client):\n    api_client.post_graphql(MUTATION, {'order': 1})\n",
        },
        # run through a DRF ViewSet action a test reaches by its URL name
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    pass\n",
            "shop/api.py": "from shop.tasks import send_receipt\n\nclass OrderViewSet:\n"
            "    def resend_receipt(self, request, pk=None):\n        send_receipt(pk)\n",
            "tests/test_api.py": "from django.urls import reverse\n\ndef test_resend(client):\n"
            "    client.post(reverse('orders-resend-receipt', args=[1]))\n",
        },
        # run inline by a task the tested code runs (task -> task adds no depth)
        {
            "shop/tasks.py": "from celery import chord, shared_task\n\n@shared_task\ndef page(n):\n    pass\n\n"
            "@shared_task\ndef done(results):\n    pass\n\n@shared_task\ndef document(pages):\n"
            "    done([page(n) for n in range(pages)])\n",
            "shop/views.py": "from shop.tasks import document\n\ndef a(x):\n    b(x)\n\ndef b(x):\n    c(x)\n\n"
            "def c(x):\n    d(x)\n\ndef d(x):\n    document(x)\n",
            "tests/test_views.py": "from shop.views import a\n\ndef test_a():\n    a(2)\n",
        },
        # the standard route of the one ViewSet the URL name's basename names
        {
            "shop/tasks.py": _SEND_RECEIPT,
            "shop/api.py": "from shop.tasks import send_receipt\n\nclass ExporterViewSet:\n"
            "    def retrieve(self, request, pk=None):\n        send_receipt(pk)\n",
            "tests/test_api.py": "from django.urls import reverse\n\ndef test_export(client):\n"
            "    client.get(reverse('exporter-detail', args=[1]))\n",
        },
    ]
    INVALID = [
        # a wrapper of a library call that code the tests run makes too: the task's own work
        # (its URL, its arguments) is not that code's
        {
            "shop/tasks.py": "import requests\nfrom celery import shared_task\n\n@shared_task\n"
            "def ping():\n    return requests.post('https://status.example/ping')\n",
            "shop/views.py": '"""Views that send no task."""\nimport requests\n\ndef notify():\n'
            "    requests.post('https://hooks.example/notify')\n",
            "tests/test_views.py": "from shop.views import notify\n\ndef test_notify():\n"
            "    assert notify() != 'ping'\n",
        },
        # the check of the call's value does work of its own (no test runs it)
        {
            **_SWEEP_AND_ITS_COMMAND,
            "shop/tasks.py": "from celery import shared_task\nfrom shop.sweep import sweep\n\n@shared_task\n"
            "def sweep_storage():\n    result = sweep(apply=True)\n"
            "    if result['deleted']:\n        notify_admins(result)\n",
        },
        # it logs its request, but also what it computes: work done by the task
        "import logging\n\nfrom celery import shared_task\n\nlogger = logging.getLogger(__name__)\n\n"
        "@shared_task(bind=True)\ndef report_total(self, order_id):\n"
        "    logger.info('%r: %s', self.request, compute_total(order_id))\n",
        # a command run with options: a test running the command otherwise need not reach them
        {
            "shop/tasks.py": "from celery import shared_task\nfrom django.core.management import call_command\n\n"
            "@shared_task\ndef import_data(source):\n    call_command('packages', operation='import', source=source)\n",
            "tests/test_packages.py": "from django.core.management import call_command\n\n"
            "def test_export():\n    call_command('packages', operation='export')\n",
        },
        # the same action on a ViewSet the URL name does not name (calling the task inline)
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    work()\n",
            "shop/api.py": "from shop.tasks import send_receipt\n\nclass InvoiceViewSet:\n"
            "    def resend_receipt(self, request, pk=None):\n        send_receipt(pk)\n",
            "tests/test_api.py": "from django.urls import reverse\n\ndef test_resend(client):\n"
            "    client.post(reverse('orders-resend-receipt', args=[1]))\n",
        },
        # a standard route (``-list``) when two ViewSets are so named: which one is meant is not told
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    work()\n",
            "shop/api.py": "from shop.tasks import send_receipt\n\nclass OrderViewSet:\n"
            "    def create(self, request):\n        send_receipt(1)\n\n"
            "class OrderLineViewSet:\n    def create(self, request):\n        self.save_line(request)\n",
            "tests/test_api.py": "from django.urls import reverse\n\ndef test_list(client):\n"
            "    client.post(reverse('orders-list'))\n",
        },
        # eager tests, but only a beat entry names the task: nothing the tests run sends it
        {
            "shop/tasks.py": _SEND_RECEIPT,
            "shop/celery.py": "from celery import Celery\n\napp = Celery('shop')\napp.conf.beat_schedule = {\n"
            "    'receipts': {'task': 'shop.tasks.send_receipt', 'schedule': 60.0},\n}\n",
            "shop/settings/test.py": _EAGER_SETTINGS,
        },
        # enqueued by the code a test calls, but the tests do not run tasks eagerly
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    work()\n",
            "shop/views.py": "from shop.tasks import send_receipt\n\ndef pay(order):\n"
            "    send_receipt.delay(order.pk)\n",
            "shop/settings/dev.py": "CELERY_TASK_ALWAYS_EAGER = True\n",
            "tests/test_views.py": "from shop.views import pay\n\ndef test_pay(order):\n    pay(order)\n",
        },
        "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n    work()\n",
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    work()\n\n@shared_task\ndef send_refund(order_id):\n    work()\n",
            "tests/test_receipts.py": "from shop.tasks import send_receipt\n\ndef test_it():\n"
            "    send_receipt.apply(args=(1,))\n    assert 'send_refund'\n",
        },
        # the patched name belongs to a module that does not hold the task
        {
            "shop/tasks.py": "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n"
            "    work()\n",
            "shop/views.py": "def send_receipt(order):\n    work()\n",
            "tests/test_views.py": "from unittest import mock\n\n"
            "@mock.patch('shop.views.send_receipt')\ndef test_pay(send):\n    work()\n",
        },
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        aliases = project.import_aliases()
        referenced: set[str] = set()
        by_file: list[tuple[set[str], frozenset[str]]] = []
        # test files share most of their references (``pytest``, the project's fixtures)
        prefixes: dict[str, frozenset[str]] = {}
        for facts in project.files:
            if not facts.test_references:
                continue
            names: set[str] = set()
            for reference in facts.test_references:
                known = prefixes.get(reference)
                if known is None:
                    found: set[str] = set()
                    for name in aliases.resolve(reference):
                        found.update(_prefixes(name))
                    known = prefixes[reference] = frozenset(found)
                names |= known
            referenced |= names
            by_file.append((names, facts.test_attributes))
        eager = project.tests_run_eagerly
        reached, called = reached_tasks(project, by_file) if by_file else (set(), set())
        # (a thin wrapper of the project's own code: not ``requests.post(url)``, which code the
        # tests reach may call too)
        heads = {facts.module.partition(".")[0] for facts in project.files if facts.module}
        # the tasks that other tasks, themselves sent somewhere, run inline (``helper(rows)`` in
        # the body of a task the project enqueues)
        by_key = project.task_by_key()
        inline = {
            call.target
            for facts in project.files
            for call in facts.direct_calls
            if not call.forwards and call.caller in by_key and project.is_enqueued(by_key[call.caller])
        }
        for task in project.tasks:
            if project.test_files.matches(task.path) or ".migrations." in f".{task.module}.":
                continue
            if task.nothing_to_test or task.local:
                continue  # Celery's ``debug_task``, a stub, a callback made inside a function
            names = project.import_names(task)
            if (
                names & referenced
                or names & reached
                or _delegates_to_tested(task.delegate, referenced, by_file)
                or (
                    task.delegate.partition(".")[0] in heads and task.delegate in called
                )  # (the tested code's call too)
            ):
                continue
            if names & inline and not project.is_enqueued(task):
                continue  # a helper that carries the decorator: its callers' findings cover it
            if eager and (project.sends(task) or project.handed(task) or project.named_in_code(task)):
                continue  # the tests may reach its sender by paths a static reading cannot follow
            yield ProjectReport(
                Location(task.path, task.line, task.column, task.line, task.column),
                f"no test refers to `{task.name}` (by import, through its module, by name or by a "
                "`mock.patch` target), and no code the tests call runs it" + _why(project, task, eager),
                task,
            )


def _prefixes(name: str) -> Iterator[str]:
    """``a``, ``a.b`` and ``a.b.c`` for ``a.b.c``."""
    end = name.find(".")
    while end != -1:
        yield name[:end]
        end = name.find(".", end + 1)
    yield name


_UNUSED = " (nothing in the project's code sends it, schedules it or names it)"
_DEAD = (
    " (nothing in the project's Python code sends it, schedules it or names it: unless something"
    " else does, its configuration or another service, it may be dead code to delete)"
)

_ROUTED_UNUSED = " (nothing in the project's code sends it or schedules it; only a route names it)"
_ROUTED_DEAD = (
    " (nothing in the project's Python code sends it or schedules it, only a route names it: unless"
    " something else does, its configuration or another service, it may be dead code to delete, with its route)"
)


def _why(project: ProjectContext, task: TaskSummary, eager: bool) -> str:
    kinds = sorted(project.named_by(task))
    names = task_names(task)
    inline = {*names, *(f"{name}.{method}" for name in names for method in _RUNS)}
    called = not inline.isdisjoint(project.called_directly)
    unsent = (
        not set(kinds) - {"route"}  # a route says where a message would go, not that one is sent
        and not called
        and not project.imported_elsewhere(task)
        and not project.sends(task)
        and not project.handed(task)
        and not project.scheduled_by_string(task)
        and not project.sent_by_word(task)  # (a send the analysis did not resolve to the task)
    )
    if unsent and kinds and not project.held_outside_settings(task):
        return _ROUTED_UNUSED if project.stored_schedules else _ROUTED_DEAD
    unused = unsent and not kinds and not project.mentioned_in_code(task)
    if unused:
        # a scheduler that keeps entries in a database may run any task: no "dead code" there
        return _UNUSED if project.stored_schedules else _DEAD
    if not eager:
        return " (no setting or fixture that makes the tests run tasks eagerly was found, so enqueuing does not count)"
    if not kinds:
        if called:
            return " (the project's code only runs it inline, from code no test reaches)"
        return ""  # (imported for a use a static reading may not follow: a dispatch table)
    named = {"beat": "a beat entry", "route": "a route", "send_task": "`send_task`"}
    verb = "names" if len(kinds) == 1 else "name"
    return f" (the project's code never sends it; {' and '.join(named[k] for k in kinds)} {verb} it)"


# Methods that run the task in the caller's process, and those that enqueue (or sign) it.
_RUNS = frozenset({"apply", "run"})
_ENQUEUES = frozenset(
    {"delay", "apply_async", "delay_on_commit", "s", "si", "signature", "subtask", "map", "starmap", "chunks"}
)


def reached_tasks(
    project: ProjectContext, by_file: list[tuple[set[str], frozenset[str]]]
) -> tuple[set[str], set[str]]:
    """The names (see :func:`task_names`) of the tasks that the code the tests name runs inline
    (``send_receipt(pk)``, ``send_receipt.apply()``), at most ``REACH_DEPTH`` calls away. What
    it enqueues runs only under eager tests, where every task the project sends counts as run.

    The code a test names: a module-level function it refers to, or a method of a class it
    refers to whose name the same test file uses as an attribute (``view.post``,
    ``exporter.run``), or ``__init__`` (the test builds one), or the ``handle`` of a Django
    management command whose name it holds as a string (``call_command("rebuild_index")``).
    From there: the functions and tasks it calls, ``self.method()``, the methods of a class it
    builds that it calls by name (``sender = Sender(...)``; ``sender.send()``), and the Django
    signal receivers of a model it builds (``@receiver(post_save, sender=Order)``).

    Also every name that code calls (through the modules' imports), within the same depth: a
    task whose whole body is one call of such a function (``run_sweep(apply=True)``, which a
    tested management command calls too) has its work tested."""
    modules = {facts.module for facts in project.files}
    graph = call_graph(
        (facts.function_calls, facts.signal_receivers) for facts in project.files if not facts.test_references
    )
    methods: dict[str, list[str]] = {}
    for name in graph:
        owner, _, method = name.rpartition(".")
        if owner and owner not in modules:
            methods.setdefault(owner, []).append(method)
    tasks: dict[str, TaskSummary] = {}
    for task in project.tasks:
        for name in task_names(task):
            tasks[name] = task
    # Django management commands, which tests run by name: ``call_command("rebuild_index")``
    commands: dict[str, str] = {}
    for name in graph:
        head, marker, tail = name.partition(".management.commands.")
        if marker and head and tail.endswith(".Command.handle"):
            commands[tail[: -len(".Command.handle")]] = name
    by_class: dict[str, list[str]] = {}
    for owner in methods:
        by_class.setdefault(owner.rpartition(".")[2], []).append(owner)
    frontier: set[str] = set()
    entries: dict[str, set[str]] = {}
    for names, attributes in by_file:
        for name in names:
            if name.startswith((GRAPHQL, URL)):
                # test files repeat the same documents and URL names: each is looked up once
                if name not in entries:
                    entries[name] = (
                        _graphql_resolvers(name[len(GRAPHQL) :], by_class, methods)
                        if name.startswith(GRAPHQL)
                        else _url_views(name[len(URL) :], by_class, methods, graph, modules)
                    )
                frontier |= entries[name]
            if name in graph:
                frontier.add(name)
            if name in commands:
                frontier.add(commands[name])
            for method in methods.get(name, ()):
                if method in attributes or method == "__init__":
                    frontier.add(f"{name}.{method}")
    aliases = project.import_aliases()
    resolved: dict[str, set[str]] = {}
    found: set[str] = set()
    called_names: set[str] = set()
    seen = set(frontier)
    for _ in range(REACH_DEPTH + 1):
        following: set[str] = set()
        for caller in frontier:
            calls = graph.get(caller, frozenset())
            # ``sender = Sender(...)`` then ``sender.send()``: the methods of the classes it builds
            # that it calls by name on some object
            named = {called.rpartition(".")[2] for called in calls}
            for called in calls:
                for method in methods.get(called, ()):
                    callee = f"{called}.{method}"
                    if method in named and callee not in seen:
                        seen.add(callee)
                        following.add(callee)
                enqueued, runnable = _runnable(called, aliases, resolved)
                if not enqueued:
                    called_names |= runnable
                for name in runnable:
                    runs = tasks.get(name)
                    if runs is not None and not enqueued:
                        found |= task_names(runs)
                    elif runs is not None:
                        continue  # enqueued, but not run: its body does not run either
                    for callee in (name, f"{name}.__init__"):
                        if callee in graph and callee not in seen:
                            seen.add(callee)
                            following.add(callee)
        frontier = following
    # A task that runs runs what its own body runs, however deep it was reached: task -> task
    # hops (``.delay()`` of the next step, a chord's header and body) add no uncertainty.
    pending = [name for name in found if name in graph]
    while pending:
        for called in graph.get(pending.pop(), frozenset()):
            enqueued, runnable = _runnable(called, aliases, resolved)
            for name in runnable:
                runs = tasks.get(name)
                if runs is not None and not enqueued and not task_names(runs) <= found:
                    found |= task_names(runs)
                    pending.extend(n for n in task_names(runs) if n in graph)
    return found, called_names


def _runnable(called: str, aliases: ImportAliases, resolved: dict[str, set[str]]) -> tuple[bool, set[str]]:
    """Whether the call enqueues, and every name what it runs may go by: ``send.delay`` and
    ``send.apply`` run ``send`` (through the modules' imports), anything else itself."""
    owner, _, method = called.rpartition(".")
    enqueued = method in _ENQUEUES
    target = owner if enqueued or method in _RUNS else called
    if target not in resolved:
        resolved[target] = aliases.resolve(target)
    return enqueued, resolved[target]


# The methods of a DRF ViewSet that its router names ``<basename>-list`` / ``<basename>-detail``:
# any ViewSet has them, so a URL name cannot tell which one it is.
_STANDARD_ACTIONS = frozenset({"list", "create", "retrieve", "update", "partial_update", "destroy"})
_STANDARD_ROUTES = {
    "list": frozenset({"list", "create"}),
    "detail": frozenset({"retrieve", "update", "partial_update", "destroy"}),
}


def _graphql_resolvers(field: str, by_class: dict[str, list[str]], methods: dict[str, list[str]]) -> set[str]:
    """The methods of the classes a GraphQL field names: graphene's field of ``RequestPasswordReset``
    (``request_password_reset = RequestPasswordReset.Field()``) is ``requestPasswordReset``, and
    running it calls the class's methods (``mutate``, ``perform_mutation``, its resolvers)."""
    found: set[str] = set()
    for owner in by_class.get(field[:1].upper() + field[1:], ()):
        found.update(f"{owner}.{method}" for method in methods[owner])
    return found


def _url_views(
    url: str,
    by_class: dict[str, list[str]],
    methods: dict[str, list[str]],
    graph: dict[str, frozenset[str]],
    modules: set[str],
) -> set[str]:
    """The views a test may reach through a URL name (``reverse("importer-load-dump")``): a
    custom action of a ViewSet (DRF names it ``<basename>-<action with dashes>``), a function
    view of the same name in a views module, or a class view named after it (``pay`` ->
    ``PayView``). The router's basename is not read: the ViewSet's module or class name must
    hold the last word of the URL name before the action (``importers-asana-import-project``:
    ``taiga.importers.asana.api.AsanaImporterViewSet``)."""
    words = url.rpartition(":")[2].split("-")
    found: set[str] = set()
    routes = _STANDARD_ROUTES.get(words[-1]) if len(words) > 1 else None
    if routes is not None:
        # ``exporter-detail``: the standard route of the one ViewSet the basename names
        named = [
            owner
            for owners in by_class.values()
            for owner in owners
            if owner.rpartition(".")[2].endswith(VIEW_SUFFIXES) and _named_after(owner, words[:-1])
        ]
        if len(named) == 1:
            found.update(f"{named[0]}.{m}" for m in methods[named[0]] if m in routes)
    for k in range(1, len(words)):
        action = "_".join(words[k:])
        if action in _STANDARD_ACTIONS:
            continue
        for owners in by_class.values():
            for owner in owners:
                if (
                    owner.rpartition(".")[2].endswith(VIEW_SUFFIXES)
                    and action in methods[owner]
                    and _named_after(owner, words[:k])
                ):
                    found.add(f"{owner}.{action}")
    whole = "_".join(words)
    for name in graph:
        module, _, function = name.rpartition(".")
        if function == whole and module in modules and module.rpartition(".")[2] in VIEW_MODULES:
            found.add(name)
    plain = whole.replace("_", "").lower()
    for last, owners in by_class.items():
        if last.lower() in (plain + "view", plain + "viewset"):
            for owner in owners:
                found.update(f"{owner}.{method}" for method in methods[owner])
    return found


def _named_after(owner: str, prefix: list[str]) -> bool:
    """The last word of a URL name's prefix, the most specific part of the router's basename
    (``importers-asana``: ``asana``), singular or plural, is part of the view's qualified name."""
    name = owner.lower().replace("_", "")
    word = prefix[-1].lower().replace("_", "")
    stems = {
        word,
        word[:-1] if word.endswith("s") else word,
        word[:-3] + "y" if word.endswith("ies") else word,
    }
    return any(stem and stem in name for stem in stems)


def _delegates_to_tested(
    delegate: str, referenced: set[str], by_file: list[tuple[set[str], frozenset[str]]]
) -> bool:
    """The task's whole body is one call of code a test names: the function or method
    (``QuestionVisits.reload_from_analytics``, as the test reaches it, or a method of a class a
    test file names and calls that method on: ``CoreHandler().sync_templates()``), or the
    management command a test runs by name (``call_command("flushexpiredtokens")``)."""
    if not delegate:
        return False
    if delegate.startswith("command:"):
        return delegate[len("command:") :] in referenced
    owner, _, method = delegate.rpartition(".")
    return delegate in referenced or any(
        owner in names and method in attributes for names, attributes in by_file
    )
