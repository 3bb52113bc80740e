"""Analysing one file: parse, discover tasks, run the selected rules, apply suppressions."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Mapping

import libcst as cst

from checker import body
from checker.callsites import call_sites, handed_objects
from checker.consumers import task_consumers
from checker.discover import SourceFile
from checker.facts import FileFacts, Location, Span, extract, may_hold_schedule
from checker.index import ProjectIndex
from checker.loggers import (
    configured_loggers,
    connects_setup_logging,
    limit_handlers,
    module_loggers,
    signal_receivers,
)
from checker.model import Finding, Severity, TaskSummary
from checker.module_info import ModuleInfo, collect
from checker.positions import Position, positions_of
from checker.project import is_test_module
from checker.rules import Report, Rule, rule_by_code
from checker.rules.base import FileContext
from checker.settings import SettingNames, collect_settings
from checker.source import ParseError, Unsupported, decode, parse
from checker.suppressions import Suppressions, read, skips_file
from checker.tasks import TaskDef, discover, index_contributions
from checker.testrefs import AST, makes_eager, module_imports, test_references
from checker.values import string_value

SYNTAX_ERROR = "CT000"


@dataclasses.dataclass(frozen=True)
class RunOptions:
    """What every file's analysis needs to know about the run (picklable, sent to workers)."""

    codes: tuple[str, ...]  # the selected rules
    severities: dict[str, Severity]  # effective severity of each selected rule
    wrappers: frozenset[str] = frozenset()  # configured task-decorator wrappers
    known_options: frozenset[str] = frozenset()  # Celery's task options (CT107)
    setting_names: SettingNames | None = None

    def fingerprint(self) -> tuple[object, ...]:
        """Everything that changes results, in a canonical order (sets sorted)."""
        names = self.setting_names
        return (
            self.codes,
            sorted((code, severity.value) for code, severity in self.severities.items()),
            sorted(self.wrappers),
            sorted(self.known_options),
            sorted(names.keys) if names else None,
            sorted(names.old_to_new.items()) if names else None,
        )


@dataclasses.dataclass
class FileResult:
    findings: list[Finding] = dataclasses.field(default_factory=list)
    tasks: list[TaskSummary] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)  # one line each, for stderr
    facts: FileFacts | None = None
    # Decorators imported from outside the project, named ``...task``, that made no task (once
    # per function): candidates for the ``task-decorators`` setting.
    foreign_decorators: list[str] = dataclasses.field(default_factory=list)
    # False for an excluded or skipped file: its tasks and facts are knowledge, never reported.
    reported: bool = True
    unanalysed: str = ""  # the path of a file that may define tasks but could not be analysed
    # The cache key it is kept under (what it was computed from), when the run has a cache.
    key: str = ""


@dataclasses.dataclass
class Parsed:
    """A parsed module and what one visit of it collected."""

    source: SourceFile
    module: cst.Module
    info: ModuleInfo


def make_finding(
    rule: Rule,
    severity: Severity,
    message: str,
    where: Location,
    task: tuple[str, str] | None,
) -> Finding:
    """A finding of ``rule`` at ``where``, about the task ``(name, key)`` if any."""
    return Finding(
        code=rule.code,
        name=rule.name,
        section=rule.section,
        severity=severity,
        message=message,
        path=where.path,
        line=where.line,
        column=where.column,
        end_line=where.end_line,
        end_column=where.end_column,
        task=task[0] if task else None,
        task_key=task[1] if task else None,
    )


@functools.cache
def _rules(codes: tuple[str, ...]) -> tuple[Rule, ...]:
    by_code = rule_by_code()
    return tuple(by_code[code]() for code in codes if code in by_code)


def parse_source(source: SourceFile, options: RunOptions) -> tuple[Parsed | None, FileResult]:
    """Parse one file; on failure the result holds its CT000 finding or a note.

    An excluded file, or one marked ``# celery-checklist: skip-file``, is still parsed for what
    it tells about the project (tasks, settings, beat entries, call sites), but not reported.
    """
    if source.reported and skips_file(source.data):
        source = dataclasses.replace(source, reported=False)
    result = FileResult(reported=source.reported)
    parsed = parse(source.data)
    if isinstance(parsed, ParseError):
        if SYNTAX_ERROR in options.severities and source.reported:
            rule = rule_by_code()[SYNTAX_ERROR]
            result.findings.append(
                Finding(
                    code=SYNTAX_ERROR,
                    name=rule.name,
                    section=rule.section,
                    severity=options.severities[SYNTAX_ERROR],
                    message=parsed.message,
                    path=source.display,
                    line=parsed.line,
                    column=parsed.column,
                    end_line=parsed.line,
                    end_column=parsed.column,
                )
            )
        return None, result
    if isinstance(parsed, Unsupported):
        result.notes.append(f"{source.display}: skipped, {parsed.message}")
        result.unanalysed = source.display
        return None, result
    return Parsed(source, parsed, collect(parsed, source.module, source.is_package)), result


def analyse_test_file(source: SourceFile) -> FileResult:
    """A test file's references (for CT301), from Python's ``ast`` (or its tokens when Python
    cannot parse it): nothing else is needed."""
    facts = FileFacts(source.display, source.module)
    reading = test_references(source.data, source.module, source.is_package)
    facts.test_references = reading.references
    facts.test_attributes = reading.attributes
    facts.eager_tests = reading.eager
    if reading.how != AST:
        facts.unparsed = reading.error or "cannot be parsed"
    return FileResult(facts=facts)


def analyse_imports(source: SourceFile) -> FileResult:
    """What a module that was not analysed imports (for CT301: it may re-export a task)."""
    facts = FileFacts(source.display, source.module)
    imports = module_imports(source.data, source.module, source.is_package)
    facts.imports, facts.imported_stars = imports.names, imports.stars
    return FileResult(facts=facts)


def contributions(parsed: Parsed, index: ProjectIndex) -> ProjectIndex:
    return index_contributions(parsed.info, index)


def _bound_name(statement: cst.BaseSmallStatement) -> str | None:
    """The name ``statement`` binds when it is ``name = <call>``."""
    if (
        isinstance(statement, cst.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0].target, cst.Name)
        and isinstance(statement.value, cst.Call)
    ):
        return statement.targets[0].target.value
    return None


def _delegate(task: TaskDef, info: ModuleInfo) -> str:
    """What the task's whole body calls, when it is one call (ignoring a docstring, local
    imports, log lines and ``if`` checks that only log; its value may be bound to a name that is
    only logged and returned, also inside a ``with`` block that only sets up context: ``with
    tracing(...): run()``; ``other_task.apply(...)`` calls ``other_task``): the called
    function's qualified name, or ``command:NAME`` for
    ``call_command("NAME")`` (CT301: a test of that code tests the task's work)."""
    if task.run is None:
        return ""
    suite: cst.BaseSuite = task.run.body
    while True:
        statements = list(suite.body) if isinstance(suite, cst.IndentedBlock) else [suite]
        kept = [s for s in statements if not _docstring_or_import(s)]
        if len(kept) != 1 or not isinstance(kept[0], cst.With):
            break
        suite = kept[0].body
    # ``if result["deleted"]: log.warning(...)``: a check that only reports does no work
    kept = [s for s in kept if not _only_reports(s)]
    small: list[cst.BaseSmallStatement] = []
    for statement in kept:
        if not isinstance(statement, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            return ""
        small.extend(statement.body)
    small = [s for s in small if not isinstance(s, (cst.Import, cst.ImportFrom))]  # ``import x; f()``
    # ``log.info("purging"); return purge()``: a log line says what runs, it does no work
    small = [s for s in small if not (isinstance(s, cst.Expr) and _reports(s.value))]
    # ``total = sync(); log.info("%s synced", total); return total``: the value only reported
    bound = _bound_name(small[0]) if small else None
    if bound is not None and len(small) == 2 and isinstance(small[1], cst.Return):
        returned = small[1].value
        if isinstance(returned, cst.Name) and returned.value == bound:
            small = small[:1]
    if len(small) != 1 or not isinstance(small[0], (cst.Expr, cst.Return, cst.Assign)):
        return ""
    if isinstance(small[0], cst.Assign) and bound is None:
        return ""
    call = small[0].value
    if not isinstance(call, cst.Call) or not isinstance(call.func, (cst.Name, cst.Attribute)):
        return ""
    func = call.func
    if (
        isinstance(func, cst.Attribute)
        and func.attr.value in _RUNS
        and isinstance(func.value, (cst.Name, cst.Attribute))
    ):
        func = func.value  # ``other_task.apply(args=[pk], throw=True)``: runs the other task
    if (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Call)
        and isinstance(func.value.func, (cst.Name, cst.Attribute))
    ):
        built = info.qualify_local(func.value.func) or ""  # ``Handler().sync(...)``: ``Handler.sync``
        is_class = built.rpartition(".")[2][:1].isupper()  # not ``objects.filter()``
        return f"{built}.{func.attr.value}" if is_class and "." in built else ""
    callee = info.qualify_local(func) or ""
    if callee.rpartition(".")[2] == "call_command":
        # the command alone: with options (``operation="import_business_data"``) the task runs a
        # part of it that a test of the command need not reach
        first = (
            string_value(call.args[0].value) if len(call.args) == 1 and call.args[0].keyword is None else None
        )
        return f"command:{first}" if isinstance(first, str) and first else ""
    return callee if "." in callee else ""


# ``sys.path.insert(0, root("apps"))``, ``sys.path.append(os.path.join(BASE_DIR, "apps"))``: the
# last directory name written in the call
_SYS_PATH = re.compile(rb"""sys\.path\.(?:insert|append)\([^\n]*["']([A-Za-z_]\w*)["'][^"'\n]*\)""")
# ``"--time-limit=1800"``, ``'--soft-time-limit', '300'``: a worker's command line written in Python
_WORKER_LIMIT = re.compile(rb"""["']--(?:soft-)?time-limit\b""")
# ``settings.CELERY_SOFT_TIME_LIMIT``, ``getattr(settings, "CELERY_SOFT_TIME_LIMIT", 60)``
_SETTINGS_READ = re.compile(
    rb"""\bsettings\.([A-Z][A-Z0-9_]*)\b|\bgetattr\(\s*settings\s*,\s*["']([A-Z][A-Z0-9_]*)["']"""
    rb"""|\b\w+\.([A-Z0-9_]*CELERY[A-Z0-9_]*)\b"""
)


# ``"shop.tasks.send_receipt"``, ``'billing:charge'``: a string that may be a registered task name
_NAMED_STRING = re.compile(rb"""(["'])([A-Za-z_]\w*(?:[.:][A-Za-z_]\w*)+)\1""")


# ``send_receipt.delay(``, ``tasks.send_receipt.s(``: the name a send is made on
_SENT_WORD = re.compile(rb"\b([A-Za-z_]\w*)\s*\.\s*(?:delay|apply_async|delay_on_commit|si?|signature)\s*\(")


# ``"task": "shop.tasks.send_receipt"``: a beat entry's task, in whatever dict it is built
# (not on a commented-out line)
_TASK_ENTRY = re.compile(rb"""(?m)^(?![ \t]*#)[^\n#]*?["']task["']\s*:\s*(["'])([\w.:-]+)\1""")


# django-celery-beat (or django-celery's) database scheduler, RedBeat: entries kept outside the code
_STORED_SCHEDULES = re.compile(rb"django_celery_beat|djcelery|DatabaseScheduler|redbeat|RedBeatScheduler")


def named_strings(data: bytes) -> frozenset[str]:
    """The strings of the source that may be a task's registered name (dotted or with a colon)."""
    return frozenset(m[1].decode() for m in _NAMED_STRING.findall(data))


def settings_read(data: bytes) -> frozenset[str]:
    """The upper-case names the source reads from an object named ``settings`` (Django's), and
    the ``CELERY`` names it reads from any object (``env.CELERY_DATABASE_NUMBER``: a settings
    model's field)."""
    return frozenset((a or b or c).decode() for a, b, c in _SETTINGS_READ.findall(data))


def _sets_debug(info: ModuleInfo) -> bool:
    """``DEBUG = True`` at module level, outside any ``if`` or ``try``."""
    for statement, conditional in info.module_statements:
        if (
            not conditional
            and isinstance(statement, cst.Assign)
            and isinstance(statement.value, cst.Name)
            and statement.value.value == "True"
            and any(isinstance(t.target, cst.Name) and t.target.value == "DEBUG" for t in statement.targets)
        ):
            return True
    return False


# Ways a body runs (or sends) another task: a test of that task tests this one's work.
_RUNS = frozenset({"apply", "delay", "apply_async", "run"})


def _reports(value: cst.BaseExpression) -> bool:
    """A logging call or ``print``."""
    return isinstance(value, cst.Call) and (
        body.is_logging_call(value) or (isinstance(value.func, cst.Name) and value.func.value == "print")
    )


def _only_reports(statement: cst.CSTNode) -> bool:
    """An ``if`` (no ``else``) whose test calls nothing and whose body only logs or prints."""
    if not isinstance(statement, cst.If) or statement.orelse is not None:
        return False
    if any(isinstance(node, cst.Call) for node in body.descendants(statement.test)):
        return False
    lines = statement.body.body if isinstance(statement.body, cst.IndentedBlock) else [statement.body]
    return all(
        isinstance(line, (cst.SimpleStatementLine, cst.SimpleStatementSuite))
        and all(isinstance(small, cst.Expr) and _reports(small.value) for small in line.body)
        for line in lines
    )


def _docstring_or_import(statement: cst.CSTNode) -> bool:
    """A statement line holding only a string or imports."""
    return isinstance(statement, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom))
        or (isinstance(s, cst.Expr) and isinstance(s.value, cst.BaseString))
        for s in statement.body
    )


def _positional_params(task: TaskDef) -> tuple[str, ...]:
    """The task's parameters callers pass by position, in order (without a bound ``self``)."""
    params = [p.name for p in task.params if p.kind == "positional"]
    return tuple(params[_skipped(task) :])


def _skipped(task: TaskDef) -> int:
    """1 when the first parameter is the bound task (``bind=True``), which callers do not pass."""
    first = [p for p in task.params if p.kind in ("positional", "kwonly")][:1]
    return 1 if task.kind != "class" and task.bound is not False and first else 0


def _optional_params(task: TaskDef) -> tuple[tuple[str, int], ...]:
    """The task's parameters that have a default, with their position as callers count it."""
    params = [p for p in task.params if p.kind in ("positional", "kwonly")]
    skip = _skipped(task)
    found: list[tuple[str, int]] = []
    for index, param in enumerate(params):
        if param.node.default is not None and index >= skip:
            found.append((param.name, index - skip if param.kind == "positional" else -1))
    return tuple(found)


def analyse(parsed: Parsed, index: ProjectIndex, options: RunOptions) -> FileResult:
    """Run the selected rules on a parsed file and collect its project facts."""
    source, module, info = parsed.source, parsed.module, parsed.info
    body.forget()
    # Tasks defined in test files are test doubles: the checklist is for the project's own.
    tasks, foreign = ([], []) if source.is_test else discover(info, index, options.wrappers)
    settings = list(collect_settings(info, options.setting_names)) if options.setting_names else []
    # A receiver of ``setup_logging`` may be a function without a single call (CT602).
    connects = "CT602" in options.codes and connects_setup_logging(info)
    # So may a logging configuration that routes the project's loggers to its own handlers.
    configured = configured_loggers(info) if "CT602" in options.codes and not source.is_test else frozenset()
    # Read from the text once: what the rules need even of a module without a call.
    names_read = (
        settings_read(source.data)
        if "CT406" in options.codes and (b"settings" in source.data or b"CELERY" in source.data)
        else frozenset()
    )
    scheduled = (
        frozenset(m[1].decode() for m in _TASK_ENTRY.findall(source.data))
        if not {"CT201", "CT301"}.isdisjoint(options.codes) and not source.is_test and b"task" in source.data
        else frozenset()
    )
    if (
        not tasks
        and not settings
        and not info.calls
        and not source.is_test
        and not connects
        and not configured
        and not may_hold_schedule(info)
        # (``time_limit = app_settings.CELERY_HARD_TIME_LIMIT`` in a task class: a read CT406 needs)
        and not (b"CELERY" in source.data and names_read)
        # (``return {"send": {"task": "proj:send", ...}}``: a beat entry built by a function)
        and not scheduled
    ):
        return FileResult(foreign_decorators=foreign)
    ctx = FileContext(
        path=source.display,
        module=module,
        info=info,
        tasks=tasks,
        settings=settings,
        index=index,
        known_options=options.known_options,
    )
    reports: list[tuple[Rule, Report]] = []
    judged = source.reported and not source.is_test
    for rule in _rules(options.codes) if judged else ():
        reports.extend((rule, report) for report in rule.check(ctx))

    resolved: list[Mapping[cst.CSTNode, Position]] = []

    def span(node: cst.CSTNode) -> Span:
        """1-based start and exclusive end; compound statements are cut to their first line.

        Positions cost a full code generation of the module: they are computed on first use.
        """
        if not resolved:
            resolved.append(positions_of(module))
        positions = resolved[0]
        line, column, end_line, end_column = positions[node]
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            end_line, end_column = positions[node.name][2:]
        elif isinstance(node, cst.ExceptHandler):
            if node.type is None:
                return line, column + 1, line, column + 7
            end_line, end_column = positions[node.type][2:]
        return line, column + 1, end_line, end_column + 1

    silenced = read(decode(source.data) or "", rule_by_code())
    facts = extract(source.display, info, settings, span)
    if silenced:
        if not resolved:
            resolved.append(positions_of(module))
        _spread(silenced, module, resolved[0])
    facts.suppressions = silenced
    if "CT209" in options.codes and not source.is_test:
        facts.limit_handlers = limit_handlers(info)
    if "CT101" in options.codes and not source.is_test:
        facts.task_consumers = task_consumers(info)
    if not source.is_test and not {"CT105", "CT201", "CT207", "CT209", "CT301", "CT505"}.isdisjoint(
        options.codes
    ):
        # CT301 follows what the code the tests call calls, down to the tasks; CT105 and CT201
        # leave alone a task the project only calls as a function
        facts.logging_functions, facts.function_calls = module_loggers(info)
        if "CT301" in options.codes:
            facts.signal_receivers = signal_receivers(info)
    facts.connects_setup_logging = connects
    if "CT302" in options.codes and facts.settings:
        facts.debug_on = _sets_debug(info)
    if "CT201" in options.codes and not source.is_test and b"time-limit" in source.data:
        facts.worker_limit = _WORKER_LIMIT.search(source.data) is not None
    if not source.is_test and b"sys.path" in source.data:
        facts.path_dirs = frozenset(m.decode() for m in _SYS_PATH.findall(source.data))
    facts.settings_read = names_read
    facts.scheduled_strings = scheduled
    if "CT301" in options.codes and not source.is_test:
        facts.named_strings = named_strings(source.data)
        facts.sent_words = frozenset(m.decode() for m in _SENT_WORD.findall(source.data))
        facts.stored_schedules = _STORED_SCHEDULES.search(source.data) is not None
    if "CT301" in options.codes and is_test_module(source.module or ""):
        facts.eager_tests = makes_eager(source.data)  # a test settings module (``settings/test.py``)
    facts.configured_loggers = configured
    facts.imports = {local: target for local, target in info.imports.items() if local != target}
    keys = {id(t): f"{source.display}:{span(t.anchor)[0]}:{t.function}" for t in tasks}
    if not source.is_test:
        facts.call_sites, facts.direct_calls = call_sites(
            info,
            module,
            [(keys[id(t)], t) for t in tasks],
            lambda node: Location(source.display, *span(node)),
        )
        if not {"CT201", "CT301"}.isdisjoint(options.codes):
            facts.handed = handed_objects(info)
    if not (
        reports
        or tasks
        or facts.settings
        or facts.references
        or facts.config_sources
        or facts.call_sites
        or facts.handed
        or facts.logging_functions
        or facts.function_calls
        or facts.limit_handlers
        or facts.task_consumers
        or facts.signal_receivers
        or facts.connects_setup_logging
        or facts.eager_tests
        or facts.configured_loggers
        or facts.schedules
        or facts.beat_sources
        or facts.settings_read  # (CT406: a CELERY name the module reads is no misspelt setting)
        or facts.named_strings  # (CT301: a registered name in a string, a send by name)
        or facts.sent_words
        or facts.scheduled_strings
    ):
        return FileResult(foreign_decorators=foreign)

    headers: dict[int, tuple[tuple[int, int], tuple[int, ...]]] = {}
    if tasks:
        if not resolved:
            resolved.append(positions_of(module))
        headers = {id(t): _header(t, resolved[0]) for t in tasks}
    summaries: list[TaskSummary] = []
    for task in tasks:
        line, column = span(task.anchor)[:2]
        summaries.append(
            TaskSummary(
                key=keys[id(task)],
                name=task.name,
                function=task.function,
                path=source.display,
                line=line,
                column=column,
                kind=task.kind,
                object_name=task.object_name,
                local=task.local,
                decorator=task.decorator_name,
                module=task.module,
                name_known=task.name_known,
                suppression_lines=headers[id(task)][1],
                definition=headers[id(task)][0],
                set_options=frozenset(k for k, o in task.options.items() if o.value is not None),
                options_complete=task.options_complete,
                serializer=task.value("serializer"),
                optional_params=_optional_params(task),
                delegate=_delegate(task, info),
                positional_params=_positional_params(task),
                written_params=body.written_names(task.run) if task.run is not None else frozenset(),
                nothing_to_test=task.run is not None
                and (body.cannot_hang(task.run, True) or body.does_nothing(task.run)),
            )
        )

    findings: list[Finding] = []
    for rule, report in reports:
        line, column, end_line, end_column = span(report.node)
        subject: TaskDef | None = report.task
        lines: tuple[int, ...] = (line,)
        if subject is not None:
            (first, last), header = headers[id(subject)]
            if first <= line <= last:  # about the task's definition: its header covers it
                lines += header
        if silenced.silences(rule.code, lines):
            continue
        if report.calls:
            facts.finding_calls[(rule.code, line, column)] = report.calls
        if report.logger is not None:
            facts.finding_loggers[(rule.code, line, column)] = report.logger
        findings.append(
            make_finding(
                rule,
                options.severities.get(rule.code, rule.severity),
                report.message,
                Location(source.display, line, column, end_line, end_column),
                (subject.name, keys[id(subject)]) if subject is not None else None,
            )
        )
    return FileResult(
        findings=findings, tasks=summaries, facts=facts, foreign_decorators=foreign, reported=source.reported
    )


def _header(
    task: TaskDef, positions: Mapping[cst.CSTNode, Position]
) -> tuple[tuple[int, int], tuple[int, ...]]:
    """The lines of a task's definition (first and last) and of its header: every line of its
    decorators and of its ``def``/``class`` line up to the colon, however they are wrapped."""
    header: set[int] = set()
    first, last = positions[task.anchor][0], positions[task.anchor][2]
    for node in task.suppression_nodes:
        start, _, end, _ = positions[node]
        first, last = min(first, start), max(last, end)
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            for decorator in node.decorators:
                top, _, bottom, _ = positions[decorator]
                header.update(range(top, bottom + 1))
                first = min(first, top)
            ends = [positions[node.name][2]]
            if isinstance(node, cst.FunctionDef):
                ends.append(positions[node.params][2])
                if node.returns is not None:
                    ends.append(positions[node.returns][2])
            else:
                ends.extend(positions[arg][2] for arg in (*node.bases, *node.keywords))
            header.update(range(start, max(ends) + 1))
        else:
            header.update(range(start, end + 1))
    return (first, last), tuple(sorted(header))


def _spread(silenced: Suppressions, module: cst.Module, positions: Mapping[cst.CSTNode, Position]) -> None:
    """Let a comment on any line of a multi-line statement cover the whole statement (a
    formatter moves comments to a closing bracket's line): simple statements whole, compound
    statements (``if``, ``with``, ...) their header."""
    lines = set(silenced.comments)
    best: dict[int, tuple[int, int]] = {}  # comment line -> the smallest statement holding it
    for node, (start, _, end, _) in positions.items():
        if isinstance(node, cst.SimpleStatementLine):
            top, bottom = start, end
        elif isinstance(node, cst.BaseCompoundStatement) and not isinstance(
            node, (cst.FunctionDef, cst.ClassDef)
        ):
            # (a function's or class's header is covered as a task's header)
            # (a ``match`` statement's header ends where its first ``case`` starts)
            inner = (
                node.cases[0] if isinstance(node, cst.Match) and node.cases else getattr(node, "body", None)
            )
            body = positions.get(inner) if isinstance(inner, cst.CSTNode) else None
            top, bottom = start, max(start, body[0] - 1) if body is not None else start
        else:
            continue
        if bottom == top:
            continue
        for line in lines:
            if top <= line <= bottom:
                previous = best.get(line)
                if previous is None or bottom - top < previous[1] - previous[0]:
                    best[line] = (top, bottom)
    scope: dict[int, list[int]] = {}
    for comment, (top, bottom) in best.items():
        for line in range(top, bottom + 1):
            if line != comment:
                scope.setdefault(line, []).append(comment)
    silenced.scope = {line: tuple(origins) for line, origins in scope.items()}
