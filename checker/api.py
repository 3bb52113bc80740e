"""Analysing in-memory sources: what the tests and rule examples use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Union

from checker.analysis import execute
from checker.config import Config
from checker.discover import SourceFile
from checker.runner import RunResult
from checker.selection import resolve


def _module_name(path: str) -> tuple[str, bool]:
    parts = path.removesuffix(".py").split("/")
    if parts and parts[0] == "src":
        parts = parts[1:]
    is_package = parts[-1] == "__init__"
    if is_package:
        parts = parts[:-1]
    return ".".join(parts), is_package


def check_sources(
    files: Mapping[str, Union[str, bytes]],
    config: Config | None = None,
    select: list[str] | None = None,
) -> RunResult:
    """Analyse ``{"proj/tasks.py": source}`` as if each path were a file in a package tree.

    Module names come from the paths (``proj/tasks.py`` is ``proj.tasks``; a leading ``src/`` is
    dropped). ``select`` overrides the configuration's selection.
    """
    from checker.rules import all_rules

    config = config or Config()
    rules = all_rules()
    codes = resolve(
        [r.code for r in rules],
        frozenset(r.code for r in rules if r.opt_in),
        select if select is not None else config.select,
        config.extend_select,
        config.ignore,
    )
    sources = []
    for path, text in files.items():
        data = text.encode("utf-8") if isinstance(text, str) else text
        module, is_package = _module_name(path)
        sources.append(SourceFile(path, module, is_package, data))
    return execute(sources, config, codes, jobs=1, notes=[])
