from __future__ import annotations

from collections.abc import Iterator
from typing import cast

import libcst as cst

from checker import body, loggers
from checker.model import Finding, Section, Severity
from checker.project import ProjectContext
from checker.rules.base import FileContext, Report, TaskRule
from checker.tasks import TaskDef
from checker.values import dotted_name


class SwallowedException(TaskRule):
    """
    ## What it does
    Checks for handlers in the task body that catch everything (`except:`, `except Exception`,
    `except BaseException`) and then neither re-raise, nor retry, nor log.

    A handler reports its error, and is not reported, when it:
    - re-raises, or calls `.retry(...)`;
    - calls a logger or `logging` method (`logger.exception(...)`, `log.warning(...)`),
      `capture_exception`/`capture_message` (Sentry), or `traceback.print_exc()`;
    - passes the caught exception, or text made from it (`str(e)`, `repr(e)`, an f-string,
      `.format()` or `%` of it, `traceback.format_exc()`), to any call other than a builtin
      conversion: `log_exception(e)`, `report(e)`, `self.update_state(meta=str(e))`,
      `errors.append(e)`;
    - stores such text on an object (`job.error = str(e)`), returns it
      (`return {"error": str(e)}`: the error is the task's result), or keeps it in a variable
      that the task reads after the handler;
    - records the failure in a local collection or counter that the task reads after the
      handler (`failed.append(row.id)`, `failed[row.id] = ...`, `errors += 1`, then
      `logger.warning("failed: %s", failed)` or `return failed`), whatever it puts there;
    - calls a function of the project that logs: a module-level function or a method of a
      module-level class, in any file, whose body logs, or calls one that does (one level
      deeper). Functions the analyser cannot see can be named in the `logging-helpers`
      setting (`["proj.utils.report_error"]`; a name also matches by its last parts).

    Not reported either: the handler of a `try` whose body is a single `Model.objects.get(...)`
    lookup (or SQLAlchemy's `session.query(M).filter(...).one()`, `.scalar_one()`). There the
    broad `except` stands for `DoesNotExist` (the row is then created or
    skipped): catching `Model.DoesNotExist` would be better, but the expected outcome of a
    lookup is not a lost failure.

    Nor the handler of a `try` that only cleans up (`shutil.rmtree(tmp)`, `os.remove(path)`,
    `path.unlink()`, `f.close()`, Django's `default_storage.delete(name)`: a leftover file loses
    no work; `app.control.revoke(task_id)`, `revoke(...)`, `result.revoke()`: cancelling another
    task is best effort, and one that already ended needs no revoking), nor one that falls back to a
    new object when a lookup fails (`try: obj = Model.objects.get(...)` and the handler binds
    `obj = Model(...)`: get-or-create, the task carries on).

    Nor the handler of a `try` that only computes values into names (or attributes of a name)
    when the handler only gives some of those a literal default (`try: ratio = round(a / b, 2)` /
    `except: ratio = 0`, `try: state = json.loads(raw)` / `except: state = {}`, `row.size =
    Decimal(-1)`): a fallback value, the task carries on. The same when the default is set
    before the `try`, whose body only assigns those names (also under `if`/`else`), and the
    handler only passes (`reason = "Unknown"` / `try: reason = json.loads(text)["reason"]` /
    `except Exception: pass`).

    When handlers that report nothing are nested, only the innermost is reported: an outer
    handler that logs does not excuse an inner `except Exception: pass`.

    ## Why is this bad?
    The task ends as SUCCESS, so nothing retries it, no failure handler runs and no monitoring
    sees the error. `SoftTimeLimitExceeded` is caught too, so the time limit no longer stops the
    task cleanly. The work is lost without a trace.

    ## Example
    ```python
    @shared_task
    def sync_contact(contact_id):
        try:
            crm.push(contact_id)
        except Exception:
            pass
    ```

    ## Use instead
    ```python
    @shared_task
    def sync_contact(contact_id):
        try:
            crm.push(contact_id)
        except crm.Unavailable:
            logger.warning("CRM unavailable, contact %s not synced", contact_id)
    ```
    """

    code = "CT207"
    name = "swallowed-exception"
    section = Section.RESILIENT
    severity = Severity.WARNING
    checklist = "Failures are raised, retried or logged"
    VALID = [
        "from celery import shared_task\n\n@shared_task\ndef f():\n    try:\n        g()\n"
        "    except Exception:\n        logger.exception('g failed')\n",
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n    try:\n"
        "        g()\n    except Exception as exc:\n        raise self.retry(exc=exc)\n",
        "from celery import shared_task\n\n@shared_task\ndef f():\n    try:\n        g()\n"
        "    except KeyError:\n        pass\n",
        # the exception is handed to a helper, or its text to a call
        "from celery import shared_task\nfrom proj.utils import log_exception\n\n@shared_task\ndef f():\n"
        "    try:\n        g()\n    except Exception as e:\n        log_exception(e)\n",
        "from celery import shared_task\n\n@shared_task(bind=True)\ndef f(self):\n    try:\n        g()\n"
        "    except Exception as e:\n        self.update_state(state='FAILURE', meta={'error': f'{e}'})\n",
        "import traceback\nfrom celery import shared_task\n\n@shared_task\ndef f(job):\n    try:\n"
        "        g()\n    except Exception:\n        job.error = traceback.format_exc()\n        job.save()\n",
        # the error text is the task's result
        "from celery import shared_task\n\n@shared_task\ndef f():\n    try:\n        g()\n"
        "    except (ValueError, BaseException) as e:\n        return {'error': str(e)}\n",
        # kept and reported after the handler
        "from celery import shared_task\n\n@shared_task\ndef f(rows):\n    message = None\n"
        "    for row in rows:\n        try:\n            g(row)\n        except Exception as e:\n"
        "            message = 'row %s: %s' % (row, e)\n            break\n    return message\n",
        # the failing rows are recorded, and the record is logged after the loop
        "from celery import shared_task\n\n@shared_task\ndef f(rows):\n    failed = []\n"
        "    for row in rows:\n        try:\n            g(row)\n        except Exception:\n"
        "            failed.append(row.id)\n    if failed:\n        logger.warning('failed: %s', failed)\n",
        # a lookup whose absence is expected
        "from celery import shared_task\n\n@shared_task\ndef f(name):\n    try:\n"
        "        Column.objects.get(name=name)\n    except Exception:\n"
        "        Column.objects.create(name=name)\n",
        # SQLAlchemy's lookup of one row
        "from celery import shared_task\n\n@shared_task\ndef f(task_id):\n    try:\n"
        "        row = session.query(Job).filter(Job.task_id == task_id).one()\n    except:\n"
        "        return\n    row.state = 'FAILED'\n",
        # a fallback value
        "from celery import shared_task\n\n@shared_task\ndef f(total, count):\n    try:\n"
        "        ratio = round(total / count, 2)\n    except Exception:\n        ratio = 0\n    save(ratio)\n",
        # a fallback value on the object, which the task saves either way
        "from decimal import Decimal\nfrom celery import shared_task\n\n@shared_task\ndef f(rows):\n"
        "    for row in rows:\n        try:\n            row.size = Decimal(row.file.size)\n"
        "        except Exception:\n            row.size = Decimal(-1)\n        finally:\n"
        "            row.save()\n",
        # best-effort cancelling of another task
        "from celery import shared_task\n\n@shared_task\ndef f(scan):\n    for job in scan.jobs:\n"
        "        try:\n            app.control.revoke(job.task_id, terminate=True)\n"
        "        except Exception:\n            pass\n    scan.stop()\n",
        # a default set before the ``try``, which only refines it
        "import json\nfrom celery import shared_task\n\n@shared_task\ndef f(text):\n"
        "    reason = 'Unknown'\n    try:\n        if 'reason' in json.loads(text):\n"
        "            reason = json.loads(text)['reason']\n    except Exception:\n        pass\n"
        "    record(reason, text)\n",
        # best-effort clean-up
        "import shutil\nfrom celery import shared_task\n\n@shared_task\ndef f(tmp):\n    work(tmp)\n"
        "    try:\n        shutil.rmtree(tmp)\n    except Exception:\n        pass\n",
        # the local copy removed after an upload, best effort
        "from celery import shared_task\nfrom django.core.files.storage import default_storage\n\n"
        "@shared_task\ndef f(name):\n    upload(name)\n    try:\n        default_storage.delete(name)\n"
        "    except Exception:\n        pass\n",
        # get-or-create: the task carries on with a new object
        "from celery import shared_task\n\n@shared_task\ndef f(pk):\n    try:\n"
        "        job = Job.objects.get(pk=pk)\n        job.status = 'running'\n    except Exception:\n"
        "        job = Job(pk=pk)\n    job.save()\n",
        # a project function that logs, in another file
        {
            "proj/alerts.py": "import logging\n\nlogger = logging.getLogger(__name__)\n\n"
            "def notify_failure(job_id):\n    logger.exception('job %s failed', job_id)\n",
            "proj/tasks.py": "from celery import shared_task\nfrom proj.alerts import notify_failure\n\n"
            "@shared_task\ndef f(job_id):\n    try:\n        g()\n    except Exception:\n"
            "        notify_failure(job_id)\n",
        },
        # ... or one call deeper
        {
            "proj/alerts.py": "import logging\n\nlogger = logging.getLogger(__name__)\n\n"
            "def _log(job_id):\n    logger.error('job %s failed', job_id)\n\n"
            "def notify_failure(job_id):\n    _log(job_id)\n",
            "proj/tasks.py": "from celery import shared_task\nfrom proj import alerts\n\n"
            "@shared_task\ndef f(job_id):\n    try:\n        g()\n    except Exception:\n"
            "        alerts.notify_failure(job_id)\n",
        },
    ]
    INVALID = [
        "from celery import shared_task\n\n@shared_task\ndef f():\n    try:\n        g()\n"
        "    except Exception:\n        pass\n",
        "from celery import shared_task\n\n@shared_task\ndef f():\n    for x in xs:\n        try:\n"
        "            g(x)\n        except:\n            continue\n",
        # converting the exception is not reporting it
        "from celery import shared_task\n\n@shared_task\ndef f():\n    try:\n        g()\n"
        "    except (ValueError, BaseException) as e:\n        if 'timeout' in str(e):\n"
        "            return None\n",
        # the ``try`` computes a value nothing set before it
        "import json\nfrom celery import shared_task\n\n@shared_task\ndef f(text):\n"
        "    reason = 'Unknown'\n    try:\n        detail = json.loads(text)['detail']\n"
        "    except Exception:\n        pass\n    record(reason, text)\n",
        # a default after real work
        "from celery import shared_task\n\n@shared_task\ndef f(pk):\n    try:\n        sync(pk)\n"
        "        done = True\n    except Exception:\n        done = False\n",
        # clean-up beside real work
        "import shutil\nfrom celery import shared_task\n\n@shared_task\ndef f(tmp):\n    try:\n"
        "        work(tmp)\n        shutil.rmtree(tmp)\n    except Exception:\n        pass\n",
        # recorded in a list that nothing reads
        "from celery import shared_task\n\n@shared_task\ndef f(rows):\n    failed = []\n"
        "    for row in rows:\n        try:\n            g(row)\n        except Exception:\n"
        "            failed.append(row.id)\n",
        # the outer handler logs, the inner one swallows
        "from celery import shared_task\n\n@shared_task\ndef f():\n    try:\n        try:\n"
        "            g()\n        except Exception:\n            pass\n        h()\n"
        "    except Exception:\n        logger.exception('h failed')\n",
        # a project function that does not log
        {
            "proj/alerts.py": "def mark_failed(job_id):\n    Job.objects.filter(id=job_id).update(failed=True)\n",
            "proj/tasks.py": "from celery import shared_task\nfrom proj.alerts import mark_failed\n\n"
            "@shared_task\ndef f(job_id):\n    try:\n        g()\n    except Exception:\n"
            "        mark_failed(job_id)\n",
        },
    ]

    def check_task(self, task: TaskDef, ctx: FileContext) -> Iterator[Report]:
        if task.run is None:
            return
        lookups = {
            id(handler)
            for node in body.nodes(task.run.body)
            if isinstance(node, cst.Try)
            for handler in node.handlers
            if _single_lookup(node.body)
            or _cleanup_only(node.body)
            or _fallback(node.body, handler)
            or _default_value(node.body, handler)
        }
        lookups |= _refined_defaults(task.run.body)
        silent = [
            node
            for node in body.nodes(task.run.body)
            if isinstance(node, cst.ExceptHandler)
            and id(node) not in lookups
            and body.catches_broadly(node)
            and not loggers.reports_error(node, task.run.body, ctx.info)
        ]
        for handler in silent:
            inner = {id(n) for n in body.nodes(handler.body)}
            if any(id(other) in inner for other in silent):
                continue  # the innermost silent handler is the one reported
            yield Report(
                handler,
                "this handler catches every exception and neither re-raises, retries, logs nor passes "
                "the error on: the task reports success and the failure is lost",
                task,
                calls=loggers.called_names(handler.body, ctx.info),
            )

    @classmethod
    def revise(cls, finding: Finding, project: ProjectContext) -> Finding | None:
        """Dropped when the handler calls a project function that logs, or a configured logging
        helper."""
        facts = project.facts_by_path().get(finding.path)
        if facts is None:
            return finding
        called = facts.finding_calls.get((finding.code, finding.line, finding.column), frozenset())
        if not called.isdisjoint(project.logging_functions) or any(
            loggers.helper_matches(name, project.logging_helpers) for name in called
        ):
            return None
        return finding


# Calls that remove or close something: best-effort clean-up, whose failure loses no work.
_CLEANUP = frozenset({"shutil.rmtree", "os.remove", "os.unlink", "os.rmdir", "os.removedirs"})
_CLEANUP_METHODS = frozenset({"unlink", "rmdir", "close"})


def _cleanup_only(suite: cst.BaseSuite) -> bool:
    """Every statement removes a file or directory, closes something or revokes a task
    (``shutil.rmtree(tmp)``, ``os.remove(path)``, ``path.unlink()``, ``f.close()``,
    ``app.control.revoke(task_id)``)."""
    small = body.suite_statements(suite)
    if not small:
        return False
    for statement in small:
        call = statement.value if isinstance(statement, cst.Expr) else None
        if not isinstance(call, cst.Call):
            return False
        name = dotted_name(call.func) or ""
        owner, _, method = name.rpartition(".")
        if (
            name not in _CLEANUP
            and (method or name) != "revoke"
            and not (isinstance(call.func, cst.Attribute) and call.func.attr.value in _CLEANUP_METHODS)
            and not (method == "delete" and "storage" in owner.rpartition(".")[2].lower())
        ):
            return False
    return True


def _fallback(suite: cst.BaseSuite, handler: cst.ExceptHandler) -> bool:
    """The ``try`` starts with ``obj = Model.objects.get(...)`` and the handler binds the same
    name anew (``obj = Model(...)``): get-or-create, the task carries on with the new object."""
    lines = suite.body if isinstance(suite, cst.IndentedBlock) else [suite]
    first = lines[0] if lines else None
    if not isinstance(first, (cst.SimpleStatementLine, cst.SimpleStatementSuite)) or not first.body:
        return False
    assign = first.body[0]
    if not (isinstance(assign, cst.Assign) and len(assign.targets) == 1 and _lookup(assign.value)):
        return False
    target = assign.targets[0].target
    if not isinstance(target, cst.Name):
        return False
    return any(
        isinstance(node, cst.Assign)
        and any(isinstance(t.target, cst.Name) and t.target.value == target.value for t in node.targets)
        for node in body.nodes(handler.body)
    )


def _default_value(suite: cst.BaseSuite, handler: cst.ExceptHandler) -> bool:
    """The ``try`` only computes values into names (or attributes of a name) and the handler
    only gives some of those a literal default (``try: ratio = round(a / b, 2)`` / ``except:
    ratio = 0``; ``row.size = Decimal(f.size)`` / ``row.size = Decimal(-1)``): a fallback
    value, the task carries on with it."""
    tried = body.suite_statements(suite)
    handled = body.suite_statements(handler.body)
    if not tried or not handled:
        return False
    computed: set[str] = set()
    for statement in tried:
        targets = _assigned(statement)
        if targets is None:
            return False
        computed.update(targets)
    for statement in handled:
        targets = _assigned(statement)
        if targets is None or not targets <= computed:
            return False
        if not _literal_default(cast(cst.Assign, statement).value):
            return False
    return True


def _assigned(statement: cst.BaseSmallStatement) -> set[str] | None:
    """The names (``ratio``, ``row.size``) a plain assignment binds; None for anything else."""
    if not isinstance(statement, cst.Assign):
        return None
    found: set[str] = set()
    for target in statement.targets:
        name = dotted_name(target.target) if isinstance(target.target, (cst.Name, cst.Attribute)) else None
        if not name or name.count(".") > 1:
            return None
        found.add(name)
    return found


def _literal_default(node: cst.BaseExpression) -> bool:
    """``None``, ``False``, ``0``, ``-1``, ``""``, ``{}``, ``[]``, or a value built from literals
    (``Decimal(-1)``, ``float("nan")``): a value a handler falls back to."""
    if isinstance(node, cst.Name):
        return node.value in ("None", "True", "False")
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        return isinstance(node.expression, (cst.Integer, cst.Float))
    if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString)):
        return True
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.args:
        return all(arg.keyword is None and not arg.star and _literal_default(arg.value) for arg in node.args)
    return isinstance(node, (cst.Dict, cst.List, cst.Tuple)) and not getattr(node, "elements", None)


def _refined_defaults(root: cst.CSTNode) -> set[int]:
    """Handlers (by id) that only ``pass`` after a ``try`` that refines values set before it:
    ``reason = "Unknown"`` / ``try: reason = parse(text)["reason"]`` / ``except: pass``: the
    default stays, the task carries on with it."""
    found: set[int] = set()
    for node in (root, *body.nodes(root)):
        if not isinstance(node, cst.IndentedBlock):
            continue
        preset: set[str] = set()
        for statement in node.body:
            if isinstance(statement, cst.Try):
                assigned = _assigned_in(statement.body)
                if assigned and assigned <= preset:
                    found.update(id(h) for h in statement.handlers if _passes(h))
            if isinstance(statement, cst.SimpleStatementLine):
                for small in statement.body:
                    targets = _assigned(small)
                    if targets and _literal_default(cast(cst.Assign, small).value):
                        preset |= targets
    return found


def _assigned_in(suite: cst.BaseSuite) -> set[str] | None:
    """What a suite of assignments, possibly under ``if``/``elif``/``else``, assigns; None when
    it does anything else."""
    found: set[str] = set()
    lines = suite.body if isinstance(suite, cst.IndentedBlock) else [suite]
    for line in lines:
        if isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in line.body:
                targets = _assigned(small)
                if targets is None:
                    return None
                found |= targets
        elif isinstance(line, cst.If):
            branch: cst.If | cst.Else | None = line
            while branch is not None:
                inner = _assigned_in(branch.body)
                if inner is None:
                    return None
                found |= inner
                branch = branch.orelse if isinstance(branch, cst.If) else None
        else:
            return None
    return found


def _passes(handler: cst.ExceptHandler) -> bool:
    small = body.suite_statements(handler.body)
    return bool(small) and all(isinstance(s, cst.Pass) for s in small or ())


def _lookup(node: cst.BaseExpression) -> bool:
    """``Model.objects.get(...)``, or SQLAlchemy's single-row ``query.one()``,
    ``session.execute(...).scalar_one()``."""
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return False
    if node.func.attr.value in _SINGLE_ROW and not node.args:
        return isinstance(node.func.value, cst.Call)
    return (
        node.func.attr.value == "get"
        and isinstance(node.func.value, cst.Attribute)
        and node.func.value.attr.value == "objects"
    )


# SQLAlchemy's lookups of exactly one row (``NoResultFound`` when there is none).
_SINGLE_ROW = frozenset({"one", "scalar_one"})


def _single_lookup(suite: cst.BaseSuite) -> bool:
    """The suite is one statement: ``Model.objects.get(...)``, bare or assigned to a name."""
    small = body.suite_statements(suite)
    if small is None or len(small) != 1 or not isinstance(small[0], (cst.Expr, cst.Assign)):
        return False
    return _lookup(small[0].value)
