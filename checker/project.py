"""The project as a whole: its effective Celery configuration, its tasks, its test files.

Built once per run in the main process from what the workers extracted, then consulted by the
project-wide rules and by the settings-aware filtering of task findings.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pathspec
from pathspec.util import normalize_file

from checker.callsites import CallSite
from checker.facts import FileFacts, NamedSchedule, SettingFact, TaskReference
from checker.files import relative_to
from checker.index import INSTANCE
from checker.loggers import calls_any, project_loggers
from checker.model import TaskSummary
from checker.settings import LOWER, UPPER, SettingNames, is_config_module, is_settings_like
from checker.testroots import (
    TEST_DIRS,
    catch_all,
    conftest_roots,
    eager_plugin,
    pytest_options,
    root_patterns,
    test_settings_modules,
)
from checker.values import UNKNOWN, Ref, Value

# ``tests.py``: the module Django's ``startapp`` creates, found by its test runner (``test*.py``).
DEFAULT_TEST_PATHS = ("test_*.py", "*_test.py", "tests.py", "tests/**/*.py", "conftest.py")
_TEST_PART = re.compile(r"^(tests?|testing|conftest|pytest)$|^test_|_tests?$|_testing$|_pytest$")
DJANGO_SETTINGS = "django.conf:settings"


# Beat entries this many seconds apart, or more, run rarely: a day holds a few dozen runs
# (every half hour: 48).
RARE = 1800.0


class TestFiles:
    """Which paths are test files: ``test-paths`` globs (matched at any depth), plus the test
    roots pytest would find (see :mod:`checker.testroots`).

    Paths are matched relative to the project root (``base``) when they are below it.
    """

    def __init__(
        self,
        patterns: Sequence[str],
        roots: Sequence[str] = (),
        names: Sequence[str] = (),
        base: str | None = None,
    ) -> None:
        lines = []
        for pattern in patterns or DEFAULT_TEST_PATHS:
            if "/" in pattern.rstrip("/") and not pattern.startswith(("/", "**/")):
                pattern = "**/" + pattern
            lines.append(pattern)
        lines += [name for name in names if "/" not in name and not catch_all(name)]
        self.files_spec = pathspec.GitIgnoreSpec.from_lines(lines)
        lines += [f"{name}/" for name in TEST_DIRS]
        lines += [root if root.startswith("/") else f"/{root.strip('/')}/" for root in roots]
        self._lines = tuple(lines)
        self.spec = pathspec.GitIgnoreSpec.from_lines(lines)
        self._match = spec_matcher(self.spec)
        self._matched: dict[str, bool] = {}
        self.base = base
        # the Django settings modules the test runs select (pytest-django, CI): test code too
        self.settings_modules: frozenset[str] = frozenset()
        # the tests depend on a pytest plugin that runs tasks eagerly (pytest-invenio)
        self.eager_plugin = False

    @classmethod
    def of_project(cls, patterns: Sequence[str], root: Path | None, relatives: Iterable[str]) -> TestFiles:
        """The test files of a project whose files are ``relatives`` (paths below ``root``)."""
        options = pytest_options(root)
        plain = cls(patterns, names=options.python_files)
        roots = [*root_patterns(options, root), *conftest_roots(relatives, plain.is_test_file)]
        found = cls(patterns, roots, options.python_files, str(root) if root is not None else None)
        found.settings_modules = test_settings_modules(root, options)
        found.eager_plugin = eager_plugin(root)
        return found

    def fingerprint(self) -> tuple[object, ...]:
        """Everything that decides which files are test code (and whether a plugin makes the
        tests eager)."""
        return (self._lines, self.base, sorted(self.settings_modules), self.eager_plugin)

    def is_test_file(self, path: str) -> bool:
        """``path`` is named like a test file (without looking at the test roots)."""
        return bool(self.files_spec.match_file(path))

    def matches(self, path: str) -> bool:
        known = self._matched.get(path)
        if known is None:
            relative = path
            if self.base is not None:
                relative = relative_to(os.path.abspath(path), self.base) or path
            known = self._matched[path] = self._match(relative)
        return known


# A named group of pathspec's regular expressions (``(?P<ps_d>/)``): unnamed in a union.
_NAMED_GROUP = re.compile(r"\(\?P<[A-Za-z_]\w*>")


def spec_matcher(spec: pathspec.GitIgnoreSpec) -> Callable[[str], bool]:
    """``spec.match_file`` as one regular expression: when no pattern negates (``!x``), a path
    matches when any pattern does, and the union of the patterns' expressions asks that in one
    search instead of one per pattern."""
    patterns = [p for p in spec.patterns if getattr(p, "include", None) is not None]
    regexes = [getattr(p, "regex", None) for p in patterns]
    if any(p.include is not True for p in patterns) or not all(isinstance(r, re.Pattern) for r in regexes):
        return lambda path: bool(spec.match_file(path))
    if not regexes:
        return lambda path: False
    union = re.compile("|".join(f"(?:{_NAMED_GROUP.sub('(?:', r.pattern)})" for r in regexes))  # type: ignore[union-attr]
    return lambda path: union.match(normalize_file(path)) is not None


def _star_closure(modules: Iterable[str], stars: Mapping[str, Sequence[str]]) -> set[str]:
    """``modules`` and the modules they star-import, directly or through others."""
    found = set(modules)
    pending = list(found)
    while pending:
        for star in stars.get(pending.pop(), ()):
            if star not in found:
                found.add(star)
                pending.append(star)
    return found


def is_test_module(module: str) -> bool:
    """A module named like test code (``settings.test``, ``test_settings``, ``conftest``)."""
    return any(_TEST_PART.search(part) for part in module.split("."))


@dataclasses.dataclass
class ProjectConfig:
    """The Celery configuration the project's apps end up with, from every spelling."""

    settings: list[SettingFact]  # the ones that count (outside test code)
    # Upper-case module-level names (``CELERY_X = ...``) count wherever they are, so that no
    # global limit is missed; findings about their values are reported only in modules that are
    # settings or config modules, since other modules use such names for their own constants.
    settings_modules: frozenset[str] = frozenset()

    def reportable(self) -> list[SettingFact]:
        """The settings whose values and names the rules may report on."""
        return [
            s
            for s in self.settings
            if s.kind != UPPER or s.module in self.settings_modules or is_settings_like(s.module)
        ]

    def facts(self, name: str) -> list[SettingFact]:
        return [s for s in self.settings if s.name == name]

    def is_set(self, name: str) -> bool:
        """Set to something other than None (a literal or an unknown value)."""
        return any(s.value is not None for s in self.facts(name))

    def truthy(self, name: str) -> bool:
        """Set to a true literal, or to a value that cannot be known (which may be true)."""
        return any(s.value is UNKNOWN or bool(s.value) for s in self.facts(name))

    def value(self, name: str) -> Value:
        facts = self.facts(name)
        return facts[-1].value if facts else None

    def result_backend(self) -> bool:
        """The code configures a result backend (``result_backend`` in any spelling,
        ``Celery(backend=...)``). Celery's default is none (nothing stored). A value read from
        the environment with no default, or a None/empty one, does not count: where it is unset,
        nothing is stored, and the code cannot tell us which is the case."""
        return any(
            s.value is not None and s.value not in ("", "disabled") and not s.maybe_unset
            for s in self.facts("result_backend")
        )

    def annotated(self, task: str | None, options: Sequence[str]) -> bool:
        """``task_annotations`` (for ``*`` or the task's name) set one of ``options``, or may."""
        for fact in self.facts("task_annotations"):
            if not isinstance(fact.value, dict):
                if fact.value is not None:
                    return True  # set, value unknown: it may well cover the task
                continue
            for key in ("*", task):
                annotation = fact.value.get(key)
                if annotation is UNKNOWN or (
                    isinstance(annotation, dict) and any(annotation.get(o) is not None for o in options)
                ):
                    return True
        return False

    def annotation(self, task: str, option: str) -> Value:
        """The value ``task_annotations`` gives ``option`` for the task (its name, then ``*``)."""
        for fact in reversed(self.facts("task_annotations")):
            if not isinstance(fact.value, dict):
                return UNKNOWN if fact.value is not None else None
            for key in (task, "*"):
                annotation = fact.value.get(key)
                if annotation is UNKNOWN:
                    return UNKNOWN
                if isinstance(annotation, dict) and annotation.get(option) is not None:
                    return annotation[option]
        return None

    def serializer(self, task: TaskSummary | None) -> Value:
        """The serializer a task's messages use: its own ``serializer=``, then
        ``task_annotations``, then ``task_serializer`` (Celery's default: json)."""
        if task is not None:
            if task.serializer is not None:
                return task.serializer
            if not task.options_complete:
                return UNKNOWN
            annotated = self.annotation(task.name, "serializer")
            if annotated is not None:
                return annotated
        values = {repr(s.value): s.value for s in self.facts("task_serializer") if s.value is not None}
        if len(values) > 1:
            return UNKNOWN  # settings modules disagree (production, development): cannot tell
        return next(iter(values.values()), "json")


def build_config(files: Iterable[FileFacts], test_files: TestFiles) -> ProjectConfig:
    files = list(files)
    config_modules: set[str] = set()
    django_modules: set[str] = set()
    for facts in files:
        for target, _namespace in facts.config_sources:
            if target != DJANGO_SETTINGS:
                config_modules.add(target.partition(":")[0])
        if is_config_module(facts.module):
            config_modules.add(facts.module)
        django_modules.update(facts.django_settings)
    stars = {f.module: f.star_imports for f in files}
    # ``from .base import *`` in a config module makes base part of it
    config_modules = _star_closure(config_modules, stars)
    config_modules |= _config_classes(config_modules, files)
    counted: list[SettingFact] = []
    for facts in files:
        # (the module the test runs select may be the production one: paperless-ngx's tests
        # run under ``paperless.settings``)
        if is_test_module(facts.module) or test_files.matches(facts.path):
            continue  # test settings do not protect production
        counted.extend(s for s in facts.settings if s.kind != LOWER or s.module in config_modules)
    settings_modules = set(config_modules) | _star_closure(django_modules, stars)
    return ProjectConfig(counted, frozenset(settings_modules))


def _config_classes(targets: set[str], files: list[FileFacts]) -> set[str]:
    """Where the config classes among ``targets`` are defined: ``proj.settings.CeleryConfig``
    given to ``config_from_object`` may be defined in a module ``proj.settings`` imports it from
    (by name, or by a star import), or, when that module was not read (it names nothing of
    Celery's) or not through a name, in a module of that package
    (``proj.settings.defaults.CeleryConfig``)."""
    defined = {s.module for f in files for s in f.settings if s.kind == LOWER and s.module != f.module}
    if not defined:
        return set()
    imports = {f.module: f.imports for f in files}
    stars = {f.module: [*f.star_imports, *f.imported_stars] for f in files}
    found: set[str] = set()
    for start in targets:
        if start in stars:
            continue  # a module
        pending, seen, hits = [start], set[str](), set[str]()
        while pending and len(seen) < 1000:
            target = pending.pop()
            if target in seen:
                continue
            seen.add(target)
            if target in defined:
                hits.add(target)
            module, _, name = target.rpartition(".")
            if not module:
                continue
            imported = imports.get(module, {}).get(name)
            if imported:
                pending.append(imported)
            pending.extend(f"{star}.{name}" for star in stars.get(module, ()))
        module, _, name = start.rpartition(".")
        if not hits and module:
            hits = {d for d in defined if d.startswith(module + ".") and d.rpartition(".")[2] == name}
        found |= hits
    return found


class ImportAliases:
    """The names under which modules hold what they import (CT301).

    ``from pkg.tasks import send_email`` in ``pkg/views.py`` makes ``pkg.views.send_email`` a name
    of ``pkg.tasks.send_email`` (a ``mock.patch`` target); ``from .mail import send`` in
    ``pkg/tasks/__init__.py`` makes ``pkg.tasks.send`` one of ``pkg.tasks.mail.send`` (a
    re-export); ``from .mail import *`` makes every ``pkg.tasks.X`` possibly ``pkg.tasks.mail.X``.
    """

    _LIMIT = 32  # names followed from one name (re-export chains are short)

    def __init__(self, files: Iterable[FileFacts]) -> None:
        self.names: dict[str, str] = {}
        self.stars: dict[str, list[str]] = {}
        for facts in files:
            if not facts.module:
                continue
            for local, target in facts.imports.items():
                alias = f"{facts.module}.{local}"
                if alias != target:
                    self.names[alias] = target
            for star in (*facts.star_imports, *facts.imported_stars):
                if star != facts.module:
                    self.stars.setdefault(facts.module, []).append(star)
        self._heads = {name.partition(".")[0] for name in (*self.names, *self.stars)}
        self._keys = {*self.names, *self.stars}

    def resolve(self, name: str) -> set[str]:
        """``name`` and every name it may stand for through the modules' imports."""
        seen = {name}
        if name.partition(".")[0] not in self._heads:
            return seen
        pending = [name]
        keys = self._keys
        while pending and len(seen) < self._LIMIT:
            parts = pending.pop().split(".")
            prefix = ""
            for end, part in enumerate(parts, 1):
                prefix = f"{prefix}.{part}" if end > 1 else part
                if prefix not in keys:
                    continue
                rest = parts[end:]
                target = self.names.get(prefix)
                targets = [target] if target else []
                if rest:
                    targets.extend(self.stars.get(prefix, ()))
                for found in targets:
                    resolved = ".".join([found, *rest])
                    if resolved not in seen:
                        seen.add(resolved)
                        pending.append(resolved)
        return seen


def task_names(task: TaskSummary) -> set[str]:
    """The qualified names of a task's object and, when known, its registered name."""
    names = set()
    if task.module:
        names.add(f"{task.module}.{task.function}")
        if task.object_name:
            names.add(f"{task.module}.{task.object_name}")
    else:
        names.add(task.function)
    if task.name_known:
        names.add(task.name)
    return names


@dataclasses.dataclass
class ProjectContext:
    """What the project-wide rules see."""

    tasks: list[TaskSummary]
    files: list[FileFacts]
    config: ProjectConfig
    test_files: TestFiles
    setting_names: SettingNames | None = None
    logging_helpers: frozenset[str] = frozenset()  # the ``logging-helpers`` setting (CT207)
    selected: tuple[str, ...] = ()  # the codes of the rules that run
    _by_path: dict[str, FileFacts] | None = dataclasses.field(default=None, init=False, repr=False)

    @functools.cached_property
    def code_files(self) -> list[FileFacts]:
        """The facts of the files that are not test code."""
        return [
            facts
            for facts in self.files
            if not (is_test_module(facts.module) or self.test_files.matches(facts.path))
        ]

    @functools.cached_property
    def path_dirs(self) -> frozenset[str]:
        """Directory names code outside tests puts on ``sys.path``."""
        return frozenset(name for facts in self.code_files for name in facts.path_dirs)

    def import_names(self, task: TaskSummary) -> set[str]:
        """:func:`task_names`, and the names its object has below a directory the project puts
        on ``sys.path`` (``cla_butler.tasks.check`` for ``proj.apps.cla_butler.tasks.check``
        when the settings insert ``apps``)."""
        names = task_names(task)
        for below in self._below_path_dirs(task.module):
            names.add(f"{below}.{task.function}")
            if task.object_name:
                names.add(f"{below}.{task.object_name}")
        return names

    def _below_path_dirs(self, module: str) -> list[str]:
        """The names ``module`` has below each directory the project puts on ``sys.path``
        (``billing.tasks`` for ``proj.apps.billing.tasks`` when the settings insert ``apps``)."""
        parts = module.split(".") if module else []
        return [
            ".".join(parts[depth + 1 :]) for depth, part in enumerate(parts[:-1]) if part in self.path_dirs
        ]

    @functools.cached_property
    def _imported(self) -> frozenset[str]:
        """What code outside tests imports from another module (qualified names), also what
        those names stand for through re-exports (``from accounts.tasks import sync`` when
        ``accounts/tasks/__init__.py`` star-imports ``.template``)."""
        aliases = self.import_aliases()
        targets = {
            target
            for facts in self.code_files
            for target in facts.imports.values()
            if target.rpartition(".")[0] != facts.module
        }
        return frozenset(name for target in targets for name in aliases.resolve(target))

    def imported_elsewhere(self, task: TaskSummary) -> bool:
        """Code outside tests imports the task from another module (to send it, call it, or
        hand it on in ways a static reading may not follow: a dispatch table)."""
        return bool(self.import_names(task) & self._imported)

    @functools.cached_property
    def _named_strings(self) -> dict[str, set[str]]:
        """The files of code outside tests by the strings they hold that may be task names
        (settings modules left out: their strings configure tasks, ``task_annotations``)."""
        return self._strings_in(f for f in self.code_files if not is_settings_like(f.module))

    @functools.cached_property
    def _mentioned_strings(self) -> dict[str, set[str]]:
        """The same for every module of code outside tests, settings included (their comments
        too: a beat entry left for operators to enable)."""
        return self._strings_in(self.code_files)

    @staticmethod
    def _strings_in(
        files: Iterable[FileFacts], held: Callable[[FileFacts], frozenset[str]] = lambda f: f.named_strings
    ) -> dict[str, set[str]]:
        """The files by each string ``held`` gives of them."""
        found: dict[str, set[str]] = {}
        for facts in files:
            for text in held(facts):
                found.setdefault(text, set()).add(facts.path)
        return found

    def mentioned_in_code(self, task: TaskSummary) -> bool:
        """A module of code outside tests other than the task's own (settings included) holds,
        in a string or a comment, a name the task is registered under."""
        return self._held_elsewhere(self._mentioned_strings, task)

    def _held_elsewhere(self, strings: dict[str, set[str]], task: TaskSummary) -> bool:
        """A file other than the task's own holds one of its registered names among ``strings``."""
        return any(strings.get(name, set()) - {task.path} for name in self.names_registered(task))

    @functools.cached_property
    def stored_schedules(self) -> bool:
        """The project uses a scheduler that keeps beat entries outside the code (a database,
        Redis): any task may be scheduled there."""
        return any(facts.stored_schedules for facts in self.code_files)

    def named_in_code(self, task: TaskSummary) -> bool:
        """A module of code outside tests, other than the task's own, holds one of the names the
        task is registered under as a string (``{"name": "shop.tasks.send", ...}`` in a workflow
        table, ``ProcessTask(name="shop.tasks.send").run()``): a send by name the analysis cannot
        follow. Not for a task that beat, a route or ``send_task`` names: which string that is
        cannot be told apart here, and what only beat sends is reported."""
        return not self.named_by(task) and self.held_outside_settings(task)

    @functools.cached_property
    def _scheduled_strings(self) -> frozenset[str]:
        return frozenset(name for facts in self.code_files for name in facts.scheduled_strings)

    def scheduled_by_string(self, task: TaskSummary) -> bool:
        """A dict literal of code outside tests, the task's own module included, gives one of
        its registered names as ``"task": "<name>"`` (a beat entry, however it is applied)."""
        return not self._scheduled_strings.isdisjoint(self.names_registered(task))

    @functools.cached_property
    def _sent_words(self) -> dict[str, set[str]]:
        return self._strings_in(self.code_files, lambda facts: facts.sent_words)

    def sent_by_word(self, task: TaskSummary) -> bool:
        """A file of code outside tests other than the task's own sends something under the
        task's function name (``add_repo.delay(...)``), whatever its import resolved to."""
        return bool(self._sent_words.get(task.function, set()) - {task.path})

    def held_outside_settings(self, task: TaskSummary) -> bool:
        """A module of code outside tests and settings, other than the task's own, holds one of
        the task's registered names as a string."""
        return self._held_elsewhere(self._named_strings, task)

    @functools.cached_property
    def worker_limit(self) -> bool:
        """Code outside tests starts a worker with ``--time-limit``/``--soft-time-limit``."""
        return any(facts.worker_limit for facts in self.code_files)

    @functools.cached_property
    def settings_read(self) -> frozenset[str]:
        """Upper-case names some module reads from Django's settings (CT406)."""
        return frozenset(name for facts in self.files for name in facts.settings_read)

    @functools.cached_property
    def logging_functions(self) -> frozenset[str]:
        """Qualified names of the project's functions that log (directly or one call deeper)."""
        return project_loggers((f.logging_functions, f.function_calls) for f in self.files)

    @functools.cached_property
    def task_consumers(self) -> frozenset[str]:
        """The project's decorators written to receive a task object (``checker.consumers``):
        a decorator's qualified name, or that name plus ``()`` for a decorator factory (CT101)."""
        return frozenset(name for f in self.files for name in f.task_consumers)

    @functools.cached_property
    def limit_handlers(self) -> frozenset[str]:
        """Qualified names of the project's functions that catch ``SoftTimeLimitExceeded`` (by
        name or broadly), and of those calling one of them (one call deeper) (CT209)."""
        direct = frozenset(name for f in self.files for name in f.limit_handlers)
        if not direct:
            return direct
        callers = {
            caller
            for f in self.files
            for caller, called in f.function_calls.items()
            if calls_any(called, direct)
        }
        return direct | callers

    @functools.cached_property
    def configured_loggers(self) -> frozenset[str]:
        """Non-root loggers the project's logging configuration (outside test code) gives
        handlers of their own (CT602)."""
        return frozenset(
            name
            for f in self.files
            if not (is_test_module(f.module) or self.test_files.matches(f.path))
            for name in f.configured_loggers
        )

    def facts_by_path(self) -> dict[str, FileFacts]:
        if self._by_path is None:
            self._by_path = {f.path: f for f in self.files}
        return self._by_path

    def references(self, via: str) -> list[TaskReference]:
        """Task names used by beat entries, routes or ``send_task`` outside test code. Beat
        schedules built from names (``dict(PERIODIC)``, ``{**A, **B}``, an imported dict) are
        followed to the literal entries of those dicts."""
        found = [r for f in self.files for r in f.references if r.via == via and self._counts(r, f)]
        if via != "beat":
            return found
        seen = {(r.task, r.where) for r in found}
        for reference, facts in self._named_beat_entries():
            if (reference.task, reference.where) not in seen and self._counts(reference, facts):
                seen.add((reference.task, reference.where))
                found.append(reference)
        return found

    @functools.cached_property
    def beat_periods(self) -> dict[str, list[float | None]]:
        """For each task name beat entries outside tests name, the seconds between runs of
        each entry (None where the analyser cannot tell)."""
        found: dict[str, list[float | None]] = {}
        for reference in self.references("beat"):
            found.setdefault(reference.task, []).append(reference.period)
        return found

    def rarely_sent(self, task: TaskSummary, every: float = RARE) -> bool:
        """The task is sent only by beat, at least ``every`` seconds apart (half-hourly), and by
        commands someone starts by hand (once per run, outside a loop); at least one of them.
        The task sending itself again from an ``except`` handler of its own body (a retry by
        hand) does not count."""
        first, last = task.definition
        sends = [
            site
            for site in self.sends(task)
            if not (site.in_handler and site.where.path == task.path and first <= site.where.line <= last)
        ]
        named = self.named_by(task)
        if any(not site.once for site in sends) or not named <= {"beat"} or not (sends or named):
            return False
        periods = self.beat_periods.get(task.name, []) if named else []
        return all(p is not None and p >= every for p in periods) and (bool(periods) or not named)

    def _named_beat_entries(self) -> Iterator[tuple[TaskReference, FileFacts]]:
        """The entries of the module-level dicts each beat setting is built from, followed
        through names, imports and star imports, as references of the setting's module."""
        schedules: dict[str, list[NamedSchedule]] = {}
        for facts in self.files:
            for name, found in facts.schedules.items():
                schedules.setdefault(name, []).extend(found)
        if not schedules:
            return
        stars = {f.module: f.star_imports for f in self.files if f.star_imports}
        for facts in self.files:
            for kind, names in facts.beat_sources:
                pending = list(names)
                visited: set[str] = set()
                while pending:
                    name = pending.pop()
                    if name in visited or len(visited) > 1000:
                        continue
                    visited.add(name)
                    module, _, attribute = name.rpartition(".")
                    pending.extend(f"{star}.{attribute}" for star in stars.get(module, ()))
                    for schedule in schedules.get(name, ()):
                        pending.extend(schedule.sources)
                        for entry in schedule.entries:
                            yield (
                                TaskReference(
                                    entry.task,
                                    "beat",
                                    entry.where,
                                    kind,
                                    facts.module,
                                    entry.has_expires,
                                    entry.period,
                                ),
                                facts,
                            )

    def _counts(self, reference: TaskReference, facts: FileFacts) -> bool:
        if is_test_module(facts.module) or self.test_files.matches(facts.path):
            return False
        if reference.kind != LOWER:
            return True
        return any(s.kind == LOWER and s.module == reference.module for s in self.config.settings)

    @functools.cached_property
    def tests_run_eagerly(self) -> bool:
        """The tests make Celery run tasks eagerly: ``task_always_eager`` (any spelling) set to
        ``True`` in test code (a test settings module such as ``settings/test.py``, or the one
        pytest-django or the CI selects with ``DJANGO_SETTINGS_MODULE``, a ``conftest.py``, ``override_settings(...)``, ``app.conf.task_always_eager = True``, a
        ``celery_config`` fixture), or a pytest-celery worker fixture. Such settings do not count
        for production (see :func:`build_config`); this is what they say about the tests. Also
        when a settings module sets it to a value that cannot be known (under ``if DEVELOPMENT:``,
        from the environment, from a settings object's attribute: ``env.celery_task_always_eager``):
        a development switch the tests may well run under."""
        if self.test_files.eager_plugin:
            return True  # pytest-invenio's fixtures
        eager_modules = {
            facts.module
            for facts in self.files
            if any(s.name == "task_always_eager" and s.value is True for s in facts.settings)
        }
        stars = {f.module: [*f.star_imports, *f.imported_stars] for f in self.files}
        for facts in self.files:
            if facts.eager_tests:
                return True
            if (
                is_test_module(facts.module)
                or self.test_files.matches(facts.path)
                or facts.module in self.test_files.settings_modules
            ) and _star_closure([facts.module], stars) & eager_modules:
                return True  # (also through ``from .dev import *`` in the test settings)
            # a development switch (``if DEVELOPMENT:``, an environment variable) in the settings:
            # the tests may well run under it
            switched = any(
                s.name == "task_always_eager" and (s.value is UNKNOWN or isinstance(s.value, Ref))
                for s in facts.settings
            )
            if switched and is_settings_like(facts.module):
                return True
        return False

    def import_aliases(self) -> ImportAliases:
        return ImportAliases(self.files)

    def task_objects(self, classes: bool = False) -> dict[str, TaskSummary]:
        """Tasks by the qualified name of their task object (what callers enqueue through): the
        decorated function's name, or the name a call-form registration is assigned to. With
        ``classes``, for a task class also the class, whose ``delay`` and ``apply_async`` are
        class methods in Celery 3's ``celery.task.Task`` (``DeliverHook.apply_async(...)``):
        for enqueue sites, not for direct calls (calling the class builds an instance)."""
        found = {
            f"{t.module}.{t.function}": t for t in self.tasks if classes and t.kind == "class" and t.module
        }
        found.update({f"{t.module}.{t.object_name}": t for t in self.tasks if t.object_name and t.module})
        return found

    def enqueued(self) -> Iterator[tuple[CallSite, TaskSummary]]:
        """Every call site that enqueues (or signs) one of the project's tasks, with the task."""
        tasks = self.task_objects(classes=True)
        for facts in self.files:
            for site in facts.call_sites:
                task = tasks.get(site.target)
                if task is not None:
                    yield site, task

    @functools.cached_property
    def _sends(self) -> dict[str, list[CallSite]]:
        """Enqueue and signature sites outside test code, by the key of the task they send."""
        tasks = self.task_objects(classes=True)
        found: dict[str, list[CallSite]] = {}
        for facts in self.code_files:
            for site in facts.call_sites:
                task = tasks.get(site.target)
                if task is not None:
                    found.setdefault(task.key, []).append(site)
        return found

    def sends(self, task: TaskSummary) -> list[CallSite]:
        """Where code outside tests enqueues the task or makes a signature of it."""
        return self._sends.get(task.key, [])

    @functools.cached_property
    def _handed(self) -> frozenset[str]:
        return frozenset(name for facts in self.code_files for name in facts.handed)

    def handed(self, task: TaskSummary) -> bool:
        """Code outside tests passes the task object to a call (``dispatch(send_receipt, pk)``,
        ``on_commit(send_receipt.delay)``): to code that may send it. So does a decorator that
        is an instance of the project's (``@alerts.handler("superevent")``): the instance keeps
        what it makes, to send by key."""
        return bool(task_names(task) & self._handed) or task.decorator.endswith(INSTANCE)

    def named_by(self, task: TaskSummary) -> set[str]:
        """How beat entries, routes and ``send_task`` outside tests name the task: the set of
        their kinds (``beat``, ``route``, ``send_task``)."""
        found: set[str] = set()
        for name in self.names_registered(task):
            found |= self._names_sent.get(name, set())
        return found

    def names_registered(self, task: TaskSummary) -> set[str]:
        """The names the task may be registered under: its name, and for a name Celery makes
        from the module (no ``name=``), the module's name below a directory the project puts on
        ``sys.path`` (``analytics.tasks.snap`` for ``apps/analytics/tasks.py`` when the settings
        insert ``apps``: Django imports the app, and so the tasks module, by that name)."""
        if not task.name_known:
            return set()
        names = {task.name}
        if task.module and task.name == f"{task.module}.{task.function}":
            names.update(f"{below}.{task.function}" for below in self._below_path_dirs(task.module))
        return names

    @functools.cached_property
    def _names_sent(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for via in ("beat", "route", "send_task"):
            for reference in self.references(via):
                found.setdefault(reference.task, set()).add(via)
        return found

    @functools.cached_property
    def called_directly(self) -> frozenset[str]:
        """Qualified names that code outside tests calls as plain functions (``task(...)``), from
        the bodies of tasks and of the project's functions and methods."""
        names = {call.target for facts in self.files for call in facts.direct_calls}
        for facts in self.files:
            for called in facts.function_calls.values():
                names.update(called)
        return frozenset(names)

    def is_enqueued(self, task: TaskSummary) -> bool:
        """Code outside tests sends the task as a message somewhere: ``.delay``/``.apply_async``,
        a signature (a canvas, a ``link=``), a beat entry, a route or ``send_task``."""
        return bool(self.sends(task)) or bool(self.named_by(task))

    def runs_only_as_errback(self, task: TaskSummary) -> bool:
        """Code outside tests uses the task only as an error callback (``sig.on_error(handler.s())``,
        ``link_error=``), and its function takes more than one positional argument: Celery calls
        it with ``(request, exc, traceback)`` in the worker that handles the failure, inline,
        sending no message."""
        sends = self.sends(task)
        return (
            bool(sends)
            and all(site.errback for site in sends)
            and not self.named_by(task)
            and len(task.positional_params) > 1
        )

    def runs_only_inline(self, task: TaskSummary) -> bool:
        """The task is never sent as a message (see :meth:`is_enqueued`), and code outside tests
        calls it as a plain function, or runs it in the caller's process with ``.apply(...)``
        (or ``.run(...)``): a task only in name."""
        if not task.object_name or self.is_enqueued(task) or self.scheduled_by_string(task):
            return False  # (``"task": "<name>"`` in a dict: a beat entry built where it is not followed)
        name = f"{task.module}.{task.object_name}"
        return not {name, f"{name}.apply", f"{name}.run"}.isdisjoint(self.called_directly)

    def task_sets(self, task: TaskSummary, option: str) -> bool:
        """The task sets ``option`` (decorator, ``base=`` class, class body, ``task_annotations``),
        or may (options the analyser cannot see)."""
        return (
            option in task.set_options
            or not task.options_complete
            or self.config.annotated(task.name, [option])
        )

    def task_by_key(self) -> dict[str, TaskSummary]:
        return {t.key: t for t in self.tasks}

    def registered_names(self) -> set[str]:
        return {name for t in self.tasks for name in {t.name, *self.names_registered(t)}}

    def may_name_a_project_task(self, name: str) -> bool:
        """``name`` starts like one of the project's task names or modules: the project's to
        define. Names of other prefixes may be tasks of installed libraries or other services."""
        if name.startswith("celery."):
            return False
        head = name.partition(".")[0]
        prefixes = {t.name.partition(".")[0] for t in self.tasks if t.name_known}
        prefixes |= {t.module.partition(".")[0] for t in self.tasks if t.module}
        return head in prefixes and all(t.name_known for t in self.tasks)
