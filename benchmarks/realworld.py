"""Run the installed `celery-checklist` on real checkouts and draw a sample of findings to audit.

    python benchmarks/realworld.py ~/corpus/readthedocs ~/corpus/saleor ... \
        --sample 90 --per-code 10 --seed 1 [--save DIR] [--context 3]

For each directory (an extracted checkout, see `benchmarks/corpus.txt`) it runs
`celery-checklist check . --format json --no-cache` with the directory as the working directory
and no configuration beyond the project's own (`--extend-select` adds opt-in codes), and prints:

- per project: Python files, tasks, findings per code;
- a reproducible random sample of the default findings of all projects together, stratified by
  code (at most `--per-code` per code, drawn round-robin over the codes until `--sample` are
  drawn), each with a few lines of source around it, ready to audit in `precision.md`.

The same `--seed` and the same reports give the same sample. `--save DIR` keeps each project's
JSON report (`DIR/<name>.json`), e.g. to compare two versions of the analyser with `--compare`:

    python benchmarks/realworld.py DIRS... --save before/
    ... change the analyser ...
    python benchmarks/realworld.py DIRS... --compare before/

checks that each project's whole JSON report is identical to the saved one (every key: the
findings and the tasks with all their fields and in the same order, the notes the analyser
printed on stderr, the summary; only `version` is ignored). It prints the first differences
per project (a finding is paired by its code, position and task, a task by its path and name,
so that a changed field shows as one line) and exits 1 when any project differs or has no
saved report.
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

Finding = dict[str, Any]


def run_tool(directory: Path, command: str, extend_select: str = "") -> dict[str, Any]:
    extra = ["--extend-select", extend_select] if extend_select else []
    done = subprocess.run(
        [command, "check", ".", "--format", "json", "--no-cache", "--fail-on", "never", *extra],
        cwd=directory,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        sys.exit(f"{directory}: the analyser stopped with status {done.returncode}:\n{done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout)
    report["notes"] = [line for line in done.stderr.splitlines() if line.strip()]
    return report


def source_lines(directory: Path, finding: Finding, context: int) -> list[str]:
    try:
        lines = (directory / finding["path"]).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    first = max(1, finding["line"] - context)
    last = min(len(lines), finding.get("end_line", finding["line"]) + context)
    last = min(last, first + 2 * context + 8)
    return [f"{'>' if n == finding['line'] else ' '} {n:5d} | {lines[n - 1]}" for n in range(first, last + 1)]


def stratified_sample(
    findings: list[tuple[str, Finding]], total: int, per_code: int, seed: int
) -> list[tuple[str, Finding]]:
    """At most ``per_code`` per code, drawn round-robin over the codes in a seeded order."""
    rng = random.Random(seed)
    by_code: dict[str, list[tuple[str, Finding]]] = collections.defaultdict(list)
    for item in sorted(findings, key=lambda i: (i[0], i[1]["path"], i[1]["line"], i[1]["code"])):
        by_code[item[1]["code"]].append(item)
    for items in by_code.values():
        rng.shuffle(items)
    pools = {code: items[:per_code] for code, items in sorted(by_code.items())}
    drawn: list[tuple[str, Finding]] = []
    while len(drawn) < total and any(pools.values()):
        for code in sorted(pools):
            if pools[code] and len(drawn) < total:
                drawn.append(pools[code].pop(0))
    return sorted(drawn, key=lambda i: (i[1]["code"], i[0], i[1]["path"], i[1]["line"]))


# The fields that name a finding or a task; the others are compared field by field.
_IDENTITY = {
    "findings": ("code", "path", "line", "column", "task"),
    "tasks": ("path", "name"),
}
SHOWN = 5  # differences printed per key of the report


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _label(key: str, item: Any) -> str:
    if isinstance(item, dict):
        if key == "findings":
            return f"{item.get('code')} {item.get('path')}:{item.get('line')}:{item.get('column')}"
        if key == "tasks":
            return f"task {item.get('name')} ({item.get('path')})"
    return key


def _value_differences(path: str, old: Any, new: Any) -> list[str]:
    """Where two JSON values differ, as ``path: old -> new`` lines (dicts key by key)."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        lines = []
        for key in sorted(set(old) | set(new), key=str):
            if key not in old:
                lines.append(f"{path}.{key}: added {_canonical(new[key])}")
            elif key not in new:
                lines.append(f"{path}.{key}: removed (was {_canonical(old[key])})")
            else:
                lines.extend(_value_differences(f"{path}.{key}", old[key], new[key]))
        return lines
    return [f"{path}: {_canonical(old)} -> {_canonical(new)}"]


def _list_differences(key: str, old: list[Any], new: list[Any]) -> list[str]:
    """Items removed, added or changed (paired by their identity fields), or else a change of order."""
    old_counts = collections.Counter(_canonical(item) for item in old)
    new_counts = collections.Counter(_canonical(item) for item in new)
    if old_counts == new_counts:
        first = next(i for i, (a, b) in enumerate(zip(old, new)) if a != b)
        return [f"{key}: the same items in another order (first at index {first}: {_label(key, new[first])})"]
    removed = [json.loads(text) for text in sorted((old_counts - new_counts).elements())]
    added = [json.loads(text) for text in sorted((new_counts - old_counts).elements())]
    fields = _IDENTITY.get(key)
    lines = []
    if fields:
        unpaired = []
        for item in removed:
            identity = [item.get(field) for field in fields] if isinstance(item, dict) else None
            match = next(
                (
                    other
                    for other in added
                    if identity is not None
                    and isinstance(other, dict)
                    and identity == [other.get(f) for f in fields]
                ),
                None,
            )
            if match is None:
                unpaired.append(item)
            else:
                added.remove(match)
                lines.extend(
                    f"~ {_label(key, item)}: {line}" for line in _value_differences(key, item, match)
                )
        removed = unpaired
    lines.extend(f"- {_label(key, item)}: {_canonical(item)}" for item in removed)
    lines.extend(f"+ {_label(key, item)}: {_canonical(item)}" for item in added)
    return lines


def report_differences(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[str]]:
    """Every difference between two JSON reports (all keys but ``version``), as lines per key."""
    differences: dict[str, list[str]] = {}
    for key in sorted((set(before) | set(after)) - {"version"}):
        if key not in before:
            lines = ["only in the new report"]
        elif key not in after:
            lines = ["only in the saved report"]
        elif isinstance(before[key], list) and isinstance(after[key], list):
            lines = _list_differences(key, before[key], after[key]) if before[key] != after[key] else []
        else:
            lines = _value_differences(key, before[key], after[key])
        if lines:
            differences[key] = lines
    return differences


def compare(name: str, before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Print how the new report differs from the saved one (the first few differences of each
    key); True when it does."""
    differences = report_differences(before, after)
    if not differences:
        print(f"  {name}: identical JSON report (version aside)")
        return False
    counts = ", ".join(f"{key} {len(lines)}" for key, lines in differences.items())
    print(f"  {name}: the JSON report differs ({counts})")
    for key, lines in differences.items():
        for line in lines[:SHOWN]:
            print(f"    {key}: {line}" if not line.startswith(key) else f"    {line}")
        if len(lines) > SHOWN:
            print(f"    {key}: ... and {len(lines) - SHOWN} more")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("directories", nargs="+", type=Path, help="extracted checkouts")
    parser.add_argument("--sample", type=int, default=0, help="findings to draw (0: none)")
    parser.add_argument("--per-code", type=int, default=10, help="at most this many per code")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--context", type=int, default=3, help="source lines around each finding")
    parser.add_argument("--command", default="celery-checklist", help="the analyser to run")
    parser.add_argument("--extend-select", default="", help="opt-in codes to run as well (e.g. CT407,CT602)")
    parser.add_argument("--save", type=Path, help="keep each project's JSON report here")
    parser.add_argument("--compare", type=Path, help="reports saved earlier with --save")
    args = parser.parse_args(argv)

    pooled: list[tuple[str, Finding]] = []
    roots: dict[str, Path] = {}
    changed = False
    for directory in args.directories:
        name = directory.resolve().name
        roots[name] = directory
        report = run_tool(directory, args.command, args.extend_select)
        codes = collections.Counter(f["code"] for f in report["findings"])
        summary = report["summary"]
        print(
            f"## {name}: {summary['files']} files, {summary['tasks']} tasks, "
            f"{len(report['findings'])} findings"
        )
        print("   " + ", ".join(f"{code} {count}" for code, count in sorted(codes.items())))
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            (args.save / f"{name}.json").write_text(json.dumps(report, indent=1, sort_keys=True))
        if args.compare:
            saved = args.compare / f"{name}.json"
            if saved.is_file():
                changed |= compare(name, json.loads(saved.read_text()), report)
            else:
                print(f"  {name}: no saved report in {args.compare}")
                changed = True
        pooled.extend((name, f) for f in report["findings"])

    if args.sample:
        drawn = stratified_sample(pooled, args.sample, args.per_code, args.seed)
        counts = collections.Counter(f["code"] for _, f in drawn)
        print(
            f"\n# Sample: {len(drawn)} findings (seed {args.seed}, at most {args.per_code} per code): "
            + ", ".join(f"{c} {n}" for c, n in sorted(counts.items()))
        )
        for number, (name, finding) in enumerate(drawn, 1):
            print(
                f"\n### S{number:02d} {finding['code']} {name}/{finding['path']}:{finding['line']}"
                f" ({finding['severity']}, task {finding.get('task') or '-'})"
            )
            print(f"{finding['message']}")
            print("```")
            print("\n".join(source_lines(roots[name], finding, args.context)))
            print("```")
    return 1 if changed else 0


if __name__ == "__main__":
    raise SystemExit(main())
