"""The ``celery-checklist`` command: ``check``, ``rules`` and ``explain``."""

from __future__ import annotations

import argparse
import collections
import dataclasses
import gc
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from checker import __version__, colour
from checker.config import FAIL_ON, Config, ConfigError

if TYPE_CHECKING:
    from checker.fixes import Change
    from checker.model import Finding
    from checker.report.data import ReportData
    from checker.runner import RunResult

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a program killed by SIGPIPE
FORMATS = ("text", "full", "grouped", "json", "checklist", "github", "sarif")
_TEXT_FORMATS = ("text", "full", "grouped")
RULES_URI = "https://github.com/celery-checklist/celery-checklist/blob/main/README.md#rules"
_FAIL_RANK = {"info": 1, "warning": 2, "error": 3, "never": 99}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see --help)\n")


def _codes(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of processes, got {value!r}") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return jobs


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="celery-checklist",
        description="Check every Celery task against the production checklist, statically.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = commands.add_parser("check", help="analyse files and directories")
    check.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="files or directories (default: .); `-` reads one file's source from standard input",
    )
    check.add_argument(
        "--output-format",
        "--format",
        dest="format",
        choices=FORMATS,
        default="text",
        help="output format (default: text)",
    )
    check.add_argument(
        "--select",
        type=_codes,
        metavar="CODES",
        help="comma-separated codes/prefixes to run (replaces the default)",
    )
    check.add_argument(
        "--extend-select",
        type=_codes,
        default=[],
        metavar="CODES",
        help="codes/prefixes to add, e.g. CT109",
    )
    check.add_argument("--ignore", type=_codes, default=[], metavar="CODES", help="codes/prefixes to skip")
    check.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default=None,
        help="lowest severity that fails the run (default: warning)",
    )
    check.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="pyproject.toml or TOML file to read for every file (default: each file's nearest)",
    )
    check.add_argument(
        "--show-settings",
        type=Path,
        metavar="FILE",
        help="print the configuration FILE is checked with, and where it comes from, then exit",
    )
    check.add_argument(
        "--show-files",
        action="store_true",
        help="print the files to analyse and their configuration, then exit",
    )
    check.add_argument(
        "--output", type=Path, metavar="FILE", help="write the report to FILE instead of stdout"
    )
    check.add_argument("--quiet", action="store_true", help="print findings only, no summary")
    check.add_argument(
        "--statistics", action="store_true", help="print the number of findings per code instead of each one"
    )
    check.add_argument(
        "--exit-zero", action="store_true", help="exit with status 0 even when there are findings"
    )
    check.add_argument(
        "--color",
        choices=colour.CHOICES,
        default="auto",
        help="colour the text output (default: auto: FORCE_COLOR, NO_COLOR, then whether it is a terminal)",
    )
    check.add_argument("--fix", action="store_true", help="apply the safe fixes")
    check.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="also apply the fixes that change behaviour (implies --fix)",
    )
    check.add_argument(
        "--diff",
        action="store_true",
        help="print the fixes as a unified diff without writing them (exit 1 when there is one)",
    )
    check.add_argument(
        "--add-noqa", action="store_true", help="add a `# noqa: CTxxx` comment silencing each current finding"
    )
    check.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="report only findings that are not in this baseline (see --write-baseline)",
    )
    check.add_argument(
        "--write-baseline", type=Path, metavar="FILE", help="record the current findings in FILE and exit 0"
    )
    check.add_argument(
        "--stdin-filename",
        type=Path,
        metavar="PATH",
        help="with `-`: the path the source read from standard input stands for",
    )
    check.add_argument("--jobs", type=_jobs, metavar="N", help="parallel processes (default: CPU count)")
    check.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    check.add_argument("--json-report", type=Path, metavar="FILE", help="also write the JSON report to FILE")
    check.add_argument("--sarif-file", type=Path, metavar="FILE", help="also write a SARIF report to FILE")
    check.add_argument(
        "--comment",
        action="store_true",
        help="on a pull_request run in GitHub Actions, create or update the sticky PR comment (token in GITHUB_TOKEN)",
    )
    check.add_argument(
        "--comment-template", type=Path, metavar="FILE", help="a Jinja template for the PR comment"
    )
    check.add_argument(
        "--comment-marker",
        default="<!-- celery-checklist -->",
        metavar="TEXT",
        help="the hidden marker of our comment",
    )
    check.add_argument(
        "--diff-base",
        metavar="REF",
        help="report only findings on lines added or changed since `git merge-base REF HEAD`",
    )
    check.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help="also append a Markdown report to FILE (default: $GITHUB_STEP_SUMMARY when set)",
    )
    check.add_argument(
        "--cache-dir",
        type=Path,
        metavar="DIR",
        help="where to keep the cache (default: .celery-checklist-cache/ at the project root)",
    )

    rules = commands.add_parser("rules", help="list every rule")
    rules.add_argument("--output-format", "--format", dest="format", choices=("text", "json"), default="text")
    explain = commands.add_parser("explain", help="show a rule's documentation")
    explain.add_argument("code", metavar="CODE", help="a code (CT201) or a name (missing-time-limit)")
    return parser


def run() -> NoReturn:
    """The console script: :func:`main`, then an exit that does not tear the heap down.

    A run builds many small objects (syntax trees, facts, results); freeing them one by one at
    interpreter shutdown took most of a second on a large project, after the report was out.
    Every file this process writes is closed by then (reports and the cache are written with
    ``with``/``os.replace``), the worker processes have been joined, and the standard streams
    are flushed here, so nothing is lost by leaving at once."""
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        code = EXIT_BROKEN_PIPE
    except (OSError, ValueError):  # a closed or failing stream: the ordinary exit reports it
        sys.exit(code)
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "rules":
            return _rules(sys.stdout, args.format)
        if args.command == "explain":
            return _explain(args.code, sys.stdout)
    except ConfigError as error:
        print(f"celery-checklist: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # the reader went away (``| head``): stop quietly, as a program killed by SIGPIPE does,
        # and keep the interpreter's final flush of stdout from failing again
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _rules(out: TextIO, format: str = "text") -> int:
    from checker.rules import catalog  # the rules' data, without importing the rules (and libcst)

    if format == "json":
        import json

        rows = [
            {
                "code": rule.code,
                "name": rule.name,
                "section": rule.section.value,
                "severity": rule.severity.value,
                "opt_in": rule.opt_in,
                "fixable": rule.fixable,
                "summary": rule.summary,
            }
            for rule in catalog.entries()
        ]
        out.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_OK
    out.write(f"{'code':<6}  {'name':<28}  {'section':<10}  {'severity':<8}  {'opt-in':<6}  fixable\n")
    for rule in catalog.entries():
        opt_in = "yes" if rule.opt_in else "no"
        fix = rule.fixable or "no"
        out.write(
            f"{rule.code:<6}  {rule.name:<28}  {rule.section.value:<10}  {rule.severity.value:<8}  {opt_in:<6}  {fix}\n"
        )
    out.write(
        "\nTask rules apply to every task found: @shared_task, @<app>.task, Task subclasses with run,\n"
        "call-form registration, and functions under the project's own decorator factories (a\n"
        "function or class that applies a task decorator, found without configuration; their\n"
        "options are what the factory passes to Celery). Decorators from installed libraries:\n"
        "list them in `task-decorators`. `--format json` names each task's decorator.\n"
    )
    return EXIT_OK


def _explain(code: str, out: TextIO) -> int:
    from checker.rules import catalog  # the rules' data, without importing the rules (and libcst)

    rule = catalog.find(code)
    if rule is None:
        raise ConfigError(
            f"unknown rule code {code!r} (give a code such as CT201 or a name such as missing-time-limit; "
            "see `celery-checklist rules`)"
        )
    opt_in = ", opt-in" if rule.opt_in else ""
    fix = ""
    if rule.fix is not None:
        safe, what = rule.fix
        fix = f" Fix: {what} ({'--fix' if safe else 'unsafe: --unsafe-fixes'})."
    out.write(
        f"# {rule.code} {rule.name}\n\nSection: {rule.section.label}. Severity: {rule.severity.value}{opt_in}.{fix}\n\n"
    )
    out.write(rule.docs + "\n")
    return EXIT_OK


def _selection(config: Config, args: argparse.Namespace) -> tuple[str, ...]:
    """The rules to run: the configuration's selection, then the command line's on top of it
    (ruff's rule: ``--select`` replaces, ``--extend-select`` adds, ``--ignore`` removes)."""
    from checker import selection
    from checker.rules import catalog

    codes = catalog.codes()
    where = str(config.path) if config.path else "configuration"
    if config.select == []:
        raise ConfigError(f"{where}: `select` is empty, so no rule would run")
    if args.select == []:
        raise ConfigError("--select: no rule code given, so no rule would run")
    select = config.select
    if select is not None:
        select = selection.validate(select, codes, f"{where}: select")
    extend = selection.validate(config.extend_select, codes, f"{where}: extend-select")
    ignore = selection.validate(config.ignore, codes, f"{where}: ignore")
    for code in config.severity:
        if code not in codes:
            raise ConfigError(f"{where}: severity: unknown rule code {code!r}")
    cli_select = None if args.select is None else selection.validate(args.select, codes, "--select")
    cli_extend = selection.validate(args.extend_select, codes, "--extend-select")
    cli_ignore = selection.validate(args.ignore, codes, "--ignore")
    chosen = selection.resolve_layers(
        codes,
        catalog.opt_in_codes(),
        [(select, extend, ignore), (cli_select, cli_extend, cli_ignore)],
    )
    if not [code for code in chosen if code != selection.ALWAYS_ON]:
        named = {*(select or ()), *(cli_select or ()), *extend, *cli_extend}
        if selection.ALWAYS_ON not in named:
            raise ConfigError("no rule is selected (check select, extend-select and ignore)")
    return chosen


def _groups(paths: list[Path], explicit: Path | None) -> list[tuple[Config, list[Path]]]:
    """The paths, split by the configuration that applies (ruff's rule): each file uses the
    nearest ``pyproject.toml`` above it with a ``[tool.celery-checklist]`` table. A directory is
    analysed with its own nearest configuration, except the subdirectories that hold a
    configuration of their own, which are analysed as separate projects with it. ``--config``
    applies to everything."""
    from checker import config as config_module
    from checker import files

    if explicit is not None:
        return [(config_module.load(paths, explicit), paths)]
    by_file: dict[Path | None, list[Path]] = {}
    nested: list[Path] = []
    for path in paths:
        found = config_module.find(files.absolute(path))
        by_file.setdefault(found, []).append(path)
        if path.is_dir():
            outer = config_module.load_file(found) if found is not None else Config()
            excluder = files.Excluder(outer.exclude, outer.root)
            # a configured directory that the enclosing configuration excludes stays excluded
            nested.extend(n for n in _nested_configs(path) if not excluder.excluded(n.parent, True))
    groups: list[tuple[Config, list[Path]]] = []
    for found, group in by_file.items():
        config = config_module.load_file(found) if found is not None else Config()
        below = [n for n in nested if n != found]
        if below:
            root = files.absolute(config.root or Path.cwd())
            extra = []
            for pyproject in below:
                relative = files.relative_to(str(pyproject.parent), str(root))
                if relative is not None:
                    extra.append(f"/{relative}/")
            config = dataclasses.replace(config, exclude=[*config.exclude, *extra], root=config.root or root)
        groups.append((config, group))
    seen = {found for found in by_file}
    for pyproject in nested:
        if pyproject not in seen:
            seen.add(pyproject)
            nested_config = config_module.load_file(pyproject)
            deeper = [
                n
                for n in nested
                if n != pyproject and str(n.parent).startswith(str(pyproject.parent) + os.sep)
            ]
            if deeper:
                extra = [f"/{files.relative_to(str(n.parent), str(pyproject.parent))}/" for n in deeper]
                nested_config = dataclasses.replace(nested_config, exclude=[*nested_config.exclude, *extra])
            groups.append((nested_config, [Path(files.display_path(pyproject.parent))]))
    return groups or [(Config(), paths)]


def _nested_configs(top: Path) -> list[Path]:
    """``pyproject.toml`` files with our table strictly below ``top`` (absolute paths)."""
    from checker import config as config_module
    from checker import files

    found: list[Path] = []
    start = files.absolute(top)
    for directory, dirnames, filenames in os.walk(start):
        dirnames[:] = sorted(
            d
            for d in dirnames
            if d not in files.SKIP_DIRS and not d.startswith(".") and not d.endswith(".egg-info")
        )
        if directory != str(start) and "pyproject.toml" in filenames:
            candidate = Path(directory) / "pyproject.toml"
            if config_module.find(Path(directory)) == candidate:
                found.append(candidate)
    return found


def _show_settings(path: Path, args: argparse.Namespace, out: TextIO) -> int:
    from checker import config as config_module
    from checker import files

    if not path.exists():
        raise ConfigError(f"--show-settings {path}: no such file or directory")
    found = args.config or config_module.find(files.absolute(path))
    config = config_module.load_file(found) if found is not None else Config()
    codes = _selection(config, args)
    out.write(f"file: {files.display_path(path)}\n")
    out.write(
        f"configuration: {files.display_path(found) if found is not None else '(none: the defaults)'}\n"
    )
    out.write(f"rules: {', '.join(codes)}\n")
    out.write(f"fail-on: {args.fail_on or config.fail_on}\n")
    out.write(f"severity: {', '.join(f'{c}={v.value}' for c, v in sorted(config.severity.items())) or '-'}\n")
    out.write(f"exclude: {', '.join(config.exclude) or '-'}\n")
    out.write(f"task-decorators: {', '.join(config.task_decorators) or '-'}\n")
    out.write(f"test-paths: {', '.join(config.test_paths) or '-'}\n")
    return EXIT_OK


def _show_files(selections: list[tuple[Config, list[Path], tuple[str, ...]]], out: TextIO) -> int:
    from checker import files

    notes: list[str] = []
    for config, group, _ in selections:
        source = files.display_path(config.path) if config.path is not None else "(defaults)"
        excluder = files.Excluder(config.exclude, config.root)
        for found in files.python_file_names(group, excluder, notes.append, config.example_dirs):
            if not found.excluded:
                out.write(f"{files.display_path(found.path)}  [{source}]\n")
    for note in notes:
        print(f"celery-checklist: {note}", file=sys.stderr)
    return EXIT_OK


PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")


def _has_python_shebang(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            first = handle.readline(256)
    except OSError:
        return True  # let the analysis report that it cannot be read
    return first.startswith(b"#!") and b"python" in first


def _python_paths(given: list[Path]) -> list[Path]:
    """The paths to analyse: a missing path is a usage error (exit 2); a file given by name
    that is not Python (``check $(git diff --name-only)`` passes YAML and shell scripts) is
    skipped with one note."""
    for path in given:
        if not path.exists():
            raise ConfigError(f"{path}: no such file or directory")
    kept: list[Path] = []
    skipped: list[str] = []
    for path in given:
        if path.is_file() and not path.name.endswith(PYTHON_SUFFIXES) and not _has_python_shebang(path):
            skipped.append(str(path))
        else:
            kept.append(path)
    if skipped:
        count = len(skipped)
        print(
            f"celery-checklist: skipped {count} file{'s' * (count != 1)} that "
            f"{'are' if count != 1 else 'is'} not Python: {', '.join(skipped)}",
            file=sys.stderr,
        )
    return kept


def _check(args: argparse.Namespace) -> int:
    # A run is short and its syntax trees hold no reference cycles worth collecting: the cyclic
    # garbage collector only costs time here (measured: about 5%, same peak memory).
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _check_run(args)
    finally:
        if enabled:
            gc.enable()


def _inputs(args: argparse.Namespace) -> tuple[list[Path], tuple[Path, bytes] | None]:
    """The paths to check, and the source read from standard input for ``-``."""
    paths: list[Path] = args.paths or [Path(".")]
    if Path("-") not in paths:
        if args.stdin_filename is not None:
            raise ConfigError(
                "--stdin-filename needs `-` as the path (the source is read from standard input)"
            )
        return paths, None
    if len(paths) > 1:
        raise ConfigError("`-` (standard input) cannot be combined with other paths")
    if args.add_noqa or args.write_baseline:
        raise ConfigError("--add-noqa and --write-baseline need files, not `-`")
    name = args.stdin_filename or Path("stdin.py")
    return [name], (name, sys.stdin.buffer.read())


class _Run:
    """One analysis and the filters that follow it (per-file-ignores, baseline, diff base), with
    each group of paths run with its own configuration."""

    def __init__(self, args: argparse.Namespace) -> None:
        from checker.rules import catalog

        self.args = args
        self.given, self.stdin = _inputs(args)
        # the file standard input stands for need not exist
        self.paths = self.given if self.stdin is not None else _python_paths(self.given)
        groups = _groups(self.paths or self.given, args.config)
        self.selections = [(config, group, _selection(config, args)) for config, group in groups]
        self.codes = tuple(code for code in catalog.codes() if any(code in c for _, _, c in self.selections))
        self.default_rank = _FAIL_RANK[args.fail_on or groups[0][0].fail_on]
        self.ranks: dict[str, int] = {}  # each file's own threshold (from its own configuration)
        self.parts: list[tuple[Config, tuple[str, ...], RunResult]] = []
        self.changed: dict[str, set[int]] | None = None
        self.hidden: list[Finding] = []
        self.baselines: list[Path] = []
        self.baseline_matched = self.baseline_fixed = 0
        from checker.baseline import SourceLines

        self.lines = SourceLines(self.read)
        self.shown: set[tuple[str, str, int, int]] = set()

    def fail_rank(self, path: str) -> int:
        return self.ranks.get(path, self.default_rank)

    def read(self, path: str) -> str | None:
        """A file's text; the source from standard input for its path."""
        if self.stdin is not None and os.path.abspath(path) == os.path.abspath(self.stdin[0]):
            return self.stdin[1].decode("utf-8", errors="replace")
        return None

    def source_line(self, path: str, number: int) -> str | None:
        return self.lines.line(path, number)

    def analyse(self, use_baseline: bool = True) -> RunResult:
        from checker import baseline, ignores
        from checker.runner import RunResult, run

        args = self.args
        result = RunResult([], [], 0, [], self.codes)
        self.parts, self.ranks, self.baselines = [], {}, []
        self.baseline_matched = self.baseline_fixed = 0
        for config, group, group_codes in self.selections if self.paths else []:
            part = run(
                group,
                config,
                group_codes,
                jobs=args.jobs,
                cache_dir=args.cache_dir,
                use_cache=not args.no_cache,
                stdin=self.stdin,
                # fixes need the project index, which a reused result does not keep
                reuse=not (args.fix or args.unsafe_fixes or args.diff),
            )
            if config.per_file_ignores:
                _validate_ignores(config)
                part.findings = ignores.apply(part.findings, config.per_file_ignores, config.root)
            chosen = args.baseline or config.baseline
            if use_baseline and chosen is not None:
                outcome = baseline.apply(chosen, part.findings, group, self.read, group_codes)
                part.findings = outcome.kept
                self.baseline_matched += outcome.matched
                self.baseline_fixed += outcome.fixed
                if chosen not in self.baselines:
                    self.baselines.append(chosen)
            self.parts.append((config, group_codes, part))
            rank = _FAIL_RANK[args.fail_on or config.fail_on]
            self.ranks.update((f.path, rank) for f in part.findings)
            result.findings.extend(part.findings)
            result.tasks.extend(part.tasks)
            result.files += part.files
            result.notes.extend(part.notes)
            result.unanalysed.extend(part.unanalysed)
            result.setting_prefix = result.setting_prefix or part.setting_prefix
        if args.diff_base and self.changed is None:
            from checker.diff import changed_lines

            self.changed, warning = changed_lines(args.diff_base, Path.cwd())
            if warning is not None:
                print(f"celery-checklist: warning: {warning}", file=sys.stderr)
        if self.changed is not None:
            changed = self.changed
            self.hidden = [f for f in result.findings if f.line not in changed.get(f.path, ())]
            result.findings = [f for f in result.findings if f.line in changed.get(f.path, ())]
        from checker.report.regions import widen
        from checker.report.spelling import respell

        result.findings = respell(widen(result.findings), result.setting_prefix)
        self.hidden = respell(widen(self.hidden), result.setting_prefix)
        self.shown = {(f.code, f.path, f.line, f.column) for f in result.findings}
        return result

    def fixes(self, unsafe: bool) -> list[Change]:
        """The fixes of the findings each part reported (after the filters), part by part."""
        from checker import fixes
        from checker.analysis import run_options

        shown = self.shown
        changes: list[Change] = []
        for config, codes, part in self.parts:
            options = run_options(config, codes)
            changes.extend(
                fixes.plan(
                    [f for f in part.findings if (f.code, f.path, f.line, f.column) in shown],
                    part.index,
                    frozenset(config.task_decorators),
                    options.known_options,
                    unsafe=unsafe,
                    read=self.read,
                )
            )
        return changes


def _validate_ignores(config: Config) -> None:
    from checker import selection
    from checker.rules import catalog

    codes = catalog.codes()
    where = str(config.path) if config.path else "configuration"
    for pattern, listed in config.per_file_ignores.items():
        selection.validate(listed, codes, f"{where}: per-file-ignores.{pattern}")


def _check_run(args: argparse.Namespace) -> int:
    from checker.files import project_root
    from checker.report import data, github, json_report, sarif, text
    from checker.rules import catalog

    runner = _Run(args)
    if args.show_settings is not None:
        return _show_settings(args.show_settings, args, sys.stdout)
    if args.show_files:
        return _show_files(runner.selections if runner.paths else [], sys.stdout)
    paths, given, codes = runner.paths, runner.given, runner.codes
    fixing = args.fix or args.unsafe_fixes or args.diff
    result = runner.analyse(use_baseline=args.write_baseline is None)
    for note in result.notes:
        print(f"celery-checklist: {note}", file=sys.stderr)
    if paths and result.files == 0:
        for path in paths:
            if path.is_dir():
                print(f"celery-checklist: warning: no Python files under {path}", file=sys.stderr)
    changed = runner.changed

    if args.write_baseline is not None:
        from checker import baseline

        count = baseline.write(args.write_baseline, result.findings, runner.read)
        print(
            f"celery-checklist: wrote {count} finding{'s' * (count != 1)} to the baseline {args.write_baseline}",
            file=sys.stderr,
        )
        return EXIT_OK
    if args.add_noqa:
        return _add_noqa(runner, result)
    extra_lines: list[str] = []
    stream = sys.stdout
    if fixing:
        from checker import fixes

        changes = runner.fixes(args.unsafe_fixes)
        if args.diff:
            diff = "".join(fixes.unified_diff(change) for change in changes)
            sys.stdout.write(diff)
            count = sum(len(c.fixed) for c in changes)
            print(
                f"celery-checklist: {count} fixable finding{'s' * (count != 1)} in {len(changes)} "
                f"file{'s' * (len(changes) != 1)}",
                file=sys.stderr,
            )
            return EXIT_FINDINGS if diff and not args.exit_zero else EXIT_OK
        fixed = [f for change in changes for f in change.fixed]
        if runner.stdin is not None:
            # as ruff does: the fixed source on standard output, the report on standard error
            source = changes[0].after if changes else runner.stdin[1].decode("utf-8", errors="replace")
            runner.stdin = (runner.stdin[0], source.encode("utf-8"))
            sys.stdout.write(source)
            sys.stdout.flush()
            stream = sys.stderr
        else:
            for change in changes:
                fixes.write(change)
        if changes:
            result = runner.analyse()
        extra_lines.append(_fixed_line(fixed, result.findings, args.unsafe_fixes))
    if runner.baselines:
        where = ", ".join(str(b) for b in runner.baselines)
        if runner.baseline_matched:
            extra_lines.append(
                f"{runner.baseline_matched} finding{'s' * (runner.baseline_matched != 1)} "
                f"accepted by the baseline {where} not shown."
            )
        if runner.baseline_fixed:
            n = runner.baseline_fixed
            extra_lines.append(
                f"{n} baseline entr{'ies are' if n != 1 else 'y is'} fixed: rewrite the baseline "
                f"(--write-baseline {where})."
            )
    hidden = runner.hidden

    from checker.report.regions import widen
    from checker.report.spelling import respell

    result.findings = respell(widen(result.findings), result.setting_prefix)
    hidden = respell(widen(hidden), result.setting_prefix)
    by_code = catalog.by_code()
    items = [
        data.ChecklistItem(code, by_code[code].name, by_code[code].section, by_code[code].checklist)
        for code in codes
        if by_code[code].per_task
    ]
    rules = [
        data.RuleInfo(code, r.name, r.section, r.summary, r.docs, r.severity, RULES_URI)
        for code in codes
        for r in (by_code[code],)
    ]
    report = data.build(
        result.tasks, result.findings, items, result.files, rules, len(result.unanalysed), hidden
    )
    if args.format == "json":
        output = json_report.render(report)
    elif args.format == "checklist":
        from checker.report import checklist  # Jinja: imported only when a template is used

        output = checklist.render(report)
    elif args.format == "github":
        output = github.render(report)
    elif args.format == "sarif":
        output = sarif.render(report, project_root((paths or given)[0]))
    else:
        use_colour = colour.wanted(args.color, args.output is None and stream.isatty(), os.environ)
        if args.statistics:
            from checker.report import statistics

            output = statistics.render(result.findings, {c: e.fixable or "no" for c, e in by_code.items()})
            if not args.quiet:
                output += text.summary_line(report) + "\n"
        elif args.format == "full":
            from checker.report import full

            output = full.render(report, runner.source_line, colour=use_colour, quiet=args.quiet)
        elif args.format == "grouped":
            from checker.report import grouped

            output = grouped.render(report, colour=use_colour, quiet=args.quiet)
        else:
            output = text.render(report, colour=use_colour, quiet=args.quiet)
        if not args.quiet and extra_lines:
            output += "".join(line + "\n" for line in extra_lines)
    if args.format not in _TEXT_FORMATS:
        for line in extra_lines:
            print(f"celery-checklist: {line}", file=sys.stderr)
    if args.output is not None:
        try:
            args.output.write_text(output, encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"--output {args.output}: cannot write ({error.strerror})") from None
    else:
        stream.write(output)
        stream.flush()
    extras: list[tuple[Path, Callable[[], str]]] = []
    if args.json_report is not None:
        extras.append((args.json_report, lambda: json_report.render(report)))
    if args.sarif_file is not None:
        extras.append((args.sarif_file, lambda: sarif.render(report, project_root((paths or given)[0]))))
    for extra, render_extra in extras:
        try:
            extra.write_text(render_extra(), encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"{extra}: cannot write ({error.strerror})") from None
    summary_file = args.summary or (
        Path(os.environ["GITHUB_STEP_SUMMARY"]) if os.environ.get("GITHUB_STEP_SUMMARY") else None
    )
    if summary_file is not None:
        from checker.report import summary

        try:
            with summary_file.open("a", encoding="utf-8") as handle:
                handle.write(summary.render(report))
        except OSError as error:
            raise ConfigError(f"--summary {summary_file}: cannot write ({error.strerror})") from None
    if args.comment:
        _comment(args, report, changed, summary_file)

    failing = any(f.severity.rank >= runner.fail_rank(f.path) for f in result.findings)
    return EXIT_FINDINGS if failing and not args.exit_zero else EXIT_OK


def _fixed_line(fixed: Sequence[Finding], remaining: Sequence[Finding], unsafe: bool) -> str:
    """What ``--fix`` did, and what it left."""
    from checker.fixes import fixable

    counts = collections.Counter(f.code for f in fixed)
    done = ", ".join(f"{n} {code}" for code, n in sorted(counts.items()))
    left = len(remaining)
    hidden = sum(1 for f in remaining if fixable(f.code) == "unsafe") if not unsafe else 0
    line = (
        f"Fixed {len(fixed)} finding{'s' * (len(fixed) != 1)}{f' ({done})' if done else ''}; {left} remain."
    )
    if hidden:
        line += f" {hidden} more can be fixed with --unsafe-fixes."
    return line


def _add_noqa(runner: _Run, result: RunResult) -> int:
    from checker import noqa

    by_path: dict[str, list[Finding]] = {}
    for finding in result.findings:
        by_path.setdefault(finding.path, []).append(finding)
    added = files = 0
    for path, found in sorted(by_path.items()):
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                before = handle.read()
        except (OSError, UnicodeDecodeError) as error:
            print(f"celery-checklist: {path}: cannot read ({error}), no comments added", file=sys.stderr)
            continue
        headers = {t.key: t.suppression_lines for t in result.tasks if t.path == path}
        outcome = noqa.add_noqa(before, found, headers)
        for finding in outcome.skipped:
            print(
                f"celery-checklist: {path}:{finding.line}: {finding.code} left: its line cannot take a comment",
                file=sys.stderr,
            )
        if outcome.text != before:
            with open(path, "w", encoding="utf-8", newline="") as handle:
                handle.write(outcome.text)
            files += 1
        added += outcome.added
    print(
        f"celery-checklist: added noqa comments for {added} finding{'s' * (added != 1)} "
        f"in {files} file{'s' * (files != 1)}",
        file=sys.stderr,
    )
    return EXIT_OK


def _comment(
    args: argparse.Namespace,
    report: ReportData,
    changed: dict[str, set[int]] | None,
    summary_file: Path | None,
) -> None:
    """Post the sticky PR comment; a failure is a warning annotation and a summary line."""
    from checker.github import publish
    from checker.report import comment

    if args.comment_template is not None and not args.comment_template.is_file():
        raise ConfigError(f"--comment-template {args.comment_template}: no such file")

    touched = set(changed) if changed is not None else None
    base = os.environ.get("GITHUB_BASE_REF")
    if touched is None and base:  # the files this pull request changes, for the task table
        from checker.diff import changed_lines

        lines, _ = changed_lines(f"origin/{base}", Path.cwd())
        touched = set(lines) if lines is not None else None

    def render(pr: publish.PullRequest, detailed: bool) -> str:
        values = comment.context(
            report,
            repository=pr.repository,
            sha=pr.head_sha,
            server_url=pr.server_url,
            touched=touched,
            rules_url=RULES_URI,
            detailed=detailed,
        )
        return comment.render(values, args.comment_template)

    outcome = publish.post(render, marker=args.comment_marker)
    if outcome.startswith("warning: "):
        from checker.report.github import escape_data

        print(f"::warning title=celery-checklist::{escape_data(outcome[len('warning: ') :])}")
        if summary_file is not None:
            try:
                with summary_file.open("a", encoding="utf-8") as handle:
                    handle.write(f"\n> ⚠️ {outcome[len('warning: ') :]}\n")
            except OSError:
                pass
    print(f"celery-checklist: {outcome}", file=sys.stderr)


if __name__ == "__main__":  # pragma: no cover
    run()
