"""CT301: what counts as a test referring to a task (minimal reproductions)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker import testrefs
from tests.helpers import write_tree

TASKS = "from celery import shared_task\n\n@shared_task\ndef send_receipt(order_id):\n    work()\n"


def untested(result):
    return sorted(f.task for f in result.findings if f.code == "CT301")


def test_patch_target_through_a_module_that_imports_the_task(analyse):
    files = {
        "shop/tasks.py": TASKS,
        # read only for its imports: it neither enqueues nor names anything Celery
        "shop/views.py": "from shop.tasks import send_receipt\n\nHANDLERS = [send_receipt]\n",
        "tests/test_views.py": "from unittest import mock\n\n"
        "@mock.patch('shop.views.send_receipt.delay')\ndef test_it(delay):\n    pass\n",
    }
    assert untested(analyse(files, select=["CT301"])) == []


def test_patch_target_through_a_module_that_enqueues_the_task(analyse):
    files = {
        "shop/tasks.py": TASKS,
        "shop/views.py": "from shop.tasks import send_receipt as receipt\n\n"
        "def pay(order):\n    receipt.delay(order.pk)\n",
        "tests/test_views.py": "from unittest import mock\n\n"
        "def test_it():\n    with mock.patch('shop.views.receipt.delay'):\n        pass\n",
    }
    assert untested(analyse(files, select=["CT301"])) == []


def test_patch_object_on_a_module_that_imports_the_task(analyse):
    files = {
        "shop/tasks.py": TASKS,
        "shop/views.py": "from shop.tasks import send_receipt\n\ndef pay(order):\n"
        "    send_receipt.delay(order.pk)\n",
        "tests/test_views.py": "from unittest import mock\nfrom shop import views\n\n"
        "def test_it():\n    with mock.patch.object(views, 'send_receipt'):\n        pass\n",
    }
    assert untested(analyse(files, select=["CT301"])) == []


def test_patch_target_through_an_unrelated_module_does_not_count(analyse):
    files = {
        "shop/tasks.py": TASKS,
        "shop/views.py": "def send_receipt(order):\n    pass\n",
        "tests/test_views.py": "from unittest import mock\n\n"
        "@mock.patch('shop.views.send_receipt')\ndef test_it(send):\n    pass\n",
    }
    assert untested(analyse(files, select=["CT301"])) == ["shop.tasks.send_receipt"]


@pytest.mark.parametrize(
    "test",
    [
        "from shop.tasks import send_receipt\n",
        "from shop import tasks\n\ndef test_it():\n    tasks.send_receipt.apply(args=(1,))\n",
        "import shop.tasks\n\ndef test_it():\n    shop.tasks.send_receipt.apply(args=(1,))\n",
        "from unittest import mock\n\n@mock.patch('shop.tasks.send_receipt.delay')\ndef test_it(d):\n    pass\n",
    ],
)
def test_import_from_a_package_that_re_exports_the_task(analyse, test):
    files = {
        "shop/tasks/__init__.py": "from .mail import send_receipt\n",  # no Celery token: not analysed
        "shop/tasks/mail.py": TASKS,
        "tests/test_mail.py": test,
    }
    assert untested(analyse(files, select=["CT301"])) == []


def test_re_exported_under_another_name(analyse):
    files = {
        "shop/api.py": "from shop.jobs import send_receipt as notify_buyer\n",
        "shop/jobs.py": TASKS,
        # names only the alias: read because a module imports the task under that name
        "tests/test_api.py": "from shop.api import notify_buyer\n\ndef test_it():\n    notify_buyer(1)\n",
    }
    assert untested(analyse(files, select=["CT301"])) == []


def test_re_exported_through_a_chain_and_a_star_import(analyse):
    files = {
        "shop/__init__.py": "from shop.outbox import *\n",
        "shop/outbox/__init__.py": "from .mail import send_receipt\n",
        "shop/outbox/mail.py": TASKS,
        "tests/test_shop.py": "import shop\n\ndef test_it():\n    shop.send_receipt(1)\n",
    }
    assert untested(analyse(files, select=["CT301"])) == []


def test_star_import_in_the_test_file(analyse):
    files = {
        "shop/tasks.py": TASKS + "\n@shared_task\ndef refund(order_id):\n    work()\n",
        "tests/test_tasks.py": "from shop.tasks import *\n\ndef test_it():\n    send_receipt(1)\n",
    }
    assert untested(analyse(files, select=["CT301"])) == ["shop.tasks.refund"]


def test_call_form_task_imported_by_the_name_it_is_bound_to(analyse):
    files = {
        "shop/tasks.py": "from shop.celery import app\n\ndef _send(order_id):\n    pass\n\n"
        "send_receipt = app.task(_send)\n",
        "shop/celery.py": "from celery import Celery\n\napp = Celery('shop')\n",
        "tests/test_tasks.py": "from shop.tasks import send_receipt\n",
    }
    assert untested(analyse(files, select=["CT301"])) == []


def test_registered_name_that_is_not_a_dotted_identifier(analyse):
    files = {
        "shop/tasks.py": "from celery import shared_task\n\n@shared_task(name='billing:charge')\n"
        "def charge(x):\n    work()\n",
        "tests/test_routing.py": "def test_route(app):\n    assert 'billing:charge' in app.tasks\n",
    }
    assert untested(analyse(files, select=["CT301"])) == []


@pytest.mark.parametrize(
    "test",
    [
        # Python 3.14 (PEP 758): the running Python cannot parse it
        "from shop.tasks import send_receipt\n\ndef test_it():\n    try:\n        send_receipt(1)\n"
        "    except ValueError, TypeError:\n        pass\n",
        # Python 2
        "from shop.tasks import send_receipt\n\ndef test_it():\n    print 'sending'\n    send_receipt(1)\n",
        # Python 2, the task named by its registered name only
        "def test_it():\n    print 'sending'\n    app.send_task('shop.tasks.send_receipt')\n",
        # a parenthesised import, then an unterminated string the tokenizer gives up on
        "from shop.tasks import (\n    send_receipt,\n)\n\nx = '''never closed\n",
    ],
)
def test_test_file_python_cannot_parse_is_still_read(analyse, test):
    result = analyse({"shop/tasks.py": TASKS, "tests/test_tasks.py": test}, select=["CT301"])
    assert untested(result) == []
    assert any("tests/test_tasks.py" in note and "token by token" in note for note in result.notes)


def test_unparseable_test_file_naming_another_task_does_not_count(analyse):
    files = {
        "shop/tasks.py": TASKS,
        "tests/test_tasks.py": "from shop.tasks import refund\n\ndef test_it():\n    print 'send_receipt'[:4]\n"
        "    send_receipt = 1\n",
    }
    assert untested(analyse(files, select=["CT301"])) == ["shop.tasks.send_receipt"]


# The token-level reading finds what the ``ast`` reading finds.
READABLE = [
    "import shop.tasks\nimport shop.billing as billing\nfrom shop import views as v, models\n"
    "from .helpers import (\n    make_order as order,  # a comment\n    pay,\n)\n"
    "@mock.patch('shop.views.send_receipt.delay')\ndef test_a(delay):\n"
    "    shop.tasks.charge.delay(1)\n    billing.refund.apply_async(args=(1,))\n"
    "    v.pay(order())\n    mock.patch.object(models, 'notify')\n    x = 'shop.' 'refund'\n"
    "    y = f'shop.tasks.{x}'\n    z = b'bytes.are.skipped'\n    return x.y.z\n",
    "from shop.tasks import *\n\nclass TestIt:\n    def test(self):\n        charge(1); self.refund()\n"
    "        if True: from shop import celery\n",
    'from django.urls import reverse\n\nQ = """\nmutation Pay($id: ID!) {\n  orderPay(id: $id) { errors { field } }\n}"""\n'
    "def test(client):\n    client.post(reverse('api:orders-resend-receipt'))\n",
]


def test_graphql_documents_and_url_names_are_references():
    reading = testrefs.test_references(READABLE[-1].encode(), "tests.test_x", False)
    expected = {"graphql:Pay", "graphql:orderPay", "graphql:errors", "url:api:orders-resend-receipt"}
    assert expected <= set(reading.references)
    # a string that is not a GraphQL document names no fields; a computed URL name is not read
    other = testrefs.test_references(b"X = 'format(value) {0}'\nreverse(name)\n", "tests.test_x", False)
    assert not [r for r in other.references if r.startswith(("graphql:", "url:"))]


@pytest.mark.parametrize("source", READABLE)
def test_token_reading_matches_ast_reading(source):
    by_ast = testrefs.test_references(source.encode(), "tests.test_x", False)
    assert by_ast.how == testrefs.AST
    by_tokens = testrefs._token_references(source.encode(), "tests.test_x", False)
    assert _prefixes(by_tokens) == _prefixes(by_ast.references)


def _prefixes(names):
    """What CT301 matches tasks against: every dotted prefix of every reference."""
    return {".".join(n.split(".")[:i]) for n in names for i in range(1, n.count(".") + 2)}


def test_unparseable_reading_says_why():
    reading = testrefs.test_references(b"print 'x'\n", "tests.test_x", False)
    assert reading.how == testrefs.TOKENS and reading.error.startswith("line 1")


def test_module_imports_are_module_level_names():
    source = (
        "import os\nimport shop.tasks\nimport shop.billing as billing\nfrom .mail import send as s\n"
        "try:\n    from shop.jobs import refund\nexcept ImportError:\n    refund = None\n"
        "def f():\n    from shop.jobs import inner\n"
    )
    imports = testrefs.module_imports(source.encode(), "shop.outbox", True)
    assert imports.names == {
        "billing": "shop.billing",
        "s": "shop.outbox.mail.send",
        "refund": "shop.jobs.refund",
    }
    # the same statements read token by token (Python 2 code)
    imports = testrefs.module_imports((source + "print 'x'\n").encode(), "shop.outbox", True)
    assert imports.names["s"] == "shop.outbox.mail.send" and imports.names["billing"] == "shop.billing"


def test_package_below_a_namespace_directory_inside_a_package(tmp_path, monkeypatch, capsys):
    """``shop/api/`` has no ``__init__.py`` but sits in the package ``shop``: ``shop/api/v3/views.py``
    is ``shop.api.v3.views`` (not ``v3.views``), so a test's patch target through it counts."""
    import json

    from checker.cli import main
    from checker.files import module_name

    files = {
        "pyproject.toml": "[project]\nname = 'shop'\n",
        "shop/__init__.py": "",
        "shop/tasks.py": TASKS,
        "shop/api/v3/__init__.py": "",
        "shop/api/v3/views.py": "from shop import tasks\n\ndef pay(order):\n"
        "    tasks.send_receipt.delay(order.pk)\n",
        "shop/api/v3/tests/test_views.py": "from unittest import mock\n\n"
        "@mock.patch('shop.api.v3.views.tasks.send_receipt.delay')\ndef test_pay(delay):\n    pass\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    assert module_name(tmp_path / "shop/api/v3/views.py") == ("shop.api.v3.views", False)
    assert module_name(tmp_path / "shop/api/v3/__init__.py") == ("shop.api.v3", True)
    monkeypatch.chdir(tmp_path)
    assert main(["check", ".", "--select", "CT301", "--format", "json", "--no-cache"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []


# Code the tests name that runs a task --------------------------------------------------------

VIEWS = "from shop.tasks import send_receipt\n\ndef pay(order):\n    send_receipt.delay(order.pk)\n"
TEST_PAY = "from shop.views import pay\n\ndef test_pay(order):\n    pay(order)\n"
EAGER_SETTINGS = "CELERY_TASK_ALWAYS_EAGER = True\n"


def test_task_enqueued_by_tested_code_counts_when_tests_are_eager(analyse):
    files = {
        "shop/tasks.py": TASKS,
        "shop/views.py": VIEWS,
        "shop/settings/test.py": "from .base import *\n\n" + EAGER_SETTINGS,
        "tests/test_views.py": TEST_PAY,
    }
    assert untested(analyse(files, select=["CT301"])) == []


def test_task_enqueued_by_tested_code_does_not_count_when_tests_are_not_eager(analyse):
    files = {"shop/tasks.py": TASKS, "shop/views.py": VIEWS, "tests/test_views.py": TEST_PAY}
    result = analyse(files, select=["CT301"])
    assert untested(result) == ["shop.tasks.send_receipt"]
    (finding,) = result.findings
    assert "no code the tests call runs it" in finding.message
    assert "no setting or fixture that makes the tests run tasks eagerly was found" in finding.message


def test_the_message_says_when_nothing_refers_to_the_task(analyse):
    """Under eager tests, a task nothing sends, schedules, calls or imports is said to be so;
    one another module imports (a dispatch table a static reading does not follow) is not."""
    tasks = TASKS + "\n@shared_task\ndef send_refund(order_id):\n    work()\n"
    views = (
        "from shop.tasks import send_refund\n\ndef refund(orders):\n"
        "    for order, send in [(orders[0], send_refund)]:\n        send(order.pk)\n"
    )
    files = {"shop/tasks.py": tasks, "shop/views.py": views, "shop/settings/test.py": EAGER_SETTINGS}
    messages = {f.task: f.message for f in analyse(files, select=["CT301"]).findings}
    assert "sends it, schedules it or names it" in messages["shop.tasks.send_receipt"]
    assert messages["shop.tasks.send_refund"].endswith("no code the tests call runs it")
    assert "may be dead code to delete" in messages["shop.tasks.send_receipt"]


def test_the_message_says_when_nothing_refers_to_the_task_without_eager_tests(analyse):
    """Without eager tests too: the unused task is said to be so, a sent one gets the reason
    its sends do not count."""
    tasks = TASKS + "\n@shared_task\ndef send_refund(order_id):\n    work()\n"
    views = "from shop.tasks import send_refund\n\ndef refund(order):\n    send_refund.delay(order.pk)\n"
    files = {"shop/tasks.py": tasks, "shop/views.py": views}
    messages = {f.task: f.message for f in analyse(files, select=["CT301"]).findings}
    assert "may be dead code to delete" in messages["shop.tasks.send_receipt"]
    assert "eagerly" in messages["shop.tasks.send_refund"]
    assert "dead code" not in messages["shop.tasks.send_refund"]
    # named in a comment of the settings (a beat entry left for operators to enable): not unused
    settings = (
        "CELERY_TASK_SERIALIZER = 'json'\n"
        "# CELERY_BEAT_SCHEDULE = {'r': {'task': 'shop.tasks.send_receipt', 'schedule': 60}}\n"
    )
    messages = {
        f.task: f.message for f in analyse({**files, "shop/settings.py": settings}, select=["CT301"]).findings
    }
    assert "nothing in the project" not in messages["shop.tasks.send_receipt"]
    # a database scheduler may run any task: unused, but not said to be dead
    settings = "CELERY_BEAT_SCHEDULER = 'django_celery_beat.schedulers:DatabaseScheduler'\n"
    messages = {
        f.task: f.message for f in analyse({**files, "shop/settings.py": settings}, select=["CT301"]).findings
    }
    assert messages["shop.tasks.send_receipt"].endswith("sends it, schedules it or names it)")


def test_a_task_only_a_route_names_is_said_to_be_unsent(analyse):
    """A route says where a message would go, not that one is sent: a task only a route names
    is said to be unsent, and may be dead code with its route."""
    settings = "CELERY_ROUTES = {'shop.tasks.send_receipt': {'queue': 'mail'}}\n"
    files = {"shop/tasks.py": TASKS, "shop/settings.py": settings}
    message = {f.task: f.message for f in analyse(files, select=["CT301"]).findings}[
        "shop.tasks.send_receipt"
    ]
    assert "only a route names it" in message and "dead code to delete, with its route" in message
    # a module other than the settings names it too (a dispatch by name): not said to be unsent
    files["shop/views.py"] = (
        "from shop.workflow import run_steps\n\ndef pay(order):\n"
        "    run_steps([{'name': 'shop.tasks.send_receipt', 'args': [order.pk]}])\n"
    )
    message = {f.task: f.message for f in analyse(files, select=["CT301"]).findings}[
        "shop.tasks.send_receipt"
    ]
    assert "dead code" not in message and "only a route" not in message


def test_a_beat_entry_in_a_dict_not_read_still_keeps_the_task_from_being_called_dead(analyse):
    """``"task": "<name>"`` in any dict literal, the task's own module too (a schedule built in
    a way the analysis does not follow): the task is not said to be dead."""
    tasks = (
        "from celery import Celery\n\ndef make():\n"
        "    config = {'beat_schedule': {'x': {'task': 'export', 'schedule': 5}}}\n"
        "    app = Celery('a')\n    app.conf.update(**dict(config))\n    return app\n\n"
        "app = make()\n\n@app.task(name='export')\ndef export():\n    work()\n"
    )
    message = {f.task: f.message for f in analyse({"shop/tasks.py": tasks}, select=["CT301"]).findings}[
        "export"
    ]
    assert "dead code" not in message and "nothing in the project" not in message


def test_a_task_an_instance_decorator_keeps_is_not_said_to_be_unused(analyse):
    """``@alerts.handler("superevent")``: the instance keeps the task it makes and sends it by
    key (``group(h.s() for h in self[key])``): not "nothing sends it"."""
    files = {
        "proj/core.py": (
            "from proj.celery import app\n\nclass Dispatcher(dict):\n"
            "    def __call__(self, *keys, **kwargs):\n        def wrap(f):\n"
            "            f = app.task(**kwargs)(f)\n            for key in keys:\n"
            "                self.setdefault(key, []).append(f)\n            return f\n\n        return wrap\n\n"
            "handler = Dispatcher()\n"
        ),
        "proj/celery.py": "from celery import Celery\napp = Celery('proj')\n",
        "proj/alerts.py": "from proj.core import handler\n\n@handler('superevent')\ndef on_superevent(alert):\n    work()\n",
    }
    findings = analyse(files, select=["CT301"]).findings
    assert [f.task for f in findings] == ["proj.alerts.on_superevent"]
    assert "nothing in the project" not in findings[0].message


def test_send_task_of_celery_compat_module_names_the_task(analyse):
    """``from celery.execute import send_task``; ``send_task("name")``: a send by name."""
    tasks = (
        "from celery import shared_task\nfrom celery.execute import send_task\n\n"
        "@shared_task(name='update_channel')\ndef update_channel(url):\n    work(url)\n\n"
        "@shared_task\ndef update_channels(urls):\n    for url in urls:\n"
        "        send_task('update_channel', args=[url])\n"
    )
    messages = {f.task: f.message for f in analyse({"shop/tasks.py": tasks}, select=["CT301"]).findings}
    assert "dead code" not in messages["update_channel"]


def test_a_send_on_the_tasks_name_that_did_not_resolve_keeps_it_from_being_called_dead(analyse):
    """``send_receipt.delay(...)`` in another module, imported from where the analysis cannot
    follow (a plugin installed under another root): not "may be dead code"."""
    files = {
        "shop/tasks.py": TASKS,
        "plugins/views.py": "from shop_plugin.tasks import send_receipt\n\ndef pay(order):\n"
        "    send_receipt.delay(order.pk)\n",
    }
    message = {f.task: f.message for f in analyse(files, select=["CT301"]).findings}[
        "shop.tasks.send_receipt"
    ]
    assert "dead code" not in message and "nothing in the project" not in message


def test_conf_update_with_a_dict_bound_to_a_name_is_read(analyse):
    """``config = {...}`` then ``app.conf.update(config)``, in the function that builds the app
    or at module level: its beat schedule is read (an entry naming no task is reported)."""
    local = (
        "from celery import Celery\n\ndef make():\n"
        "    config = {'beat_schedule': {'x': {'task': 'shop.tasks.exprot', 'schedule': 5}}}\n"
        "    app = Celery('a')\n    app.conf.update(config)\n    return app\n\n"
        "app = make()\n\n@app.task(name='export')\ndef export():\n    work()\n"
    )
    module = (
        "from celery import Celery\n\nCONFIG = {'beat_schedule': {'x': {'task': 'shop.tasks.exprot', 'schedule': 5}}}\n"
        "app = Celery('a')\napp.conf.update(CONFIG)\n\n@app.task(name='export')\ndef export():\n    work()\n"
    )
    for text in (local, module):
        codes = [f.code for f in analyse({"shop/tasks.py": text}, select=["CT401"]).findings]
        assert codes == ["CT401"]


def test_task_called_inline_by_tested_code_counts_without_eager_tests(analyse):
    files = {
        "shop/tasks.py": TASKS,
        "shop/views.py": "from shop.tasks import send_receipt\n\ndef pay(order):\n    send_receipt(order.pk)\n",
        "tests/test_views.py": TEST_PAY,
    }
    assert untested(analyse(files, select=["CT301"])) == []


@pytest.mark.parametrize(
    "where",
    [
        {"tests/settings.py": EAGER_SETTINGS},  # a test settings module naming nothing else
        {"conftest.py": "from shop.celery import app\n\napp.conf.task_always_eager = True\n"},
        {
            "conftest.py": "import pytest\n\n@pytest.fixture\ndef celery_config():\n"
            "    return {'task_always_eager': True}\n"
        },
        {"tests/test_more.py": "def test_it(celery_worker):\n    pass\n"},
        {
            "tests/test_more.py": "import pytest\n\npytestmark = pytest.mark.usefixtures('celery_session_worker')\n"
        },
    ],
)
def test_eager_tests_recognised(analyse, where):
    files = {"shop/tasks.py": TASKS, "shop/views.py": VIEWS, "tests/test_views.py": TEST_PAY, **where}
    assert untested(analyse(files, select=["CT301"])) == []


def test_class_based_test_settings_make_tests_eager(analyse):
    settings = "class TestSettings(BaseSettings):\n    DEBUG = False\n    CELERY_TASK_ALWAYS_EAGER = True\n"
    files = {
        "shop/tasks.py": TASKS,
        "shop/views.py": VIEWS,
        "shop/settings/test.py": "from .base import BaseSettings\n\n" + settings,
        "tests/test_views.py": TEST_PAY,
    }
    assert untested(analyse(files, select=["CT301"])) == []


def test_override_settings_in_the_test_makes_it_eager(analyse):
    test = (
        "from django.test import override_settings\nfrom shop.views import pay\n\n"
        "@override_settings(CELERY_TASK_ALWAYS_EAGER=True)\ndef test_pay(order):\n    pay(order)\n"
    )
    files = {"shop/tasks.py": TASKS, "shop/views.py": VIEWS, "tests/test_views.py": test}
    assert untested(analyse(files, select=["CT301"])) == []


def test_eager_tests_count_every_task_the_project_sends(analyse):
    """No test reaches ``pay``, but eager tests may reach it by a path the rule cannot follow
    (here a lambda run once the transaction commits); only beat names ``send_refund``."""
    services = (
        "from django.db import transaction\nfrom shop.tasks import send_receipt\n\n"
        "def pay(order):\n    transaction.on_commit(lambda: send_receipt.delay(order.pk))\n"
    )
    tasks = TASKS + "\n@shared_task\ndef send_refund(order_id):\n    work()\n"
    beat = "CELERY_BEAT_SCHEDULE = {'r': {'task': 'shop.tasks.send_refund', 'schedule': 60.0}}\n"
    files = {
        "shop/tasks.py": tasks,
        "shop/services.py": services,
        "shop/settings/base.py": beat,
        "shop/settings/test.py": "from .base import *\n\n" + EAGER_SETTINGS,
    }
    result = analyse(files, select=["CT301"])
    assert untested(result) == ["shop.tasks.send_refund"]
    assert "never sends it; a beat entry names it" in result.findings[0].message
    del files["shop/settings/test.py"]
    assert untested(analyse(files, select=["CT301"])) == ["shop.tasks.send_receipt", "shop.tasks.send_refund"]


def test_beat_entry_names_the_module_below_a_sys_path_directory(analyse):
    """The settings put ``apps/`` on ``sys.path`` and Django imports the app as ``billing``, so
    the worker registers ``billing.tasks.charge``: the beat entry that names it schedules it."""
    files = {
        "proj/__init__.py": "",
        "proj/settings.py": "import os\nimport sys\n\nBASE = os.path.dirname(__file__)\n"
        "sys.path.insert(0, os.path.join(BASE, 'apps'))\n"
        "CELERY_BEAT_SCHEDULE = {'c': {'task': 'billing.tasks.charge', 'schedule': 60.0}}\n",
        "proj/apps/__init__.py": "",
        "proj/apps/billing/__init__.py": "",
        "proj/apps/billing/tasks.py": "from celery import shared_task\n\n@shared_task\ndef charge():\n"
        "    bill()\n",
        "tests/settings.py": EAGER_SETTINGS,
        "tests/test_nothing.py": "def test_it():\n    assert True\n",
    }
    result = analyse(files, select=["CT301", "CT401"])
    assert [f.code for f in result.findings] == ["CT301"]
    assert "never sends it; a beat entry names it" in result.findings[0].message


def test_eager_false_or_eager_in_production_settings_does_not_count(analyse):
    files = {
        "shop/tasks.py": TASKS,
        "shop/views.py": VIEWS,
        "shop/settings/dev.py": EAGER_SETTINGS,  # a developer's settings, not the tests'
        "tests/settings.py": "CELERY_TASK_ALWAYS_EAGER = False\n",
        "tests/test_views.py": TEST_PAY,
    }
    assert untested(analyse(files, select=["CT301"])) == ["shop.tasks.send_receipt"]


def _chain(length):
    """``step0`` calls ``step1`` ... the last step enqueues the task; the test names ``step0``."""
    steps = "".join(f"def step{i}(x):\n    step{i + 1}(x)\n\n" for i in range(length - 1))
    return steps + f"def step{length - 1}(x):\n    send_receipt(x)\n"


@pytest.mark.parametrize(("length", "reported"), [(4, []), (5, ["shop.tasks.send_receipt"])])
def test_reach_is_followed_three_calls_deep(analyse, length, reported):
    files = {
        "shop/tasks.py": TASKS,
        "shop/flow.py": "from shop.tasks import send_receipt\n\n" + _chain(length),
        "tests/test_flow.py": "from shop.flow import step0\n\ndef test_it():\n    step0(1)\n",
    }
    assert untested(analyse(files, select=["CT301"])) == reported


def test_methods_of_a_tested_class_count_when_the_test_names_them(analyse):
    views = (
        "from shop.tasks import send_receipt, send_refund\n\n"
        "class Checkout:\n    def pay(self, order):\n        self._notify(order)\n\n"
        "    def _notify(self, order):\n        send_receipt(order.pk)\n\n"
        "    def refund(self, order):\n        send_refund(order.pk)\n"
    )
    tasks = TASKS + "\n@shared_task\ndef send_refund(order_id):\n    work()\n"
    files = {
        "shop/tasks.py": tasks,
        "shop/views.py": views,
        "tests/test_views.py": "from shop.views import Checkout\n\ndef test_pay(order):\n"
        "    Checkout().pay(order)\n",
    }
    assert untested(analyse(files, select=["CT301"])) == ["shop.tasks.send_refund"]


def test_chord_members_of_a_tested_task_count_when_eager(analyse):
    tasks = (
        "from celery import chord, shared_task\n\n"
        "@shared_task\ndef import_all(ids):\n    chord(import_one.si(i) for i in ids)(finish.si())\n\n"
        "@shared_task\ndef import_one(i):\n    work()\n\n@shared_task\ndef finish():\n    work()\n"
    )
    test = "from shop.tasks import import_all\n\ndef test_it():\n    import_all([1, 2])\n"
    files = {"shop/tasks.py": tasks, "tests/test_tasks.py": test}
    assert untested(analyse(files, select=["CT301"])) == ["shop.tasks.finish", "shop.tasks.import_one"]
    files["tests/settings.py"] = EAGER_SETTINGS
    assert untested(analyse(files, select=["CT301"])) == []


@pytest.mark.parametrize(
    ("source", "eager"),
    [
        ("CELERY_TASK_ALWAYS_EAGER = True\n", True),
        ("if TESTING:\n    CELERY_ALWAYS_EAGER = True\n", True),
        ("app.conf.task_always_eager = True\n", True),
        ("settings['CELERY_TASK_ALWAYS_EAGER'] = True\n", True),
        ("app.conf.update(task_always_eager=True)\n", True),
        ("def test_it(celery_worker):\n    pass\n", True),
        ("CELERY_TASK_ALWAYS_EAGER = False\n", False),
        ("CELERY_TASK_ALWAYS_EAGER = env('EAGER')\n", False),
        ("def test_it(celery_app):\n    celery_app.conf.task_always_eager\n", False),
        # read token by token (Python 2): the same answer
        ("print 'x'\nCELERY_TASK_ALWAYS_EAGER = True\n", True),
        ("print 'x'\nCELERY_TASK_ALWAYS_EAGER = False\n", False),
    ],
)
def test_eager_reading(source, eager):
    assert testrefs.test_references(source.encode(), "tests.settings", False).eager is eager


def test_methods_of_an_object_the_tested_code_builds(analyse):
    flow = (
        "from shop.tasks import send_receipt\n\n"
        "class Sender:\n    def send(self, order):\n        send_receipt(order.pk)\n\n"
        "def notify(order):\n    sender = Sender()\n    sender.send(order)\n"
    )
    files = {
        "shop/tasks.py": TASKS,
        "shop/flow.py": flow,
        "tests/test_flow.py": "from shop.flow import notify\n\ndef test_it(order):\n    notify(order)\n",
    }
    assert untested(analyse(files, select=["CT301"])) == []


def _walked_references(data: bytes, module: str) -> tuple[frozenset[str], frozenset[str], bool]:
    """The reading of a test file by a plain :func:`ast.walk`, what the faster walk must give."""
    import ast

    tree = ast.parse(data)
    imports: dict[str, str] = {}
    stars: list[str] = []
    nodes = list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            testrefs._ast_import(node, module, False, imports, stars)
    found = set(imports.values())

    def qualify(node: ast.expr) -> str | None:
        dotted = testrefs._dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        target = imports.get(head)
        return (f"{target}.{rest}" if rest else target) if target else dotted

    bare: set[str] = set()
    attributes: set[str] = set()
    for node in nodes:
        if isinstance(node, ast.Attribute):
            attributes.add(node.attr)
        if isinstance(node, (ast.Name, ast.Attribute)):
            qualified = qualify(node)
            if qualified and "." in qualified:
                found.add(qualified)
            elif isinstance(node, ast.Name) and node.id not in imports:
                bare.add(node.id)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value:
            if len(node.value) < 200:
                found.add(node.value)
            found |= testrefs.graphql_words(node.value)
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", ""))
            in {"reverse", "reverse_lazy", "resolve_url", "url_for"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and testrefs._URL_NAME.fullmatch(node.args[0].value)
        ):
            found.add("url:" + node.args[0].value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"object", "setattr"}
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            owner = qualify(node.args[0])
            if owner:
                found.add(f"{owner}.{node.args[1].value}")
    found.update(f"{star}.{name}" for star in stars for name in bare)
    return frozenset(found), frozenset(attributes), testrefs._makes_eager(nodes)


def test_fast_walk_reads_what_ast_walk_reads() -> None:
    """Every Python file of this repository (tests, fixtures, the analyser) read both ways."""
    root = Path(__file__).resolve().parent.parent
    files = sorted(p for d in ("tests", "checker", "examples") for p in (root / d).rglob("*.py"))
    assert len(files) > 100
    for path in files:
        data = path.read_bytes()
        try:
            expected = _walked_references(data, "pkg.mod")
        except SyntaxError:
            continue
        reading = testrefs.test_references(data, "pkg.mod", False)
        assert (reading.references, reading.attributes, reading.eager) == expected, path


def test_a_helper_task_never_sent_and_run_inline_by_another_task_is_covered_by_that_task(analyse):
    tasks = (
        "from celery import shared_task\n\n@shared_task\ndef rehash(rows):\n    work()\n\n"
        "@shared_task\ndef update_columns(rows):\n    rehash(rows)\n    return len(rows)\n"
    )
    views = "from shop.tasks import update_columns\n\ndef view(rows):\n    update_columns.delay(rows)\n"
    found = untested(analyse({"shop/tasks.py": tasks, "shop/views.py": views}, select=["CT301"]))
    assert found == ["shop.tasks.update_columns"]  # its finding covers the helper it runs
    # sent somewhere too: a task of its own, reported
    views += "\nfrom shop.tasks import rehash\n\ndef other(rows):\n    rehash.delay(rows)\n"
    found = untested(analyse({"shop/tasks.py": tasks, "shop/views.py": views}, select=["CT301"]))
    assert found == ["shop.tasks.rehash", "shop.tasks.update_columns"]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("pytest.ini", "[pytest]\nDJANGO_SETTINGS_MODULE = shop.settings_dev\n"),
        ("pyproject.toml", "[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = 'shop.settings_dev'\n"),
        (
            ".github/workflows/ci.yml",
            "jobs:\n  test:\n    env:\n      DJANGO_SETTINGS_MODULE: shop.settings_dev\n",
        ),
        ("tox.ini", "[testenv]\nsetenv =\n    DJANGO_SETTINGS_MODULE=shop.settings_dev\n"),
        # pytest-django's option in ``addopts``
        ("setup.cfg", "[tool:pytest]\naddopts = --verbose --ds=shop.settings_dev --cov=shop\n"),
        ("pyproject.toml", "[tool.pytest.ini_options]\naddopts = ['--ds', 'shop.settings_dev']\n"),
        # the section's name in ``setup.cfg`` before pytest 4
        ("setup.cfg", "[flake8]\nexclude = ve\n\n[pytest]\naddopts = --verbose --ds=shop.settings_dev\n"),
        (None, ""),
    ],
)
def test_settings_module_the_test_runs_select_is_test_code(tmp_path, monkeypatch, capsys, name, text):
    """Eager settings in a module that pytest-django or CI selects for the tests make the tests
    eager, whatever the module is named; the same module selected by nothing does not."""
    import json

    from checker.cli import main

    files = {
        "shop/__init__.py": "",
        "shop/tasks.py": TASKS,
        "shop/views.py": VIEWS,
        "shop/settings_dev.py": EAGER_SETTINGS,
        "shop/tests/__init__.py": "",
        "shop/tests/test_views.py": TEST_PAY,
    }
    if name is not None:
        files[name] = text
    write_tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    main(["check", ".", "--format", "json", "--select", "CT301", "--no-cache"])
    reported = [f["task"] for f in json.loads(capsys.readouterr().out)["findings"]]
    assert reported == ([] if name is not None else ["shop.tasks.send_receipt"])


@pytest.mark.parametrize("nested", [False, True])
def test_settings_the_tests_select_are_eager_through_a_star_import(tmp_path, monkeypatch, capsys, nested):
    """The settings pytest-django selects star-import eager development settings (also when
    the Django project and its pytest configuration sit one directory down)."""
    import json

    from checker.cli import main

    files = {
        "shop/__init__.py": "",
        "shop/tasks.py": TASKS,
        "shop/views.py": VIEWS,
        "shop/settings/__init__.py": "",
        "shop/settings/dev.py": EAGER_SETTINGS,
        "shop/settings/ci.py": "from .dev import *  # noqa\n\nTESTING = True\n",
        "shop/tests/__init__.py": "",
        "shop/tests/test_views.py": TEST_PAY,
        "setup.cfg": "[tool:pytest]\nDJANGO_SETTINGS_MODULE = shop.settings.ci\n",
        "manage.py": "import os\n",
    }
    if nested:
        files = {f"site/{name}": text for name, text in files.items()}
    write_tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    main(["check", ".", "--format", "json", "--select", "CT301", "--no-cache"])
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_a_task_handed_to_a_call_counts_as_sent_under_eager_tests(analyse):
    views = (
        "from shop.dispatch import dispatch\nfrom shop.tasks import send_receipt\n\n"
        "def pay(order):\n    dispatch(send_receipt, order.pk)\n"
    )
    files = {
        "shop/tasks.py": TASKS,
        "shop/dispatch.py": "def dispatch(task, *args):\n    task.delay(*args)\n",
        "shop/views.py": views,
        "shop/settings/test.py": EAGER_SETTINGS,
    }
    assert untested(analyse(files, select=["CT301"])) == []
    # only production code counts: a test handing the task to a helper does not send it
    files["shop/views.py"] = "def pay(order):\n    pass\n"
    files["tests/test_dispatch.py"] = (
        "from shop import dispatch\n\ndef test_it():\n    dispatch.dispatch(object, 1)\n"
    )
    assert untested(analyse(files, select=["CT301"])) == ["shop.tasks.send_receipt"]


@pytest.mark.parametrize(
    "send", ["send_receipt.chunks(zip(ids), 10).apply_async()", "send_receipt.map(ids).delay()"]
)
def test_a_canvas_of_the_task_counts_as_sent_under_eager_tests(analyse, send):
    views = f"from shop.tasks import send_receipt\n\ndef pay(ids):\n    {send}\n"
    files = {"shop/tasks.py": TASKS, "shop/views.py": views, "shop/settings/test.py": EAGER_SETTINGS}
    assert untested(analyse(files, select=["CT301"])) == []
    del files["shop/settings/test.py"]
    assert untested(analyse(files, select=["CT301"])) == ["shop.tasks.send_receipt"]


def test_a_task_bound_to_a_name_counts_as_sent_under_eager_tests(analyse):
    handlers = (
        "from shop import tasks\n\n"
        "def on_change(kind, args):\n    if kind == 'receipt':\n        task = tasks.send_receipt\n"
        "    else:\n        task = tasks.send_refund\n    run(task, args)\n\n"
        "def run(task, args):\n    task.delay(*args)\n"
    )
    files = {
        "shop/tasks.py": TASKS + "\n@shared_task\ndef send_refund(order_id):\n    work()\n",
        "shop/handlers.py": handlers,
        "shop/settings/test.py": EAGER_SETTINGS,
    }
    assert untested(analyse(files, select=["CT301"])) == []
    del files["shop/settings/test.py"]
    assert untested(analyse(files, select=["CT301"])) == ["shop.tasks.send_receipt", "shop.tasks.send_refund"]


def test_a_pytest_plugin_that_runs_tasks_eagerly(tmp_path, monkeypatch, capsys):
    """pytest-invenio's ``app_config`` fixture sets ``CELERY_TASK_ALWAYS_EAGER``: a project whose
    tests depend on it runs tasks eagerly, and the task its tested code sends is not reported."""
    import json

    from checker.cli import main

    files = {
        "shop/__init__.py": "",
        "shop/tasks.py": TASKS,
        "shop/views.py": VIEWS,
        "tests/test_views.py": TEST_PAY,
        "setup.cfg": "[options.extras_require]\ntests =\n    pytest-invenio>=2.0\n",
    }
    write_tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    main(["check", ".", "--format", "json", "--select", "CT301", "--no-cache"])
    assert json.loads(capsys.readouterr().out)["findings"] == []
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = shop\n")
    main(["check", ".", "--format", "json", "--select", "CT301", "--no-cache"])
    assert [f["task"] for f in json.loads(capsys.readouterr().out)["findings"]] == ["shop.tasks.send_receipt"]


def test_a_task_class_is_known_by_the_instance_a_module_holds(analyse):
    """``archive = ArchiveMessages()``: tests reach the task through the instance."""
    tasks = (
        "from celery import Task\n\nclass ArchiveMessages(Task):\n    name = 'shop.tasks.archive_messages'\n\n"
        "    def run(self, day):\n        work(day)\n\narchive = ArchiveMessages()\n"
    )
    test = "from shop import tasks\n\ndef test_archive():\n    tasks.archive('2017-08-09')\n"
    assert untested(analyse({"shop/tasks.py": tasks, "tests/test_tasks.py": test}, select=["CT301"])) == []
    assert untested(analyse({"shop/tasks.py": tasks}, select=["CT301"])) == ["shop.tasks.archive_messages"]


def test_eager_bytes_is_the_case_insensitive_pattern() -> None:
    from checker.testrefs import eager_bytes

    oracle = re.compile(rb"(?i)always_eager|celery(?:_session)?_worker")
    for data in [
        b"CELERY_TASK_ALWAYS_EAGER = True",
        b"task_always_eager",
        b"def test(Celery_Session_Worker): ...",
        b"celery_worker",
        b"celery_session_workers",
        b"always eager",
        b"celery-worker",
        b"",
    ]:
        assert eager_bytes(data) is (oracle.search(data) is not None), data
