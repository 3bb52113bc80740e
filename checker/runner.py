"""A whole run: files → prefilter → project index → per-file analysis (in parallel) → results."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from checker.celery_names import known_task_options
from checker.config import Config
from checker.engine import FileResult, Parsed, RunOptions, analyse, contributions, make_finding, parse_source
from checker.facts import FileFacts
from checker.files import Excluder, display_path, module_name, project_root, python_files
from checker.index import ProjectIndex
from checker.model import Finding, TaskSummary
from checker.project import ProjectContext, TestFiles, build_config
from checker.rules import Rule, rule_by_code
from checker.settings import setting_names
from checker.source import SourceFile, may_matter, stop_parser_thread
from checker.values import UNKNOWN

# Files that can add to the project index (a ``Celery(...)`` app or a ``Task`` subclass) are
# parsed first, in the main process.
_INDEX_BYTES = re.compile(rb"Celery\s*\(|^\s*class\s+\w+\s*\([^)]*Task\b", re.M)
# Below this many files to parse, a process pool costs more than it saves.
_POOL_THRESHOLD = 24
_NEEDS_OPTIONS = frozenset({"CT107"})


@dataclasses.dataclass
class RunResult:
    findings: list[Finding]
    tasks: list[TaskSummary]
    files: int  # Python files considered
    notes: list[str]  # one line each, printed on stderr
    selected: tuple[str, ...]


def run_options(config: Config, codes: tuple[str, ...]) -> RunOptions:
    by_code = rule_by_code()
    severities = {code: config.severity.get(code, by_code[code].severity) for code in codes}
    selected = frozenset(codes)
    return RunOptions(
        codes=codes,
        severities=severities,
        wrappers=frozenset(config.task_decorators),
        known_options=known_task_options() if selected & _NEEDS_OPTIONS else frozenset(),
        setting_names=setting_names(),
    )


@dataclasses.dataclass
class Sources:
    """The files of a run: those that may hold tasks or settings, and the other test files."""

    analysed: list[SourceFile]
    tests: list[SourceFile]  # test files: read only if their bytes name a task
    count: int  # Python files considered


def classify(files: Sequence[SourceFile], config: Config, root: Path | None) -> Sources:
    """Split files into test files (matched by their path below the project root) and the
    others that may hold tasks or settings (the byte prefilter)."""
    extra = tuple(name.rpartition(".")[2].lower().encode() for name in config.task_decorators)
    tests = TestFiles(config.test_paths)
    analysed: list[SourceFile] = []
    test_files: list[SourceFile] = []
    for source in files:
        relative = source.display
        if root is not None:
            relative = os.path.relpath(os.path.abspath(source.display), root).replace(os.sep, "/")
        if tests.matches(relative):
            test_files.append(dataclasses.replace(source, is_test=True))
        elif may_matter(source.data, extra):
            analysed.append(source)
    return Sources(analysed, test_files, len(files))


def read_sources(paths: list[Path], config: Config, notes: list[str]) -> list[SourceFile]:
    """Read every Python file under ``paths``."""
    excluder = Excluder(config.exclude, config.root)
    files = python_files(paths, excluder, notes.append)
    sources: list[SourceFile] = []
    for path in files:
        try:
            data = path.read_bytes()
        except IsADirectoryError:
            notes.append(f"{display_path(path)}: is a directory, skipped")
            continue
        except OSError as error:
            notes.append(f"{display_path(path)}: cannot read ({error.strerror or error}), skipped")
            continue
        name, is_package = module_name(path)
        sources.append(SourceFile(display_path(path), name, is_package, data))
    return sources


def analyse_sources(
    sources: Sequence[SourceFile], options: RunOptions, jobs: int | None = None
) -> tuple[list[FileResult], ProjectIndex]:
    """Analyse files that passed the prefilter; the index comes from a first, small pass."""
    results: list[FileResult] = []
    index = ProjectIndex(modules={source.module for source in sources if source.module})
    early: list[Parsed] = []
    rest: list[SourceFile] = []
    for source in sources:
        if _INDEX_BYTES.search(source.data):
            parsed, result = parse_source(source, options)
            results.append(result)
            if parsed is not None:
                early.append(parsed)
        else:
            rest.append(source)
    # A task class may derive from a project class in another file: repeat until nothing changes.
    for _ in range(5):
        before = (len(index.apps), len(index.task_classes))
        for parsed in early:
            index.merge(contributions(parsed, index))
        if (len(index.apps), len(index.task_classes)) == before:
            break
    results.extend(analyse(parsed, index, options) for parsed in early)

    workers = jobs if jobs is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(rest) < _POOL_THRESHOLD:
        results.extend(_analyse_batch(rest, index, options))
        return results, index
    batches = _batches(rest, workers * 4)
    stop_parser_thread()
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(index, options)
    ) as pool:
        for batch_results in pool.map(_worker_batch, batches):
            results.extend(batch_results)
    return results, index


def _batches(items: list[SourceFile], count: int) -> list[list[SourceFile]]:
    size = max(1, -(-len(items) // count))
    return [items[i : i + size] for i in range(0, len(items), size)]


def _analyse_batch(batch: Sequence[SourceFile], index: ProjectIndex, options: RunOptions) -> list[FileResult]:
    results = []
    for source in batch:
        parsed, result = parse_source(source, options)
        if parsed is not None:
            analysed = analyse(parsed, index, options)
            result.findings.extend(analysed.findings)
            result.tasks.extend(analysed.tasks)
            result.notes.extend(analysed.notes)
            result.facts = analysed.facts
        results.append(result)
    return results


_WORKER: dict[str, object] = {}


def _init_worker(index: ProjectIndex, options: RunOptions) -> None:
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    _WORKER["index"] = index
    _WORKER["options"] = options


def _worker_batch(batch: list[SourceFile]) -> list[FileResult]:
    index = _WORKER["index"]
    options = _WORKER["options"]
    assert isinstance(index, ProjectIndex) and isinstance(options, RunOptions)
    return _analyse_batch(batch, index, options)


def collect(
    results: list[FileResult], files: int, notes: list[str], options: RunOptions, config: Config
) -> RunResult:
    findings: list[Finding] = []
    tasks: list[TaskSummary] = []
    facts: list[FileFacts] = []
    for result in results:
        findings.extend(result.findings)
        tasks.extend(result.tasks)
        notes.extend(result.notes)
        if result.facts is not None:
            facts.append(result.facts)
    project = ProjectContext(
        tasks, facts, build_config(facts, TestFiles(config.test_paths)), TestFiles(config.test_paths)
    )
    findings = [f for f in findings if not _satisfied_by_project(f, project)]
    findings.extend(_project_findings(project, options))
    findings.sort(key=Finding.sort_key)
    tasks.sort(key=lambda t: (t.path, t.line, t.column))
    return RunResult(findings, tasks, files, notes, options.codes)


def _satisfied_by_project(finding: Finding, project: ProjectContext) -> bool:
    """A task finding that the project's configuration answers (a global time limit, say)."""
    rule = rule_by_code().get(finding.code)
    if rule is None or not rule.satisfied_by_settings:
        return False
    if any(project.config.truthy(name) for name in rule.satisfied_by_settings):
        return True
    annotations = project.config.facts("task_annotations")
    for fact in annotations:
        if not isinstance(fact.value, dict):
            return fact.value is not None  # set, value unknown: it may well cover the task
        for key in ("*", finding.task):
            options = fact.value.get(key)
            if options is UNKNOWN or (
                isinstance(options, dict)
                and any(options.get(o) is not None for o in rule.satisfied_by_options)
            ):
                return True
    return False


def _project_findings(project: ProjectContext, options: RunOptions) -> list[Finding]:
    suppressions = {f.path: f.suppressions for f in project.files}
    findings = []
    for rule in _project_rules(options.codes):
        for report in rule.check_project(project):
            where = report.where
            lines = {where.line}
            if report.task is not None and report.task.path == where.path:
                lines.update(report.task.suppression_lines)
            silenced = suppressions.get(where.path, {})
            if any(rule.code in silenced.get(line, ()) for line in lines):
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


def _project_rules(codes: tuple[str, ...]) -> list[Rule]:
    by_code = rule_by_code()
    return [
        by_code[code]()
        for code in codes
        if code in by_code and by_code[code].check_project is not Rule.check_project
    ]


def execute(
    files: Sequence[SourceFile],
    config: Config,
    codes: tuple[str, ...],
    jobs: int | None,
    notes: list[str],
    root: Path | None = None,
) -> RunResult:
    sources = classify(files, config, root)
    options = run_options(config, codes)
    results, _ = analyse_sources(sources.analysed, options, jobs)
    if sources.tests and "CT301" in codes:
        # Test files are parsed only when their bytes name a task (CT301 is all they serve).
        wanted = _task_name_pattern(t for r in results for t in r.tasks)
        if wanted is not None:
            named = [s for s in sources.tests if wanted.search(s.data)]
            results.extend(analyse_sources(named, options, jobs)[0])
    return collect(results, sources.count, notes, options, config)


def _task_name_pattern(tasks: Iterable[TaskSummary]) -> re.Pattern[bytes] | None:
    """One pattern for every task's function name and registered name, as whole words."""
    words = set()
    for task in tasks:
        words.add(task.function)
        words.add(task.name)
    if not words:
        return None
    alternatives = b"|".join(re.escape(w.encode()) for w in sorted(words, key=len, reverse=True))
    return re.compile(rb"(?<!\w)(?:" + alternatives + rb")(?![\w])")


def run(paths: list[Path], config: Config, codes: tuple[str, ...], jobs: int | None = None) -> RunResult:
    """Analyse ``paths``.

    When every path is a file (as pre-commit passes the staged files) and they sit in a project,
    the whole project is read so that cross-file facts (configuration, tests, beat, routes,
    callers) stay true, but only findings and tasks in those files are reported.
    """
    notes: list[str] = []
    root = project_root(paths[0]) if paths else None
    if root is None or not paths or not all(p.is_file() for p in paths):
        return execute(read_sources(paths, config, notes), config, codes, jobs, notes, root)
    focus = {display_path(p) for p in paths}
    files = read_sources([root], config, notes)
    known = {s.display for s in files}
    files += [s for s in read_sources([p for p in paths if display_path(p) not in known], config, notes)]
    result = execute(files, config, codes, jobs, notes, root)
    return RunResult(
        findings=[f for f in result.findings if f.path in focus],
        tasks=[t for t in result.tasks if t.path in focus],
        files=len(focus),
        notes=result.notes,
        selected=result.selected,
    )
