"""The pull-request comment, rendered from a Jinja template (ours, or the user's, sandboxed)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import jinja2
import jinja2.sandbox

from checker.model import TASK_SECTIONS, Finding
from checker.report.data import ReportData, TaskReport
from checker.report.templates import code_span, environment, markdown_escape, markdown_inline

# With this many tasks or fewer, the table lists every task; above it, those the PR touches.
FEW_TASKS = 20


def context(
    data: ReportData,
    *,
    repository: str,
    sha: str,
    server_url: str = "https://github.com",
    touched: set[str] | None = None,
    rules_url: str = "",
    detailed: bool = True,
) -> dict[str, object]:
    tasks: list[TaskReport] = data.tasks
    if touched is not None and len(tasks) > FEW_TASKS:
        tasks = [t for t in tasks if t.task.path in touched]
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in data.findings:
        by_file[finding.path].append(finding)
    return {
        "summary": data.summary,
        "sections": [(s.value, s.label) for s in TASK_SECTIONS],
        "tasks": tasks,
        "all_tasks": len(tasks) == len(data.tasks),
        "files": sorted(by_file.items()) if detailed else [],
        "detailed": detailed,
        "blob_url": f"{server_url.rstrip('/')}/{repository}/blob/{sha}",
        "rules_url": rules_url,
    }


def render(values: dict[str, object], template: Path | None = None) -> str:
    if template is None:
        return environment().get_template("comment.md.j2").render(**values)
    sandbox = jinja2.sandbox.SandboxedEnvironment(
        autoescape=False, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined
    )
    sandbox.filters.update(md=markdown_escape, code=code_span, message=markdown_inline)
    return sandbox.from_string(template.read_text(encoding="utf-8")).render(**values)
