"""The rules, one module each (``ctNNN_name.py``), found automatically."""

from __future__ import annotations

import functools
import importlib
import pkgutil

from checker.rules.base import FileContext, Report, Rule, TaskRule

__all__ = ["FileContext", "Report", "Rule", "TaskRule", "all_rules", "rule_by_code"]


@functools.cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, ordered by code."""
    found: list[type[Rule]] = []
    for module_info in pkgutil.iter_modules(__path__):
        if not module_info.name.startswith("ct"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value.__module__ == module.__name__
                and "code" in vars(value)
            ):
                found.append(value)
    return tuple(sorted(found, key=lambda rule: rule.code))


def rule_by_code() -> dict[str, type[Rule]]:
    return {rule.code: rule for rule in all_rules()}
