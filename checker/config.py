"""``[tool.celery-checklist]`` in ``pyproject.toml``: finding, reading and validating it."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

from checker.model import Severity

SECTION = "celery-checklist"
FAIL_ON = ("error", "warning", "info", "never")
# Trees of examples, benchmarks and documentation: not analysed below a path the user names.
EXAMPLE_DIRS = ("examples", "example", "benchmarks", "docs", "doc")


class ConfigError(Exception):
    """A configuration or usage mistake: one line saying what to fix (exit status 2)."""


@dataclasses.dataclass
class Config:
    select: list[str] | None = None
    extend_select: list[str] = dataclasses.field(default_factory=list)
    ignore: list[str] = dataclasses.field(default_factory=list)
    severity: dict[str, Severity] = dataclasses.field(default_factory=dict)
    exclude: list[str] = dataclasses.field(default_factory=list)
    task_decorators: list[str] = dataclasses.field(default_factory=list)
    test_paths: list[str] = dataclasses.field(default_factory=list)
    logging_helpers: list[str] = dataclasses.field(default_factory=list)
    # Directory names whose trees (examples, benchmarks, docs) are not analysed below a named path.
    example_dirs: list[str] = dataclasses.field(default_factory=lambda: list(EXAMPLE_DIRS))
    fail_on: str = "warning"
    # glob (gitignore syntax, relative to ``root``) -> codes/prefixes silenced in the files it matches
    per_file_ignores: dict[str, list[str]] = dataclasses.field(default_factory=dict)
    baseline: Path | None = None  # resolved against the configuration file's folder
    path: Path | None = None  # the file it came from
    root: Path | None = None  # the directory that relative patterns start from


def _string_list(source: str, key: str, value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{source}: `{key}` must be a list of strings, got {_describe(value)}")
    return list(value)


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f'the string "{value}"'
    return type(value).__name__


def _check_globs(source: str, key: str, patterns: list[str]) -> None:
    """Reject patterns that gitignore syntax cannot compile, naming the bad one."""
    import pathspec

    for pattern in patterns:
        try:
            pathspec.GitIgnoreSpec.from_lines([pattern]).match_file("x.py")
        except Exception as error:  # pathspec raises several types for bad patterns
            raise ConfigError(f"{source}: `{key}` has a bad glob {pattern!r} ({error})") from None


def from_mapping(data: dict[str, Any], source: str, path: Path | None) -> Config:
    """Validate the table's keys and types; raise ConfigError naming the file and key."""
    config = Config(path=path, root=path.parent if path else None)
    extend_exclude: list[str] = []
    for key, value in data.items():
        if key == "select":
            config.select = _string_list(source, key, value)
        elif key == "extend-select":
            config.extend_select = _string_list(source, key, value)
        elif key == "ignore":
            config.ignore = _string_list(source, key, value)
        elif key == "exclude":
            config.exclude = _string_list(source, key, value)
            _check_globs(source, key, config.exclude)
        elif key == "extend-exclude":
            extend_exclude = _string_list(source, key, value)
            _check_globs(source, key, extend_exclude)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f'{source}: `per-file-ignores` must be a table of "glob" = ["CODE", ...]')
            for pattern, codes in value.items():
                config.per_file_ignores[pattern] = _string_list(source, f"per-file-ignores.{pattern}", codes)
            _check_globs(source, key, list(config.per_file_ignores))
        elif key == "baseline":
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{source}: `baseline` must be a file name, got {_describe(value)}")
            config.baseline = (path.parent / value) if path is not None else Path(value)
        elif key == "task-decorators":
            config.task_decorators = _string_list(source, key, value)
            for name in config.task_decorators:
                if not all(part.isidentifier() for part in name.split(".")) or "." not in name:
                    raise ConfigError(
                        f'{source}: `task-decorators` entries must be dotted paths such as "acme.jobs.task", got "{name}"'
                    )
        elif key == "logging-helpers":
            config.logging_helpers = _string_list(source, key, value)
            for name in config.logging_helpers:
                if not name or not all(part.isidentifier() for part in name.split(".")):
                    raise ConfigError(
                        f'{source}: `logging-helpers` entries must be dotted names such as "acme.errors.report", got "{name}"'
                    )
        elif key == "test-paths":
            config.test_paths = _string_list(source, key, value)
            _check_globs(source, key, config.test_paths)
        elif key == "example-dirs":
            config.example_dirs = _string_list(source, key, value)
            for name in config.example_dirs:
                if not name or "/" in name or "\\" in name or name in (".", "..") or set("*?[") & set(name):
                    raise ConfigError(
                        f'{source}: `example-dirs` entries must be directory names such as "examples", got "{name}"'
                    )
        elif key == "fail-on":
            if value not in FAIL_ON:
                raise ConfigError(f"{source}: `fail-on` must be one of {', '.join(FAIL_ON)}, got {value!r}")
            config.fail_on = value
        elif key == "severity":
            if not isinstance(value, dict):
                raise ConfigError(f'{source}: `severity` must be a table of CODE = "error|warning|info"')
            for code, level in value.items():
                if level not in ("error", "warning", "info"):
                    raise ConfigError(
                        f'{source}: `severity.{code}` must be "error", "warning" or "info", got {level!r}'
                    )
                config.severity[code.upper()] = Severity(level)
        else:
            known = (
                "select, extend-select, ignore, severity, exclude, task-decorators, test-paths, "
                "logging-helpers, example-dirs, fail-on, per-file-ignores, extend-exclude, baseline"
            )
            raise ConfigError(f"{source}: unknown key `{key}` (known keys: {known})")
    config.exclude = [*config.exclude, *extend_exclude]
    return config


def load_file(path: Path) -> Config:
    """Read a config file: a ``pyproject.toml``'s ``[tool.celery-checklist]`` or a whole TOML file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot read the configuration file ({error.strerror})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from None
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get(SECTION, {}) if isinstance(tool, dict) else {}
        source = f"{path} [tool.{SECTION}]"
    else:
        table, source = data, str(path)
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: must be a table")
    return from_mapping(table, source, path)


def find(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` with a ``[tool.celery-checklist]``."""
    directory = start if start.is_dir() else start.parent
    for candidate in (directory, *directory.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            try:
                text = pyproject.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if f"[tool.{SECTION}" in text or f'[tool."{SECTION}"' in text:
                return pyproject
    return None


def load(paths: list[Path], explicit: Path | None) -> Config:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"--config {explicit}: no such file")
        return load_file(explicit)
    for path in paths:
        found = find(Path(os.path.realpath(path)))
        if found is not None:
            return load_file(found)
    return Config()
