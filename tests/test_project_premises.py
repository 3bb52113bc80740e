"""Project rules whose premise depends on the project: result backend, serializer, task options,
and the shape of loops and transactions around an enqueue (CT105, CT106, CT404, CT407, CT501,
CT503, CT504)."""

from __future__ import annotations

import pytest

TASK = "from celery import shared_task\n\n@shared_task\ndef f():\n    g()\n\n\ndef later():\n    f.delay()\n"


def messages(result, code):
    return [f.message for f in result.findings if f.code == code]


@pytest.mark.parametrize(
    ("setting", "reported"),
    [
        ("CELERY_RESULT_BACKEND = 'redis://localhost'\n", True),
        ("CELERY_RESULT_BACKEND = CELERY_BROKER_URL\n", True),  # set, value unknown
        ("import os\nCELERY_RESULT_BACKEND = os.environ['RESULTS']\n", True),  # required
        ("import os\nCELERY_RESULT_BACKEND = os.environ.get('RESULTS', 'redis://')\n", True),
        ("import os\nCELERY_RESULT_BACKEND = os.environ.get('RESULTS', None)\n", False),
        ("import os\nCELERY_RESULT_BACKEND = os.environ.get('RESULTS')\n", False),
        ("import os\nCELERY_RESULT_BACKEND = os.getenv('RESULTS', '')\n", False),
        ("CELERY_RESULT_BACKEND = env('RESULTS', default=None)\n", False),
        ("CELERY_RESULT_BACKEND = None\n", False),
        ("CELERY_BROKER_URL = 'redis://'\n", False),
    ],
)
def test_unused_result_needs_a_result_backend_in_the_code(analyse, setting, reported):
    result = analyse({"proj/settings.py": setting, "proj/tasks.py": TASK}, select=["CT501"])
    assert bool(messages(result, "CT501")) is reported


@pytest.mark.parametrize(
    "app",
    [
        "from celery import Celery\n\napp = Celery('proj', backend='rpc://')\n",
        "from celery import Celery\n\napp = Celery('proj')\napp.conf.result_backend = 'redis://'\n",
        "from celery import Celery\n\napp = Celery('proj')\napp.conf.update(result_backend='redis://')\n",
    ],
)
def test_result_backend_in_the_app(analyse, app):
    result = analyse({"proj/celery.py": app, "proj/tasks.py": TASK}, select=["CT501"])
    assert messages(result, "CT501")


def test_a_backend_in_test_settings_does_not_count(analyse):
    result = analyse(
        {"proj/settings/test.py": "CELERY_RESULT_BACKEND = 'redis://'\n", "proj/tasks.py": TASK},
        select=["CT501"],
    )
    assert messages(result, "CT501") == []


def test_pickled_results_are_a_result_store_risk(analyse):
    files = {"proj/settings.py": "CELERY_RESULT_SERIALIZER = 'pickle'\nCELERY_RESULT_BACKEND = 'redis://'\n"}
    (message,) = messages(analyse(files, select=["CT404"]), "CT404")
    assert "result backend" in message and "broker" not in message
    files = {"proj/settings.py": "CELERY_RESULT_SERIALIZER = 'pickle'\n"}
    assert messages(analyse(files, select=["CT404"]), "CT404") == []


BEAT = "CELERY_BEAT_SCHEDULE = {'s': {'task': 'proj.tasks.sync', 'schedule': 60}}\n"


@pytest.mark.parametrize(
    ("tasks", "settings", "reported"),
    [
        ("@shared_task\ndef sync():\n    work()\n", "", True),
        ("@shared_task(expires=60)\ndef sync():\n    work()\n", "", False),
        ("@shared_task(expires=None)\ndef sync():\n    work()\n", "", True),
        ("@shared_task(**OPTIONS)\ndef sync():\n    work()\n", "", False),  # may set it
        (
            "@shared_task\ndef sync():\n    work()\n",
            "CELERY_TASK_ANNOTATIONS = {'*': {'expires': 60}}\n",
            False,
        ),
        (
            "class Sync(Task):\n    name = 'proj.tasks.sync'\n    expires = 60\n\n    def run(self):\n"
            "        pass\n",
            "",
            False,
        ),
    ],
)
def test_beat_entries_honour_the_tasks_own_expires(analyse, tasks, settings, reported):
    result = analyse(
        {
            "proj/settings.py": BEAT + settings,
            "proj/tasks.py": "from celery import Task, shared_task\n\n" + tasks,
        },
        select=["CT407"],
    )
    assert bool(messages(result, "CT407")) is reported


def test_time_limit_and_ignore_result_read_the_same_places(analyse):
    """CT201 and CT501 see options on the base class and in task_annotations alike."""
    base = (
        "from celery import Celery, Task\n\napp = Celery('proj', backend='redis://')\n\n"
        "class Base(Task):\n    time_limit = 60\n    ignore_result = True\n\n"
        "@app.task(base=Base)\ndef f():\n    g()\n"
    )
    assert analyse({"proj/tasks.py": base}, select=["CT201", "CT501"]).findings == []
    annotated = (
        "from celery import Celery\n\napp = Celery('proj', backend='redis://')\n"
        "app.conf.task_annotations = {'proj.tasks.f': {'time_limit': 60, 'ignore_result': True}}\n\n"
        "@app.task\ndef f():\n    g()\n"
    )
    assert analyse({"proj/tasks.py": annotated}, select=["CT201", "CT501"]).findings == []


MODEL_TASK = (
    "from celery import shared_task\nfrom shop.models import Order\n\n"
    "@shared_task{options}\ndef send(order: Order):\n    order.sent = True\n    order.save()\n"
)
CALLER = "from shop.tasks import send\n\ndef view(pk):\n    order = Order.objects.get(pk=pk)\n    send.delay(order)\n"


@pytest.mark.parametrize(
    ("settings", "options", "expected"),
    [
        ("", "", "JSON serializer cannot carry"),
        ("CELERY_TASK_SERIALIZER = 'json'\n", "", "JSON serializer cannot carry"),
        (
            "CELERY_TASK_SERIALIZER = 'signed-pickle'\n",
            "",
            "`signed-pickle` serializer sends as a stale snapshot taken when the task was queued, and the task saves it back",
        ),
        ("CELERY_TASK_SERIALIZER = 'pickle'\n", "(serializer='json')", "JSON serializer cannot carry"),
        ("", "(serializer='pickle')", "`pickle` serializer sends as a stale snapshot"),
        ("CELERY_TASK_SERIALIZER = 'seed_json'\n", "", "`seed_json` either cannot serialize or sends"),
        ("CELERY_TASK_SERIALIZER = SERIALIZER\n", "", "the configured serializer either cannot"),
        (
            "CELERY_TASK_ANNOTATIONS = {'shop.tasks.send': {'serializer': 'pickle'}}\n",
            "",
            "`pickle` serializer sends as a stale snapshot",
        ),
    ],
)
def test_object_messages_are_worded_for_the_serializer(analyse, settings, options, expected):
    result = analyse(
        {
            "proj/settings.py": settings or "DEBUG = False\n",
            "shop/tasks.py": MODEL_TASK.format(options=options),
            "shop/views.py": CALLER,
        },
        select=["CT105", "CT106"],
    )
    found = messages(result, "CT105") + messages(result, "CT106")
    assert len(found) == 2, result.findings
    assert all(expected in m for m in found), found


def test_under_pickle_a_snapshot_the_task_only_reads_is_not_reported(analyse):
    reading = MODEL_TASK.replace("    order.sent = True\n    order.save()\n", "    print(order.total)\n")
    files = {"proj/settings.py": "CELERY_TASK_SERIALIZER = 'pickle'\n", "shop/views.py": CALLER}
    result = analyse({**files, "shop/tasks.py": reading.format(options="")}, select=["CT105", "CT106"])
    assert result.findings == []
    # a request cannot be pickled at all: still reported
    audit = "from celery import shared_task\n\n@shared_task\ndef audit(request):\n    work()\n"
    sends = "from shop.tasks import audit\n\ndef view(request):\n    audit.delay(request)\n"
    result = analyse({**files, "shop/tasks.py": audit, "shop/views.py": sends}, select=["CT106"])
    assert ["even the `pickle` serializer cannot carry" in f.message for f in result.findings] == [True]


def test_settings_modules_that_disagree_on_the_serializer(analyse):
    result = analyse(
        {
            "proj/settings/production.py": "CELERY_TASK_SERIALIZER = 'pickle'\n",
            "proj/settings/development.py": "CELERY_TASK_SERIALIZER = 'json'\n",
            "shop/tasks.py": MODEL_TASK.format(options=""),
        },
        select=["CT105"],
    )
    (message,) = messages(result, "CT105")
    assert "the configured serializer either cannot serialize or sends as a stale snapshot" in message


@pytest.mark.parametrize(
    ("call", "reported"),
    [
        ("send.delay(1)", False),
        ("send.apply_async((1,), countdown=3)", False),
        ("send.apply_async(kwargs={'order_id': 1})", False),
        ("send.si(1)", False),
        ("send.delay(1, order)", True),
        ("send.delay(1, order=order)", True),
        ("send.apply_async((1, order))", True),
        ("send.apply_async(args)", True),  # cannot tell
        ("send.delay(*args)", True),
        ("send.s(1)", True),  # a partial signature: a chain may add it
    ],
)
def test_optional_object_parameter_reported_only_when_some_caller_may_pass_it(analyse, call, reported):
    result = analyse(
        {
            "shop/tasks.py": "from celery import shared_task\nfrom shop.models import Order\n\n"
            "@shared_task(bind=True)\ndef send(self, order_id, order: Order | None = None):\n    work()\n",
            "shop/views.py": f"from shop.tasks import send\n\ndef view(order, args):\n    {call}\n",
        },
        select=["CT105"],
    )
    assert bool(messages(result, "CT105")) is reported


LOOP_TASK = "from celery import shared_task\n\n@shared_task\ndef send(x):\n    work()\n\n"


@pytest.mark.parametrize(
    ("loop", "reported"),
    [
        ("for x in xs:\n        out.append(send.delay(x))\n", True),
        (
            "for x in xs:\n        try:\n            out.append(send.delay(x.pk))\n        except Exception:\n            pass\n",
            True,
        ),
        # an earlier statement may leave the iteration: not every iteration sends
        ("for x in xs:\n        if not x:\n            continue\n        out.append(send.delay(x))\n", False),
        ("for x in xs:\n        if x.last:\n            break\n        out.append(send.delay(x))\n", False),
        # not collected: one message per item is what a group would publish too
        ("for x in xs:\n        send.delay(x)\n", False),
        ("[send.delay(x) for x in xs]\n", False),
        # collected: a comprehension, a yield, a name kept
        ("return [send.delay(x) for x in xs]\n", True),
        ("for x in xs:\n        yield send.delay(x)\n", True),
        ("for x in xs:\n        r = send.apply_async((x,))\n        out.add(r)\n", True),
        ("return {x: send.delay(x) for x in xs}\n", True),
        ("for x in xs:\n        if x.ok:\n            out.append(send.delay(x))\n", False),
        (
            "for x in xs:\n        match x:\n            case 'a':\n                out.append(send.delay(x))\n",
            False,
        ),
        (
            "for x in xs:\n        try:\n            g(x)\n        except KeyError:\n            out.append(send.delay(x))\n",
            False,
        ),
        ("return [send.delay(x) for x in xs if x]\n", False),
        ("for x in xs:\n        out.append(send.delay(1))\n", False),
        ("for x in send.delay(xs).get():\n        pass\n", False),
        ("for x in xs:\n        pass\n    else:\n        out.append(send.delay(x))\n", False),
        ("for batch in xs:\n        out.append(send.delay(batch))\n", False),
        ("for ids in chunked(xs, 10):\n        out.append(send.delay(ids))\n", False),
        ("for ids in grouper(xs, 10):\n        out.append(send.delay(ids))\n", False),
        ("for i in range(0, len(xs), 10):\n        out.append(send.delay(xs[i : i + 10]))\n", False),
        ("for ids in id_chunks:\n        out.append(send.delay(ids))\n", False),
        ("while xs:\n        x = xs.pop()\n        out.append(send.delay(x))\n", True),
    ],
)
def test_enqueue_in_loop_is_fan_out_only(analyse, loop, reported):
    result = analyse({"proj/tasks.py": LOOP_TASK + f"def run(xs):\n    {loop}"}, select=["CT503"])
    assert bool(messages(result, "CT503")) is reported


TX = "from celery import shared_task\nfrom django.db import transaction\n\n@shared_task\ndef send(x):\n    work()\n\n"


@pytest.mark.parametrize(
    ("code", "reported"),
    [
        (
            "with transaction.atomic():\n        Order.objects.filter(pk=x).update(paid=True)\n        send.delay(x)\n",
            True,
        ),
        ("with transaction.atomic():\n        order.items.add(item)\n        send.delay(x)\n", True),
        (
            "with transaction.atomic():\n        Order.objects.bulk_create(rows)\n        send.delay(x)\n",
            True,
        ),
        ("with transaction.atomic():\n        process(order)\n        send.delay(x)\n", True),  # unknown
        ("with transaction.atomic():\n        order.mark_paid()\n        send.delay(x)\n", True),  # unknown
        ("with transaction.atomic():\n        send.delay(x)\n        order.save()\n", False),  # after
        (
            "with transaction.atomic():\n        rows = list(Order.objects.filter(pk=x).values_list('pk'))\n"
            "        logger.info('rows %s', len(rows))\n        send.delay(x)\n",
            False,
        ),
        ("with transaction.atomic(using='replica'):\n        process(order)\n        send.delay(x)\n", False),
        (
            "with transaction.atomic(using=READ_ONLY_DB):\n        process(order)\n        send.delay(x)\n",
            False,
        ),
        ("with transaction.atomic(using='default'):\n        process(order)\n        send.delay(x)\n", True),
        ("order.save()\n    with transaction.atomic():\n        send.delay(x)\n", False),  # outside
    ],
)
def test_enqueue_in_transaction_needs_something_to_commit(analyse, code, reported):
    result = analyse({"proj/tasks.py": TX + f"def run(x, order, item, rows):\n    {code}"}, select=["CT504"])
    assert bool(messages(result, "CT504")) is reported


# What the project does with a task decides CT501 and CT506 (enqueue sites, canvases, names) --------
HELPER = "from celery import shared_task\n\n@shared_task\ndef purge(org_id, kind):\n    work()\n\n"
INLINE_CALLER = (
    "@shared_task\ndef purge_orgs(org_ids):\n    for org_id in org_ids:\n        purge(org_id, {arg})\n"
    "    audit(org_ids)\n"
)


@pytest.mark.parametrize(
    ("elsewhere", "reported"),
    [
        ({}, False),  # only ever called: a helper with a decorator
        (
            {
                "tests/test_tasks.py": "from proj.tasks import purge\n\ndef test_purge():\n    purge.delay(1, 'a')\n"
            },
            False,
        ),
        (
            {"proj/views.py": "from proj.tasks import purge\n\ndef view(pk):\n    purge.delay(pk, 'a')\n"},
            True,
        ),
        (
            {
                "proj/views.py": "from proj.celery import app\n\ndef view(pk):\n    app.send_task('proj.tasks.purge', (pk, 'a'))\n"
            },
            True,
        ),
        ({"proj/settings.py": "CELERY_TASK_ROUTES = {'proj.tasks.purge': {'queue': 'slow'}}\n"}, True),
        (
            {
                "proj/views.py": "from celery import chain\nfrom proj.tasks import purge\n\ndef view(pk):\n"
                "    chain(purge.si(pk, 'a'), purge.si(pk, 'b'))()\n"
            },
            True,
        ),
    ],
)
def test_synchronous_call_needs_the_task_sent_elsewhere(analyse, elsewhere, reported):
    files = {"proj/tasks.py": HELPER + INLINE_CALLER.format(arg="'a'"), **elsewhere}
    assert bool(messages(analyse(files, select=["CT506"]), "CT506")) is reported


@pytest.mark.parametrize(
    ("arg", "serializer", "reported"),
    [
        ("'a'", "json", True),
        ("TaxLot", "json", False),  # a class: `.delay()` would fail to encode it
        ("Exporter(org_id)", "seed_json", False),  # a project's JSON variant
        ("TaxLot", "pickle", True),  # pickle carries it
        ("MAX_ROWS", "json", True),  # a constant, not a class
    ],
)
def test_synchronous_call_with_an_object_argument(analyse, arg, serializer, reported):
    files = {
        "proj/settings.py": f"CELERY_TASK_SERIALIZER = {serializer!r}\n",
        "proj/tasks.py": HELPER + INLINE_CALLER.format(arg=arg),
        "proj/views.py": "from proj.tasks import purge\n\ndef view(pk):\n    purge.delay(pk, 'a')\n",
    }
    assert bool(messages(analyse(files, select=["CT506"]), "CT506")) is reported


@pytest.mark.parametrize(
    ("send", "reported"),
    [
        ("f.delay()\n", True),
        ("f.si().apply_async(countdown=5)\n", True),  # a signature applied at once
        ("return f.delay()\n", False),
        ("job.task_id = f.apply_async().id\n", False),  # kept to revoke or poll
        ("chord([f.s(), f.s()])(done.s())\n", False),  # a chord header stores its result
        ("(f.s() | done.s())()\n", False),
        ("app.send_task('proj.tasks.f')\n", False),  # its result may be read
        ("pass\n", False),  # never sent
    ],
)
def test_unused_result_needs_every_send_to_drop_it(analyse, send, reported):
    files = {
        "proj/settings.py": "CELERY_RESULT_BACKEND = 'redis://'\n",
        "proj/tasks.py": TASK.split("\n\n\ndef later")[0] + "\n\n@shared_task\ndef done(_):\n    return 1\n",
        "proj/views.py": "from celery import chord\nfrom proj.celery import app\nfrom proj.tasks import done, f\n\n"
        f"def later(job):\n    {send}",
    }
    assert bool(messages(analyse(files, select=["CT501"]), "CT501")) is reported
