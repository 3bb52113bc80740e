"""The ``celery-checklist`` command: ``check``, ``rules`` and ``explain``."""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from checker import __version__, files
from checker.config import FAIL_ON, Config, ConfigError

if TYPE_CHECKING:
    from checker.model import Finding
    from checker.report.data import ReportData

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "checklist", "github", "sarif")
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
        "paths", nargs="*", type=Path, metavar="PATH", help="files or directories (default: .)"
    )
    check.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
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

    commands.add_parser("rules", help="list every rule")
    explain = commands.add_parser("explain", help="show a rule's documentation")
    explain.add_argument("code", metavar="CODE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "rules":
            return _rules(sys.stdout)
        if args.command == "explain":
            return _explain(args.code, sys.stdout)
    except ConfigError as error:
        print(f"celery-checklist: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def _rules(out: TextIO) -> int:
    from checker.rules import all_rules

    out.write(f"{'code':<6}  {'name':<28}  {'section':<10}  {'severity':<8}  opt-in\n")
    for rule in all_rules():
        opt_in = "yes" if rule.opt_in else "no"
        out.write(
            f"{rule.code:<6}  {rule.name:<28}  {rule.section.value:<10}  {rule.severity.value:<8}  {opt_in}\n"
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
    from checker.rules import rule_by_code

    rule = rule_by_code().get(code.strip().upper())
    if rule is None:
        raise ConfigError(f"unknown rule code {code!r} (see `celery-checklist rules`)")
    opt_in = ", opt-in" if rule.opt_in else ""
    out.write(
        f"# {rule.code} {rule.name}\n\nSection: {rule.section.label}. Severity: {rule.severity.value}{opt_in}.\n\n"
    )
    out.write(rule.docs() + "\n")
    return EXIT_OK


def _selection(config: Config, args: argparse.Namespace) -> tuple[str, ...]:
    """The rules to run: the configuration's selection, then the command line's on top of it
    (ruff's rule: ``--select`` replaces, ``--extend-select`` adds, ``--ignore`` removes)."""
    from checker import selection
    from checker.rules import all_rules

    rules = all_rules()
    codes = [r.code for r in rules]
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
        frozenset(r.code for r in rules if r.opt_in),
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


def _check_run(args: argparse.Namespace) -> int:
    from checker.files import project_root
    from checker.report import data, github, json_report, sarif, text
    from checker.rules import rule_by_code
    from checker.runner import RunResult, run

    given: list[Path] = args.paths or [Path(".")]
    paths = _python_paths(given)
    groups = _groups(paths or given, args.config)
    selections = [(config, group, _selection(config, args)) for config, group in groups]
    if args.show_settings is not None:
        return _show_settings(args.show_settings, args, sys.stdout)
    if args.show_files:
        return _show_files(selections if paths else [], sys.stdout)
    codes = tuple(code for code in rule_by_code() if any(code in c for _, _, c in selections))
    fail_rank: dict[str, int] = {}  # each file's own threshold (from its own configuration)

    result = RunResult([], [], 0, [], codes)
    for config, group, group_codes in selections if paths else []:
        part = run(
            group, config, group_codes, jobs=args.jobs, cache_dir=args.cache_dir, use_cache=not args.no_cache
        )
        rank = _FAIL_RANK[args.fail_on or config.fail_on]
        fail_rank.update((f.path, rank) for f in part.findings)
        result.findings.extend(part.findings)
        result.tasks.extend(part.tasks)
        result.files += part.files
        result.notes.extend(part.notes)
        result.unanalysed.extend(part.unanalysed)
        result.setting_prefix = result.setting_prefix or part.setting_prefix
    default_rank = _FAIL_RANK[args.fail_on or groups[0][0].fail_on]
    for note in result.notes:
        print(f"celery-checklist: {note}", file=sys.stderr)
    if paths and result.files == 0:
        for path in paths:
            if path.is_dir():
                print(f"celery-checklist: warning: no Python files under {path}", file=sys.stderr)
    changed: dict[str, set[int]] | None = None
    hidden: list[Finding] = []
    if args.diff_base:
        from checker.diff import changed_lines

        changed, warning = changed_lines(args.diff_base, Path.cwd())
        if warning is not None:
            print(f"celery-checklist: warning: {warning}", file=sys.stderr)
        if changed is not None:
            shown = [f for f in result.findings if f.line in changed.get(f.path, ())]
            hidden = [f for f in result.findings if f.line not in changed.get(f.path, ())]
            result.findings = shown

    from checker.report.regions import widen
    from checker.report.spelling import respell

    result.findings = respell(widen(result.findings), result.setting_prefix)
    hidden = respell(widen(hidden), result.setting_prefix)
    by_code = rule_by_code()
    items = [
        data.ChecklistItem(code, by_code[code].name, by_code[code].section, by_code[code].checklist)
        for code in codes
        if by_code[code].per_task
    ]
    rules = [
        data.RuleInfo(code, r.name, r.section, r.summary(), r.docs(), r.severity, RULES_URI)
        for code in codes
        for r in (by_code[code],)
    ]
    report = data.build(
        result.tasks, result.findings, items, result.files, rules, len(result.unanalysed), hidden
    )
    stream = sys.stdout
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
        colour = args.output is None and stream.isatty() and "NO_COLOR" not in os.environ
        output = text.render(report, colour=colour, quiet=args.quiet)
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

    failing = any(f.severity.rank >= fail_rank.get(f.path, default_rank) for f in result.findings)
    return EXIT_FINDINGS if failing else EXIT_OK


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
    sys.exit(main())
