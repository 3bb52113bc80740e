"""The analysis of a run once its files are read: screen → parse → project index → per-file
analysis (in parallel) → project rules → results."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import gc
import os
import re
import sys
import threading
from collections import Counter, deque
from collections.abc import Sequence
from pathlib import Path

from checker.cache import Cache, digest, user_cache_dir
from checker.celery_names import known_task_options
from checker.config import Config
from checker.discover import SourceFile, known_files, learnt_files, with_learnt
from checker.engine import (
    FileResult,
    Parsed,
    RunOptions,
    analyse,
    analyse_imports,
    analyse_test_file,
    contributions,
    make_finding,
    parse_source,
)
from checker.facts import FileFacts
from checker.files import (
    hidden,
    importable,
    module_name,
    relative_to,
)
from checker.index import ProjectIndex
from checker.loggers import call_graph
from checker.memory import release
from checker.model import OLD_SETTING_NAMES, Finding, TaskSummary
from checker.project import (
    DJANGO_SETTINGS,
    ImportAliases,
    ProjectContext,
    TestFiles,
    build_config,
    task_names,
)
from checker.pyversions import python2_only
from checker.rules import Rule, rule_by_code
from checker.runner import RunResult, celery_version
from checker.screen import NameScreen, extra_tokens, indexes, line_starts, may_matter
from checker.settings import SettingNames, setting_names
from checker.source import in_parser_thread, stop_parser_thread
from checker.testrefs import EAGER_SETTINGS, REACH_DEPTH, VIEW_MODULES, VIEW_SUFFIXES, WORKER_FIXTURES

# Below this many files to parse, a process pool costs more than it saves.
_POOL_THRESHOLD = 24
_NEEDS_OPTIONS = frozenset({"CT107"})


def _celery_names(cache: Cache | None) -> tuple[frozenset[str], SettingNames]:
    """Celery's task options and setting names. Importing Celery for them costs a tenth of a
    second, so they are kept per installed Celery in the user's cache directory (this is about
    the installed library, not the project: ``--no-cache`` leaves it alone)."""
    if cache is None:
        cache = Cache.open(user_cache_dir() / "celery-names")
    key = ""
    if cache is not None:
        key = digest("celery-names", celery_version())
        hit = cache.get(key)
        if isinstance(hit, tuple) and len(hit) == 2:
            options, names = hit
            if isinstance(options, frozenset) and isinstance(names, SettingNames):
                return options, names
    found = (known_task_options(), setting_names())
    if cache is not None:
        cache.put(key, found)
    return found


def run_options(config: Config, codes: tuple[str, ...], cache: Cache | None = None) -> RunOptions:
    by_code = rule_by_code()
    severities = {code: config.severity.get(code, by_code[code].severity) for code in codes}
    options, names = _celery_names(cache)
    selected = frozenset(codes)
    return RunOptions(
        codes=codes,
        severities=severities,
        wrappers=frozenset(config.task_decorators),
        known_options=options if selected & _NEEDS_OPTIONS else frozenset(),
        setting_names=names,
    )


@dataclasses.dataclass
class Sources:
    """The files of a run: those that may hold tasks or settings, and the other test files."""

    analysed: list[SourceFile]
    tests: list[SourceFile]  # test files: read only if their bytes name a task
    count: int  # Python files considered
    remembered: list[SourceFile]  # non-test files, with what the prefilter found
    # the words of the import statements of files read for them this run (by location)
    imported: dict[str, frozenset[bytes]] = dataclasses.field(default_factory=dict)
    # the test files screened for names this run: the digest of the names, the answer
    screened: dict[str, tuple[str, bool]] = dataclasses.field(default_factory=dict)


def classify(files: Sequence[SourceFile], config: Config, tests: TestFiles) -> Sources:
    """Split files into test files and the others that may hold tasks or settings (the byte
    prefilter). Files no worker can import (below a hidden directory, or whose module name is
    not an identifier) are dropped: they are never reported."""
    extra = extra_tokens(config)
    analysed: list[SourceFile] = []
    test_files: list[SourceFile] = []
    others: list[SourceFile] = []
    for source in files:
        if hidden(_relative(source, tests.base)):
            continue
        if tests.matches(source.display):
            # its bytes are read again if it is screened (most are not kept for long), its module
            # name worked out if it is read (most are not)
            data = b"" if source.location else source.data
            test_files.append(dataclasses.replace(source, is_test=True, matters=False, data=data))
            continue
        if source.matters is None:
            source = source.loaded()  # a test file last time: known by its stamp alone
            matters = may_matter(source.data, extra)
            source = dataclasses.replace(
                source, matters=matters, digest=digest(source.data) if matters else ""
            )
        if source.matters and source.indexes is None:
            source = dataclasses.replace(source, indexes=indexes(source.loaded().data))
        if source.matters:
            named = _named(source)
            if importable(named.module):
                analysed.append(named)
                continue
            if _django_command(named.module):
                # ``manage.py init-setup``: Django imports it by name, whatever its name is;
                # what it sends or schedules is knowledge, but no worker imports it
                analysed.append(dataclasses.replace(named, reported=False))
                continue
        others.append(source)
    return Sources(analysed, test_files, len(files), [*analysed, *others])


def _django_command(module: str) -> bool:
    """A Django management command whose file name is not an identifier (``init-setup.py``):
    ``call_command`` and ``manage.py`` import it with ``importlib`` all the same."""
    package, _, name = module.rpartition(".")
    return package.endswith("management.commands") and importable(package) and bool(name)


def _relative(source: SourceFile, base: str | None) -> str:
    """The path of ``source`` below the project root when it is there, else as displayed."""
    if base is not None and source.location:
        return relative_to(source.location, base) or source.display
    return source.display


def _named(source: SourceFile) -> SourceFile:
    """The source with its module name, for a file read from disk."""
    if source.module or not source.location:
        return source
    name, is_package = module_name(Path(source.location))
    return dataclasses.replace(source, module=name, is_package=is_package)


def analyse_sources(
    sources: Sequence[SourceFile],
    options: RunOptions,
    jobs: int | None = None,
    cache: Cache | None = None,
    known_index: ProjectIndex | None = None,
) -> tuple[list[FileResult], ProjectIndex]:
    """Analyse files, one result each; the index comes from a first, small pass (or is given:
    then nothing is cached).

    With a cache, the index is reused while the files that make it are unchanged, and each file's
    result while its content, the options and the index are unchanged.
    """
    if known_index is not None:
        return _analyse_rest([s.loaded() for s in sources], known_index, options, jobs), known_index
    run_key = digest("run", options.fingerprint()) if cache else ""
    # A file known only by its path is read now: its content is part of its cache key.
    sources = [s if s.digest or s.data else s.loaded() for s in sources]
    hashes = {id(s): s.digest or digest(s.data) for s in sources} if cache else {}
    modules = sorted({s.module for s in sources if s.module})
    early = [s for s in sources if not _reads_only(s) and _indexes(s)]
    index_key = ""
    index: object = None
    if cache is not None:
        index_key = digest(
            "index", run_key, modules, [(s.display, s.module, s.is_package, hashes[id(s)]) for s in early]
        )
        hit = cache.get(index_key)
        # The index and the files beyond ``early`` that added to it (those that re-export or
        # rebind a factory): still valid while the same files would be chosen today.
        if (
            isinstance(hit, tuple)
            and len(hit) == 2
            and isinstance(hit[0], ProjectIndex)
            and _factory_files(hit[0], sources, early, hashes) == hit[1]
        ):
            index = hit[0]
    parsed_early: dict[int, tuple[Parsed | None, FileResult]] = {}
    if not isinstance(index, ProjectIndex):
        index = ProjectIndex(modules=set(modules))
        parsed_early = {id(s): parse_source(s.loaded(), options) for s in early}
        parsed_list = [parsed for parsed, _ in parsed_early.values() if parsed is not None]
        # A task class may derive from a project class in another file: repeat until stable.
        _contribute(index, parsed_list)
        if index.factories or index.app_factories:
            # Files that re-export a factory or bind another name to it (or to a function that
            # builds an app) add to the index too.
            done = {id(s) for s in early}
            while True:
                new = [s for s in _binding_factories(index, sources) if id(s) not in done]
                if not new:
                    break
                done.update(id(s) for s in new)
                parsed_more = {id(s): parse_source(s.loaded(), options) for s in new}
                parsed_early.update(parsed_more)
                before = index.size()
                _contribute(index, [p for p, _ in parsed_more.values() if p is not None])
                if index.size() == before:
                    break
        if cache is not None:
            cache.put(index_key, (index, _factory_files(index, sources, early, hashes)))
    # A file's result depends on the index, not on how it was built: after an edit of a file
    # that adds to it (a task module defining a base class) that leaves the index as it was,
    # every other file's result is still valid.
    content_key = digest("index-content", run_key, index.fingerprint()) if cache is not None else ""

    found: list[tuple[SourceFile, FileResult]] = []
    keys: dict[int, str] = {}
    missing: list[SourceFile] = []
    for source in sources:
        if cache is not None:
            key = digest(
                "file",
                run_key,
                content_key,
                source.display,
                source.module,
                source.is_package,
                source.is_test,
                source.reported,
                source.imports_only,
                hashes[id(source)],
            )
            hit = cache.get(key)
            if isinstance(hit, FileResult):
                hit.key = key
                found.append((source, hit))
                continue
            keys[id(source)] = key
        missing.append(source)

    computed: list[tuple[SourceFile, FileResult]] = []
    rest: list[SourceFile] = []
    for source in missing:
        if id(source) in parsed_early:
            computed.append((source, _complete(*parsed_early[id(source)], index, options)))
        elif not _reads_only(source) and _indexes(source):
            computed.append((source, _analyse_batch([source.loaded()], index, options)[0]))
        else:
            rest.append(source)
    computed.extend(zip(rest, _analyse_rest([s.loaded() for s in rest], index, options, jobs)))
    for source, result in computed:
        if cache is not None:
            result.key = keys[id(source)]
            cache.put(result.key, result)
        found.append((source, result))
    if cache is not None:
        # One order whatever was cached (the files that make the index first, as a run without
        # a cache analyses them): the project rules' findings are kept under the results' keys
        # in this order.
        position = {id(source): number for number, source in enumerate(sources)}
        found.sort(key=lambda pair: (_reads_only(pair[0]) or not _indexes(pair[0]), position[id(pair[0])]))
    return [result for _, result in found], index


def _binding_factories(index: ProjectIndex, sources: Sequence[SourceFile]) -> list[SourceFile]:
    """The non-test files that may re-export, rebind or build on one of the index's factories."""
    if not index.factories and not index.app_factories:
        return []
    words = index.factory_words()
    binds = _binding(words)
    encoded = {w.encode() for w in words}
    return [s for s in sources if not _reads_only(s) and _binds_factory(s.loaded(), encoded, binds)]


def _factory_files(
    index: ProjectIndex, sources: Sequence[SourceFile], early: list[SourceFile], hashes: dict[int, str]
) -> list[tuple[str, str]]:
    """The files beyond ``early`` that the factory rounds read, with their content digests."""
    skip = {id(s) for s in early}
    return sorted((s.display, hashes[id(s)]) for s in _binding_factories(index, sources) if id(s) not in skip)


def _binding(words: frozenset[str]) -> re.Pattern[bytes]:
    """Another name bound to one of ``words`` (``x = word``, ``word as x``), or a call of it on a
    line that is not a decorator (a factory of a factory)."""
    names = rb"(?:" + b"|".join(re.escape(w.encode()) for w in sorted(words)) + rb")"
    return re.compile(
        rb"=\s*(?:[\w.]+\.)?" + names + rb"\b|\b" + names + rb"\s+as\b"
        rb"|^(?![ \t]*@)[^\n#]*?\b" + names + rb"\s*\(",
        re.M,
    )


def _binds_factory(source: SourceFile, words: set[bytes], binds: re.Pattern[bytes]) -> bool:
    """The file may re-export a factory (a package naming it) or bind another name to it (not
    every file that imports a factory: those need not be parsed before the others)."""
    if source.is_package:
        return NameScreen(words).matches(source.data)
    return binds.search(source.data) is not None


def _contribute(index: ProjectIndex, parsed_list: list[Parsed]) -> None:
    """Add what the parsed files define to the index; a task class or a factory may build on one
    from another file: repeat until stable."""
    for _ in range(6):
        before = index.size()
        for parsed in parsed_list:
            index.merge(contributions(parsed, index))
        if index.size() == before:
            break


def promoted(others: Sequence[SourceFile], index: ProjectIndex) -> list[SourceFile]:
    """Files the byte prefilter skipped that name one of the project's task factories (whose
    names need not contain ``task``): they may define tasks."""
    words = {w.encode() for w in index.factory_words()}
    words = {w for w in words if not may_matter(w)}
    if not words:
        return []
    found = []
    screen = NameScreen(words)
    for source in others:
        loaded = source.loaded()
        if not loaded.is_test and screen.matches(loaded.data):
            found.append(_named(dataclasses.replace(loaded, matters=True, digest=digest(loaded.data))))
    return found


def _reads_only(source: SourceFile) -> bool:
    """A test file, or a module read only for its imports: not analysed (CT301 reads them)."""
    return source.is_test or source.imports_only


def _indexes(source: SourceFile) -> bool:
    if source.indexes is not None:
        return source.indexes
    return indexes(source.loaded().data)


def _analyse_rest(
    rest: list[SourceFile], index: ProjectIndex, options: RunOptions, jobs: int | None
) -> list[FileResult]:
    """Results in the order of ``rest``, from ``jobs`` processes when there are enough files.

    This process is one of them. The files are batched by size, largest first (a file's cost
    follows its size): the worker processes take batches from the front, one at a time, each
    given the next as soon as it returns one; this process analyses batches from the back. So
    when the last batch is taken, no process holds more than one batch and the last ones are the
    smallest: no process waits long for another (one process fewer to hold the same memory)."""
    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(rest) < _POOL_THRESHOLD:
        return _analyse_batch(rest, index, options)
    order = sorted(range(len(rest)), key=lambda number: -len(rest[number].data))
    batches = _batches([rest[number] for number in order], workers * _BATCHES_PER_PROCESS)
    stop_parser_thread()  # no thread may run while the worker processes are forked
    release()  # nor should they start with pages this process no longer uses
    done: dict[int, list[FileResult]] = {}
    queue = deque(range(len(batches)))
    lock = threading.Lock()
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=workers - 1, initializer=_init_worker, initargs=(index, options)
    ) as pool:
        pending: dict[concurrent.futures.Future[list[FileResult]], int] = {}

        def give(_: object = None) -> None:
            # called here and, when a worker returns a batch, in the pool's management thread
            with lock:
                if not queue:
                    return
                number = queue.popleft()
                future = pool.submit(_worker_batch, batches[number])
                pending[future] = number
            future.add_done_callback(give)

        for _ in range(workers - 1):
            give()  # starts the worker processes (before this process starts its parser thread)
        while True:
            with lock:
                if not queue:
                    break
                number = queue.pop()
            done[number] = _analyse_batch(batches[number], index, options)
            release()
        with lock:
            given = dict(pending)
        for future, number in given.items():
            done[number] = future.result()
    flat = [result for number in range(len(batches)) for result in done[number]]
    by_file = dict(zip(order, flat))  # back from largest first to the order of ``rest``
    return [by_file[number] for number in range(len(rest))]


def _complete(
    parsed: Parsed | None, result: FileResult, index: ProjectIndex, options: RunOptions
) -> FileResult:
    """Add the analysis of a parsed file to its parse result (a CT000 or a note, if any)."""
    if parsed is not None:
        try:
            analysed = in_parser_thread(analyse, parsed, index, options)
        except (RecursionError, MemoryError) as error:  # a pathological file must not end the run
            result.notes.append(
                f"{parsed.source.display}: skipped, too complex to analyse ({type(error).__name__})"
            )
            result.unanalysed = parsed.source.display
            return result
        except Exception as error:  # nor may a bug of the analyser's on one file (as ruff does)
            result.notes.append(
                f"{parsed.source.display}: skipped, the analyser failed on it "
                f"({type(error).__name__}: {error}); please report this with the file"
            )
            result.unanalysed = parsed.source.display
            return result
        result.findings.extend(analysed.findings)
        result.tasks.extend(analysed.tasks)
        result.notes.extend(analysed.notes)
        result.facts = analysed.facts
        result.foreign_decorators.extend(analysed.foreign_decorators)
    return result


# Batches per process: enough that the last ones, the smallest, end close together.
_BATCHES_PER_PROCESS = 8


def _batches(items: list[SourceFile], count: int) -> list[list[SourceFile]]:
    """``items`` (largest first) in consecutive batches of about ``count``-th of their bytes
    each (a batch is at least one file: a large file makes one alone)."""
    share = max(1, sum(len(item.data) for item in items) // count)
    batches: list[list[SourceFile]] = []
    size = 0
    for item in items:
        if not batches or size >= share:
            batches.append([])
            size = 0
        batches[-1].append(item)
        size += len(item.data)
    return batches


def _analyse_batch(batch: Sequence[SourceFile], index: ProjectIndex, options: RunOptions) -> list[FileResult]:
    return [
        analyse_test_file(source)
        if source.is_test
        else analyse_imports(source)
        if source.imports_only
        else _complete(*parse_source(source, options), index, options)
        for source in batch
    ]


_WORKER: dict[str, object] = {}


def _init_worker(index: ProjectIndex, options: RunOptions) -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    gc.disable()  # as in the main process (a forked worker inherits it; a spawned one does not)
    _WORKER["index"] = index
    _WORKER["options"] = options


def _worker_batch(batch: list[SourceFile]) -> list[FileResult]:
    index = _WORKER["index"]
    options = _WORKER["options"]
    assert isinstance(index, ProjectIndex) and isinstance(options, RunOptions)
    results = _analyse_batch(batch, index, options)
    release()
    return results


def collect(
    results: list[FileResult],
    files: int,
    notes: list[str],
    options: RunOptions,
    config: Config,
    tests: TestFiles,
    cache: Cache | None = None,
) -> RunResult:
    findings: list[Finding] = []
    listed: list[TaskSummary] = []
    tasks: list[TaskSummary] = []
    facts: list[FileFacts] = []
    unreported: set[str] = set()  # excluded or skipped files: knowledge only
    unanalysed: list[str] = []
    for result in results:
        if result.reported:
            if result.unanalysed:
                unanalysed.append(result.unanalysed)
            findings.extend(result.findings)
            listed.extend(result.tasks)
            notes.extend(result.notes)
        else:
            unreported.update(t.path for t in result.tasks)
            if result.facts is not None:
                unreported.add(result.facts.path)
        tasks.extend(result.tasks)
        if result.facts is not None:
            facts.append(result.facts)
    notes.extend(_decorator_notes(results, config))
    project = ProjectContext(
        tasks,
        facts,
        build_config(facts, tests),
        tests,
        options.setting_names,
        logging_helpers=frozenset(config.logging_helpers),
        selected=options.codes,
    )
    findings = [f for f in findings if not _satisfied_by_project(f, project)]
    findings = _revised(findings, project)
    project_findings = _kept_project_findings(results, project, options, config, tests, cache)
    findings.extend(f for f in project_findings if f.path not in unreported)
    findings.sort(key=Finding.sort_key)
    listed.sort(key=lambda t: (t.path, t.line, t.column))
    django = [space for f in facts for target, space in f.config_sources if target == DJANGO_SETTINGS]
    prefix = next((space for space in django if space), OLD_SETTING_NAMES if django else "")
    return RunResult(findings, listed, files, notes, options.codes, unanalysed, prefix)


# A foreign decorator named ``...task`` on this many functions is worth a note.
_FOREIGN_NOTE_MINIMUM = 3


def _decorator_notes(results: list[FileResult], config: Config) -> list[str]:
    """One note naming the decorators imported from installed libraries that look like task
    decorators but are not known to be: their functions are not checked unless configured."""
    counts = Counter(name for result in results for name in result.foreign_decorators)
    configured = set(config.task_decorators)
    frequent = sorted(n for n, c in counts.items() if c >= _FOREIGN_NOTE_MINIMUM and n not in configured)
    if not frequent:
        return []
    listed = ", ".join(f"`{n}` ({counts[n]} functions)" for n in frequent)
    return [
        f"note: {listed} imported from outside the project may make Celery tasks; if so, list "
        f"{'it' if len(frequent) == 1 else 'them'} in `task-decorators` under [tool.celery-checklist] "
        "so that those tasks are checked"
    ]


def _satisfied_by_project(finding: Finding, project: ProjectContext) -> bool:
    """A task finding that the project's configuration answers (a global time limit, say)."""
    rule = rule_by_code().get(finding.code)
    if rule is None or not rule.satisfied_by_settings:
        return False
    if any(project.config.truthy(name) for name in rule.satisfied_by_settings):
        return True
    return project.config.annotated(finding.task, rule.satisfied_by_options)


def _revised(findings: list[Finding], project: ProjectContext) -> list[Finding]:
    """Findings of per-file checks reworded or dropped by their rule for what the whole project
    says (its serializer, its result backend, its logging helpers)."""
    by_code = rule_by_code()
    revised: list[Finding] = []
    for finding in findings:
        rule = by_code.get(finding.code)
        kept = rule.revise(finding, project) if rule is not None else finding
        if kept is not None:
            revised.append(kept)
    return revised


def _kept_project_findings(
    results: list[FileResult],
    project: ProjectContext,
    options: RunOptions,
    config: Config,
    tests: TestFiles,
    cache: Cache | None,
) -> list[Finding]:
    """The project rules' findings, or those of an earlier run whose every file result (each
    known by its cache key: what it was computed from), in the same order, and whose options,
    logging helpers and test files were the same: a pre-commit run on files that changed nothing
    the analysis reads (a module the byte screen skips) does not run the project rules again."""
    if cache is None or not results or not all(result.key for result in results):
        return _project_findings(project, options)
    key = digest(
        "project",
        options.fingerprint(),
        sorted(config.logging_helpers),
        tests.fingerprint(),
        [result.key for result in results],
    )
    hit = cache.get(key)
    if isinstance(hit, list) and all(isinstance(f, Finding) for f in hit):
        return hit
    found = _project_findings(project, options)
    cache.put(key, found)
    return found


def _project_findings(project: ProjectContext, options: RunOptions) -> list[Finding]:
    suppressions = {f.path: f.suppressions for f in project.files}
    findings = []
    # The rules about suppression comments run last: they need to know which comments were used.
    rules = sorted(_project_rules(options.codes), key=lambda rule: rule.code in _AFTER_SUPPRESSIONS)
    for rule in rules:
        for report in rule.check_project(project):
            where = report.where
            lines: tuple[int, ...] = (where.line,)
            task = report.task
            if task is not None and task.path == where.path:
                first, last = task.definition
                if first <= where.line <= last:  # about the definition, not a call site elsewhere
                    lines += task.suppression_lines
            silenced = suppressions.get(where.path)
            if silenced is not None and silenced.silences(rule.code, lines):
                continue
            findings.append(
                make_finding(
                    rule,
                    report.severity or options.severities.get(rule.code, rule.severity),
                    report.message,
                    where,
                    (report.task.name, report.task.key) if report.task else None,
                )
            )
    return findings


_AFTER_SUPPRESSIONS = frozenset({"CT001", "CT002"})


def _project_rules(codes: tuple[str, ...]) -> list[Rule]:
    by_code = rule_by_code()
    return [
        by_code[code]()
        for code in codes
        if code in by_code and by_code[code].check_project is not Rule.check_project
    ]


def execute(
    files: list[SourceFile],
    config: Config,
    codes: tuple[str, ...],
    jobs: int | None,
    notes: list[str],
    root: Path | None = None,
    cache: Cache | None = None,
    manifest: str = "",
) -> RunResult:
    """Analyse ``files`` (the list is emptied: the run keeps only what it needs of them)."""
    learnt = cache.get(digest(manifest, "learnt")) if cache is not None and manifest else None
    if isinstance(learnt, dict):
        files[:] = with_learnt(files, learnt)
    tests = TestFiles.of_project(
        config.test_paths, root, (_relative(s, str(root) if root else None) for s in files)
    )
    sources = classify(files, config, tests)
    files.clear()  # what is still needed of them is in ``sources`` (the bytes of test files are not)
    options = run_options(config, codes)
    results, index = analyse_sources(sources.analysed, options, jobs, cache)
    if index.factories:
        extra = promoted(sources.remembered[len(sources.analysed) :], index)
        if extra:
            results.extend(analyse_sources(extra, options, jobs, known_index=index)[0])
            sources = dataclasses.replace(sources, analysed=[*sources.analysed, *extra])
    if not {"CT207", "CT209"}.isdisjoint(codes):
        results.extend(_unread_helpers(results, sources, options, jobs, cache))
    tasks = [t for r in results for t in r.tasks]
    if "CT301" in codes and tasks:
        names = _reexports(sources, results, tasks, options, jobs, cache)
        # Test files are parsed only when their bytes name a task (CT301 is all they serve): its
        # function, object or registered name, or a name a module imports it under.
        # Also those naming code that runs a task (CT301 follows it), or making tasks eager.
        words, pairs = _delegate_words(tasks, {r.facts.module for r in results if r.facts is not None})
        names |= _callers(results, tasks) | words | _EAGER_WORDS
        named = _naming(sources, names, pairs)
        results.extend(analyse_sources(named, options, jobs, cache)[0])
        unparsed = sorted(r.facts.path for r in results if r.facts is not None and r.facts.unparsed)
        if unparsed:
            shown = ", ".join(unparsed[:5]) + (f" and {len(unparsed) - 5} more" if len(unparsed) > 5 else "")
            notes.append(
                f"{len(unparsed)} test file(s) Python {sys.version_info[0]}.{sys.version_info[1]} cannot "
                f"parse ({shown}): CT301 read their imports, names and strings token by token"
            )
    result = collect(results, sources.count, notes, options, config, tests, cache)
    result.index = index
    unparsable = [f for f in result.findings if f.code == "CT000"]
    if unparsable and python2_only(root):
        # the analyser reads Python 3: Python 2 syntax is no error of a Python 2 project's
        result.findings = [f for f in result.findings if f.code != "CT000"]
        result.notes.append(
            f"the project declares Python 2 only: {len(unparsable)} file(s) this Python cannot parse "
            "were skipped, not reported as CT000"
        )
    if cache is not None and manifest:
        every = [*sources.remembered, *sources.tests]
        cache.put(manifest, known_files(every))
        cache.put(digest(manifest, "learnt"), learnt_files(every, sources.imported, sources.screened))
    return result


def _naming(sources: Sources, names: set[bytes], pairs: set[tuple[bytes, bytes]]) -> list[SourceFile]:
    """The test files whose bytes hold one of ``names``, or both words of one of ``pairs`` (an
    unchanged file screened for the same names by an earlier run is not read again)."""
    key = digest("names", sorted(names), sorted(pairs))
    screen = NameScreen(names, pairs)
    named: list[SourceFile] = []
    for source in sources.tests:
        if source.screened is not None and source.screened[0] == key:
            matched = source.screened[1]
        else:
            source = source.loaded()
            matched = screen.matches(source.data)
            sources.screened[source.location] = (key, matched)
        if matched:
            named.append(_named(source.loaded()))
    return named


def _unread_helpers(
    results: list[FileResult], sources: Sources, options: RunOptions, jobs: int | None, cache: Cache | None
) -> list[FileResult]:
    """The results of the project modules that CT207's handlers (or CT209's tasks) call but the
    byte prefilter skipped (a ``utils/errors.py`` that only logs), so that the project knows
    whether they log (or catch the soft time limit)."""
    wanted: set[str] = set()
    for result in results:
        if result.facts is not None:
            for called in result.facts.finding_calls.values():
                for name in called:
                    parts = name.split(".")
                    wanted.update(".".join(parts[:i]) for i in range(1, len(parts)))
    if not wanted:
        return []
    read = {s.display for s in sources.analysed}
    found: list[SourceFile] = []
    for source in sources.remembered:
        if source.display in read or not source.display.endswith(".py"):
            continue
        stem = source.display[:-3].removesuffix("/__init__").replace("/", ".")
        if any(stem == m or stem.endswith("." + m) for m in wanted):
            named = _named(source)
            if named.module in wanted:
                found.append(named)
    if not found:
        return []
    # Only the facts about functions that log (CT207) or catch the soft limit (CT209) are
    # wanted from these files.
    wanted_codes = tuple(c for c in ("CT207", "CT209") if c in options.codes)
    helper_options = dataclasses.replace(options, codes=wanted_codes, severities={})
    return analyse_sources(found[:_MAX_HELPERS], helper_options, jobs, cache)[0]


_MAX_HELPERS = 200


# Rounds of reading modules for their imports: a task re-exported under another name can be
# imported under that name elsewhere.
_REEXPORT_ROUNDS = 3
_IMPORT_STATEMENT = re.compile(rb"^[ \t]*(?:from[ \t]+[\w.]+[ \t]+)?import[ \t]+(\([^)]*\)|[^\n]*)", re.M)
_IMPORTED_WORD = re.compile(rb"[A-Za-z_]\w*|\*")


def _imported_words(data: bytes) -> set[bytes] | None:
    """The words of the file's import statements (``*`` for a star import); None without any."""
    words = {w for statement in _import_statements(data) for w in _IMPORTED_WORD.findall(statement)}
    return words or None


def _import_statements(data: bytes) -> list[bytes]:
    """What ``_IMPORT_STATEMENT.finditer(data)`` finds (its group), tried only at the start of
    the lines that hold ``import`` (the pattern cannot match elsewhere; trying it at every
    position of every file was most of the cost of reading a large project's imports)."""
    found: list[bytes] = []
    end = 0  # where the last match ended: the next one starts at a line start after it
    for start in line_starts(data, b"import"):
        if start >= end:
            match = _IMPORT_STATEMENT.match(data, start)
            if match is not None:
                found.append(match.group(1))
                end = match.end()
    return found


def _reexports(
    sources: Sources,
    results: list[FileResult],
    tasks: list[TaskSummary],
    options: RunOptions,
    jobs: int | None,
    cache: Cache | None,
) -> set[bytes]:
    """Read for their imports the modules that were not analysed (or gave no facts) but import
    a task or a task module by name, or import ``*``: they may re-export a task (``from .mail
    import send`` in ``pkg/tasks/__init__.py``). Their facts join ``results``. Returns the
    names a test file must hold to be read: every name the tasks are known by."""
    canonical = set().union(*(task_names(t) for t in tasks))
    names = {n.encode() for n in canonical} | {n.rpartition(".")[2].encode() for n in canonical}
    # a module imported under another name (``from pkg import tasks as jobs``) holds its tasks too
    modules = {t.module.rpartition(".")[2].encode() for t in tasks if t.module}
    names |= _alias_names(results, canonical)
    read = {r.facts.path for r in results if r.facts is not None}
    pending = [s for s in sources.remembered if s.display not in read]
    for _ in range(_REEXPORT_ROUNDS):
        picked: list[SourceFile] = []
        rest: list[SourceFile] = []
        wanted = names | modules
        for source in pending:
            imported = source.imported
            loaded = source
            if imported is None:  # remembered for the next run (the bytes are not kept)
                loaded = source.loaded()
                imported = frozenset(_imported_words(loaded.data) or ())
                source = dataclasses.replace(source, imported=imported)
                sources.imported[source.location] = imported
            if imported and (b"*" in imported or not wanted.isdisjoint(imported)):
                picked.append(
                    dataclasses.replace(_named(loaded.loaded()), imports_only=True, imported=imported)
                )
            elif imported:
                rest.append(source)
        if not picked:
            break
        results.extend(analyse_sources(picked, options, jobs, cache)[0])
        pending = rest
        found = _alias_names(results, canonical)
        if found <= names:
            break
        names |= found
    return names


_EAGER_WORDS = {w.encode() for w in (*EAGER_SETTINGS, *WORKER_FIXTURES)}


def _callers(results: list[FileResult], tasks: list[TaskSummary]) -> set[bytes]:
    """The names (last part; the class for a method) of the project's functions that call or
    enqueue a task, at most ``REACH_DEPTH`` calls away: a test naming one of them may run the task.
    Also those that call the project's function a task's whole body calls (its delegate): a
    test running one of them tests the task's work (CT301)."""
    graph = call_graph(
        (result.facts.function_calls, result.facts.signal_receivers)
        for result in results
        if result.facts is not None
    )
    callers: dict[str, set[str]] = {}
    for caller, called in graph.items():
        for name in called:
            callers.setdefault(name, set()).add(caller)
            owner = name.rpartition(".")[0]
            if owner:  # ``task.delay``: the task; ``Class.method``: also ``Class`` (built)
                callers.setdefault(owner, set()).add(caller)
    modules = {r.facts.module for r in results if r.facts is not None}
    wanted = set().union(*(task_names(t) for t in tasks))
    heads = {module.partition(".")[0] for module in modules}
    wanted |= {t.delegate for t in tasks if "." in t.delegate and t.delegate.partition(".")[0] in heads}
    found: set[str] = set()
    for _ in range(REACH_DEPTH + 1):
        following = {c for name in wanted for c in callers.get(name, ()) if c not in found}
        found |= following
        wanted = following | {f.rpartition(".")[0] for f in following}
    words: set[bytes] = set()
    for name in found:
        owner, _, last = name.rpartition(".")
        if owner in modules:
            words.add(last.encode())
            if owner.rpartition(".")[2] in VIEW_MODULES:  # ``reverse("load-dump")``
                words.add(last.replace("_", "-").encode())
            continue
        cls = owner.rpartition(".")[2]
        # a class by its name, its GraphQL field (``requestPasswordReset``), a view's action by
        # its URL name (``reverse("importer-load-dump")``)
        words.update({cls.encode(), (cls[:1].lower() + cls[1:]).encode()})
        if cls.endswith(VIEW_SUFFIXES):
            words.add(last.replace("_", "-").encode())
            # the router's basename, as URL names start (``exporter-detail``)
            suffix = max((x for x in VIEW_SUFFIXES if cls.endswith(x)), key=len)
            stem = cls[: -len(suffix)]
            if stem:
                words.update({stem.lower().encode(), f"{stem.lower()}s".encode()})
        _, marker, command = name.partition(".management.commands.")
        if marker:  # tests run a Django command by its name: ``call_command("rebuild_index")``
            words.add(command.partition(".")[0].encode())
    return words


def _delegate_words(
    tasks: list[TaskSummary], modules: set[str]
) -> tuple[set[bytes], set[tuple[bytes, bytes]]]:
    """What a test file must hold to name what a one-call task delegates to (CT301): the
    management command, or the function of a project module (a package may re-export it, so
    the module's name need not be there), or both the owner and the method of anything else
    (``Handler.sync``, ``default_storage.delete``: a test names the owner to reach the method,
    as :func:`checker.rules.ct301_untested_task._delegates_to_tested` requires)."""
    words: set[bytes] = set()
    pairs: set[tuple[bytes, bytes]] = set()
    for task in tasks:
        if task.delegate.startswith("command:"):
            words.add(task.delegate[len("command:") :].encode())
        elif task.delegate:
            owner, _, last = task.delegate.rpartition(".")
            if not owner or owner in modules:
                words.add(last.encode())
            else:
                pairs.add((owner.rpartition(".")[2].encode(), last.encode()))
    return words, pairs


def _alias_names(results: list[FileResult], canonical: set[str]) -> set[bytes]:
    """The local names under which modules import one of the tasks (``canonical`` names)."""
    aliases = ImportAliases(r.facts for r in results if r.facts is not None)
    return {
        alias.rpartition(".")[2].encode()
        for alias in aliases.names
        if not canonical.isdisjoint(aliases.resolve(alias))
    }
