"""The rules, one module each (``ctNNN_name.py``), found automatically.

Importing this package is cheap: the rule modules (and libcst, which they use) are imported only
by ``all_rules()`` or when one of the names below is first used. What ``rules``, ``explain`` and the
selection of rules need about every rule is in ``checker.rules.catalog``, without the rules.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from checker.rules.base import FileContext, Report, Rule, TaskRule

__all__ = ["FileContext", "Report", "Rule", "TaskRule", "all_rules", "rule_by_code"]

_FROM_BASE = frozenset({"FileContext", "Report", "Rule", "TaskRule"})


def __getattr__(name: str) -> Any:
    if name in _FROM_BASE:
        from checker.rules import base

        return getattr(base, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class, ordered by code."""
    from checker.rules.base import Rule

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
