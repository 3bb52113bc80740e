from __future__ import annotations

from collections.abc import Iterator

from checker.model import Section, Severity
from checker.project import ProjectContext
from checker.rules.base import ProjectReport, Rule


class SynchronousTaskCall(Rule):
    """
    ## What it does
    Checks for a task that calls another of the project's tasks directly, `other_task(...)`,
    instead of enqueueing it, when the project also sends that other task as a message
    somewhere (outside tests): `.delay`, `.apply_async`, `.delay_on_commit`, a signature
    (`.s`/`.si`/`.signature`/`.subtask`, in a canvas or a `link=`), a beat entry, a route or
    `send_task` naming it. It is then meant to run as a task, and this call skips that.

    Reported only where the call is the last action of a loop's iteration (`for version in
    versions: reindex(version)`, also as the last statement of an `if` or `with` there): the
    caller runs one item after another, each of which could be a message of its own. A call
    made once, between other work, is not reported: the caller often needs it finished before
    it goes on (it reads back what the call wrote, to a database or another service; calls that
    write the same thing must stay in order), which a static reading cannot tell apart.

    Not reported either:
    - a "task" the project only ever calls directly: a helper that happens to carry the
      decorator, where "enqueue it" is not the remedy;
    - a call that is the task's whole body (ignoring a docstring: `return other_task(a, b)` or
      `other_task(*args, **kwargs)` alone, passing on only the task's own parameters): such a
      task is an alias, kept so that messages queued under an old name still run;
    - a call that is the task's last action, outside any loop (`collect(); notify_all(ids)`,
      also the last statement of a final `if` without `else`, `if failed: notify(failed)`, and
      before a final `return` of nothing or of a name): the task hands its work on once, at its end; running it
      inline costs the caller's slot no more than a queue hop would save, and the callee's own
      failure still fails this run, where it is seen;
    - a call whose value the caller uses (assigned, returned, passed on): `.delay()` would hand
      it an AsyncResult, so it is no drop-in replacement, and restructuring into a chain is a
      design choice the code does not tell us about;
    - a call in one branch of an `if` whose other branch enqueues the same task (`if
      settings.RUN_ASYNC: child.delay(x) else: child(x)`): the project chooses the mode;
    - a call in the body of a `try` with `except` handlers: the caller handles its failures
      (and often acts on its success, in `else` or after it), which `.delay()` would move into
      another worker;
    - a call after which the caller reads, tests or removes a file whose path went into the
      call's arguments (directly, or through a name bound to text made of it: `cmd = f"tool -o
      {out}"`, `run_command(cmd)`, then `open(out)`, `os.path.isfile(out)`, `os.remove(out)`):
      the caller needs the call finished, which `.delay()` would not wait for;
    - a call passing an argument that is evidently a class or an object (`TaxLot`,
      `Exporter(...)`, a name bound to one) unless the task's serializer is pickle: a JSON-like
      serializer could not send it, so `.delay()` would fail.

    ## Why is this bad?
    Calling a task object runs its function inline, in the calling worker: no separate retry,
    time limit, queue or result of its own, and in a loop the caller holds its slot for every
    item in turn, where enqueued items would run side by side on the free workers. If that is
    what you want, call a plain function both tasks share; otherwise enqueue the other task for
    each item (or send a `group`).

    ## Example
    ```python
    @shared_task
    def import_feeds(urls):
        for url in urls:
            reindex(fetch(url))  # another task, run inline, one feed after another
        notify_done(urls)
    ```

    ## Use instead
    ```python
    @shared_task
    def import_feeds(urls):
        for url in urls:
            reindex.delay(fetch(url))
        notify_done(urls)
    ```
    """

    code = "CT506"
    name = "synchronous-task-call"
    section = Section.OPTIMIZED
    severity = Severity.INFO
    checklist = "Enqueues other tasks instead of calling them"
    VALID = [
        # once, between other work: the caller may need it finished before it goes on
        "from celery import shared_task\n\n@shared_task\ndef create_label(label, pk):\n    pass\n\n"
        "@shared_task\ndef check(pk):\n    create_label('INJ', pk)\n    labels = get_labels(pk)\n    notify(labels)\n\n"
        "def later(pk):\n    create_label.delay('DQOK', pk)\n",
        # in a loop, but not the iteration's last action: the rest of the iteration may need it
        "from celery import shared_task\n\n@shared_task\ndef send_mail(pk):\n    pass\n\n"
        "@shared_task\ndef flush(rows):\n    for row in rows:\n        send_mail(row.pk)\n        row.delete()\n\n"
        "def later(pk):\n    send_mail.delay(pk)\n",
        # a switch between sending and running inline, chosen by a setting
        "from celery import shared_task\nfrom django.conf import settings\n\n"
        "@shared_task\ndef reindex(row):\n    pass\n\n"
        "@shared_task\ndef import_feed(rows):\n    for row in rows:\n        if settings.RUN_ASYNC:\n"
        "            reindex.delay(row)\n        else:\n            reindex(row)\n    notify(rows)\n",
        # the last statement: the task hands its work on once, at its end
        "from celery import shared_task\n\n@shared_task\ndef reindex(rows):\n    pass\n\n"
        "@shared_task\ndef import_feed(url):\n    rows = fetch(url)\n    reindex(rows)\n\n"
        "def refresh(rows):\n    reindex.delay(rows)\n",
        "from celery import shared_task\n\n@shared_task\ndef reindex(rows):\n    pass\n\n"
        "@shared_task\ndef import_feed(url):\n    reindex.delay([url])\n",
        # a decorated helper: never sent as a message anywhere, only called
        "from celery import shared_task\n\n@shared_task\ndef reindex(rows):\n    pass\n\n"
        "@shared_task\ndef import_feed(url):\n    reindex([url])\n",
        # the last action, in a final ``if``, before the task returns what it collected
        "from celery import shared_task\n\n@shared_task\ndef notify(ids):\n    pass\n\n"
        "@shared_task\ndef sync(rows):\n    failed = [r for r in rows if not push(r)]\n    if failed:\n"
        "        notify(failed)\n    return failed\n\n"
        "def later(ids):\n    notify.delay(ids)\n",
        # the value is used: `.delay()` is no drop-in replacement
        "from celery import shared_task\n\n@shared_task\ndef reindex(rows):\n    return len(rows)\n\n"
        "@shared_task\ndef import_feed(url):\n    count = reindex([url])\n    log(count)\n\n"
        "def refresh(rows):\n    reindex.delay(rows)\n",
        # a class or an object as argument: the JSON serializer could not send it
        "from celery import shared_task\n\n@shared_task\ndef purge(org, model):\n    pass\n\n"
        "@shared_task\ndef purge_org(org):\n    purge(org, TaxLot)\n    exporter = Exporter(org)\n"
        "    purge(org, exporter)\n\ndef purge_later(org):\n    purge.delay(org, 'taxlot')\n",
        "from celery import shared_task\n\ndef _reindex(rows):\n    pass\n\nreindex = shared_task(_reindex)\n\n"
        "@shared_task\ndef import_feed(url):\n    _reindex([url])\n",
        # the caller then reads the file the call writes: it needs the call finished
        "import os\nfrom celery import shared_task\n\n@shared_task\ndef run_command(cmd):\n    pass\n\n"
        "@shared_task\ndef scan(host, out):\n    output_file = f'{out}/nmap.xml'\n"
        "    cmd = f'nmap -oX {output_file} {host}'\n    run_command(cmd, shell=True)\n"
        "    if os.path.isfile(output_file):\n        parse(output_file)\n\n"
        "def later(cmd):\n    run_command.delay(cmd)\n",
        # ... or removes the file it gave the call
        "import os\nimport tempfile\nfrom celery import shared_task\n\n"
        "@shared_task\ndef send_mail(to, attachment=None):\n    pass\n\n"
        "@shared_task\ndef summary(to):\n    _, path = tempfile.mkstemp()\n    write(path)\n"
        "    send_mail(to, attachment=path)\n    os.remove(path)\n\n"
        "def later(to):\n    send_mail.delay(to)\n",
        # the caller handles the call's failures and acts on its success
        "from celery import shared_task\n\n@shared_task\ndef notify(pk):\n    pass\n\n"
        "@shared_task\ndef close(versions):\n    for v in versions:\n        try:\n            notify(v.pk)\n"
        "        except TokenError:\n            log(v)\n        else:\n            v.delete()\n\n"
        "def later(pk):\n    notify.delay(pk)\n",
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\ndef reindex(rows):\n    pass\n\n"
        "@shared_task\ndef import_feed(urls):\n    for url in urls:\n        reindex([url])\n    notify(urls)\n\n"
        "def refresh(rows):\n    reindex.delay(rows)\n",
        # ``True`` is a constant, not a class the serializer could not carry; the last action of
        # a final ``if`` in the loop
        "from celery import shared_task\n\n@shared_task\ndef reindex(rows, force=False):\n    pass\n\n"
        "@shared_task\ndef import_feed(urls):\n    for url in urls:\n        log(url)\n"
        "        if url.changed:\n            reindex([url], force=True)\n    notify(urls)\n\n"
        "def refresh(rows):\n    reindex.delay(rows)\n",
        {
            "shop/search.py": "from celery import shared_task\n\n@shared_task\ndef reindex(rows):\n    pass\n",
            "shop/feeds.py": "from celery import shared_task\nfrom shop import search\n\n"
            "@shared_task(bind=True)\ndef import_feed(self, urls):\n    for url in urls:\n"
            "        search.reindex([url])\n",
            "shop/views.py": "from shop.search import reindex\n\ndef refresh(rows):\n"
            "    reindex.apply_async((rows,), queue='search')\n",
        },
        {  # sent by beat under its registered name, called inline here; not the whole body
            "shop/settings.py": "CELERY_BEAT_SCHEDULE = {'r': {'task': 'shop.search.reindex', 'schedule': 60}}\n",
            "shop/search.py": "from celery import shared_task\n\n@shared_task\ndef reindex(rows=None):\n    pass\n\n"
            "@shared_task\ndef import_feed(url):\n    rows = [url]\n    while rows:\n        reindex([rows.pop()])\n"
            "    return len(rows)\n",
        },
    ]

    def check_project(self, project: ProjectContext) -> Iterator[ProjectReport]:
        tasks = project.task_objects()
        callers = project.task_by_key()
        for facts in project.files:
            for call in facts.direct_calls:
                task = tasks.get(call.target)
                caller = callers.get(call.caller)
                if task is None or caller is None or task.key == caller.key or call.forwards or call.tail:
                    continue
                if not call.iteration_tail:
                    continue  # once, between other work: the caller may need it finished there
                if call.switched or call.file_after:
                    continue  # ``if RUN_ASYNC: child.delay(x) else: child(x)``: a chosen mode;
                    # ``run(cmd)`` then ``open(out)``: the caller needs the call finished
                if call.result_used or call.handled or not project.is_enqueued(task):
                    continue
                if call.opaque_argument is not None and not _pickles(project.config.serializer(task)):
                    continue
                yield ProjectReport(
                    call.where,
                    f"`{task.name}` is called directly in a loop and runs inline in this worker, one item after "
                    "another: enqueue it with `.delay()`",
                    caller,
                )


def _pickles(serializer: object) -> bool:
    """The serializer carries any Python object (pickle and its signed variants)."""
    return isinstance(serializer, str) and "pickle" in serializer
