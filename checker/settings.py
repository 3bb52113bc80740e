"""Celery settings written in one module, in every spelling a module can use.

- module-level ``CELERY_X = ...`` (Django's ``CELERY`` namespace) and old upper-case names;
- module-level lower-case names in a Celery config module (``celeryconfig.py``);
- ``app.conf.x = ...``, ``app.conf["x"] = ...``, ``app.conf.update(x=..., {"x": ...})``;
- keyword arguments of ``Celery(...)`` (``broker=`` and ``backend=`` included).

Names are normalised to Celery's current lower-case setting names, with Celery's own old-to-new
mapping. A value set under ``if``/``try`` or that is not a literal is UNKNOWN.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterator

import libcst as cst

from checker.celery_names import CELERY_CLASS
from checker.module_info import ModuleInfo
from checker.values import UNKNOWN, Value, evaluate, string_value

_CONFIG_MODULE = re.compile(r"(^|[._])celery_?conf(ig)?$")
_CELERY_KEYWORDS = {"broker": "broker_url", "backend": "result_backend"}


@dataclasses.dataclass(frozen=True)
class SettingNames:
    """Celery's setting names, from ``celery.app.defaults``."""

    keys: frozenset[str]
    old_to_new: dict[str, str]

    def normalise(self, raw: str, *, lower_case_allowed: bool) -> str | None:
        """The current name of setting ``raw``, or None when ``raw`` is no Celery setting."""
        if raw.islower():
            return raw if lower_case_allowed and raw in self.keys else None
        if raw in self.old_to_new:
            return self.old_to_new[raw]
        if raw.startswith("CELERY_"):
            new = raw[len("CELERY_") :].lower()
            if new in self.keys:
                return new
        return None

    def looks_like_setting(self, raw: str) -> bool:
        return raw.startswith(("CELERY_", "CELERYD_", "CELERYBEAT_", "BROKER_")) or raw in self.old_to_new


@functools.cache
def setting_names() -> SettingNames:
    from celery.app import defaults

    return SettingNames(frozenset(defaults.SETTING_KEYS), dict(defaults._TO_NEW_KEY))


@dataclasses.dataclass(frozen=True)
class Setting:
    name: str  # normalised (current) setting name
    raw: str  # as written
    value: Value
    node: cst.CSTNode  # the value expression, for positions


def is_config_module(module_name: str) -> bool:
    return bool(_CONFIG_MODULE.search(module_name))


def _conf_attribute(node: cst.BaseExpression) -> bool:
    """``node`` is ``<something>.conf``."""
    return isinstance(node, cst.Attribute) and node.attr.value == "conf"


def collect_settings(info: ModuleInfo, names: SettingNames) -> Iterator[Setting]:
    config_module = is_config_module(info.name)
    for statement, conditional in info.module_statements:
        targets: list[cst.BaseAssignTargetExpression] = []
        value_node: cst.BaseExpression | None = None
        if isinstance(statement, cst.Assign):
            targets = [t.target for t in statement.targets]
            value_node = statement.value
        elif isinstance(statement, cst.AnnAssign) and statement.value is not None:
            targets = [statement.target]
            value_node = statement.value
        if value_node is None:
            continue
        value = UNKNOWN if conditional else evaluate(value_node)
        for target in targets:
            raw: str | None = None
            lower_ok = True
            if isinstance(target, cst.Name):
                raw, lower_ok = target.value, config_module
            elif isinstance(target, cst.Attribute) and _conf_attribute(target.value):
                raw = target.attr.value
            elif (
                isinstance(target, cst.Subscript)
                and _conf_attribute(target.value)
                and len(target.slice) == 1
                and isinstance(target.slice[0].slice, cst.Index)
            ):
                raw = string_value(target.slice[0].slice.value)
            if raw is None:
                continue
            name = names.normalise(raw, lower_case_allowed=lower_ok)
            if name is not None:
                yield Setting(name, raw, value, value_node)
    for call in info.calls:
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "update" and _conf_attribute(func.value):
            yield from _keyword_settings(call, names, {})
            for arg in call.args:
                if arg.keyword is None and isinstance(arg.value, cst.Dict):
                    for element in arg.value.elements:
                        if isinstance(element, cst.DictElement):
                            key = string_value(element.key)
                            name = key and names.normalise(key, lower_case_allowed=True)
                            if key and name:
                                yield Setting(name, key, evaluate(element.value), element.value)
        elif info.qualify(func) in CELERY_CLASS:
            yield from _keyword_settings(call, names, _CELERY_KEYWORDS)


def _keyword_settings(call: cst.Call, names: SettingNames, aliases: dict[str, str]) -> Iterator[Setting]:
    for arg in call.args:
        if arg.keyword is None:
            continue
        raw = arg.keyword.value
        name = aliases.get(raw) or names.normalise(raw, lower_case_allowed=True)
        if name is not None:
            yield Setting(name, raw, evaluate(arg.value), arg.value)
