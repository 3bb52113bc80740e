"""Celery settings written in one module, in every spelling a module can use.

- module-level ``CELERY_X = ...`` (Django's ``CELERY`` namespace) and old upper-case names;
- module-level lower-case names in a Celery config module (``celeryconfig.py``);
- ``app.conf.x = ...``, ``app.conf["x"] = ...``, ``app.conf.update(x=..., {"x": ...})``;
- keyword arguments of ``Celery(...)`` (``broker=`` and ``backend=`` included);
- lower-case attributes of a module-level class given to ``app.config_from_object(...)``
  (Celery's documented config object), for the names Celery knows;
- upper-case ``CELERY_X = ...`` attributes of module-level classes in settings modules
  (class-based Django settings such as django-configurations). Subclasses override each other's
  attributes and the class in force is chosen at run time, so their values are UNKNOWN: they
  count as set, and no rule judges their values.

Names are normalised to Celery's current lower-case setting names, with Celery's own old-to-new
mapping. A value set under ``if``/``try`` or that is not a literal is UNKNOWN.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
from collections.abc import Iterator

import libcst as cst

from checker.body import children, descendants
from checker.module_info import ModuleInfo
from checker.tasks import class_attributes, is_celery_class
from checker.values import UNKNOWN, Value, dotted_name, evaluate, string_value

_CONFIG_MODULE = re.compile(r"(^|[._])celery_?conf(ig)?$")
_CELERY_KEYWORDS = {"broker": "broker_url", "backend": "result_backend"}


@dataclasses.dataclass(frozen=True)
class SettingNames:
    """Celery's setting names, from ``celery.app.defaults``."""

    keys: frozenset[str]
    old_to_new: dict[str, str]

    def normalise(self, raw: str) -> str | None:
        """The current name of setting ``raw`` in any spelling, or None when it is none."""
        if raw in self.keys:
            return raw
        if raw in self.old_to_new:
            return self.old_to_new[raw]
        if raw.startswith("CELERY_"):
            new = raw[len("CELERY_") :].lower()
            if new in self.keys:
                return new
        return None

    def close_match(self, raw: str) -> str | None:
        """The known spelling ``raw`` is most likely a typo of, if it is close to one."""
        close = self.close_matches(raw, 1)
        return close[0] if close else None

    def close_matches(self, raw: str, count: int = 3) -> list[str]:
        """The known spellings ``raw`` may be a typo of, closest first."""
        if raw.isupper() or not raw.islower():
            candidates = [k for k in self.old_to_new if k[:1] == raw[:1]]
            candidates += ["CELERY_" + k.upper() for k in self.keys]
        else:
            candidates = list(self.keys)
        return difflib.get_close_matches(raw, candidates, n=count, cutoff=0.85)


@functools.cache
def setting_names() -> SettingNames:
    from celery.app import defaults

    return SettingNames(frozenset(defaults.SETTING_KEYS), dict(defaults._TO_NEW_KEY))


CONF, UPPER, LOWER = "conf", "upper", "lower"


@dataclasses.dataclass(frozen=True)
class Setting:
    name: str | None  # normalised (current) setting name; None for an unknown name
    raw: str  # as written
    value: Value
    node: cst.CSTNode  # the value expression, for positions
    # CONF: app.conf / Celery(...) (always the app's); UPPER: a module-level upper-case name
    # (Django's CELERY_ namespace or an old name); LOWER: a module-level lower-case name, which
    # counts only in a config module.
    kind: str
    key_node: cst.CSTNode | None = None  # where the name is written, for CT406
    # The module-level class whose attribute this is (``class CeleryConfig: task_acks_late = True``,
    # given to ``app.config_from_object(CeleryConfig)``): counts only when the class is a config
    # source, like a config module's lower-case names.
    owner: str = ""
    # The literal written, where the value is UNKNOWN only because a class-based Django settings
    # class may be overridden (``class Common: CELERY_RESULT_BACKEND = "django-db"``).
    literal: Value = None


def is_config_module(module_name: str) -> bool:
    return bool(_CONFIG_MODULE.search(module_name))


def is_settings_like(module_name: str) -> bool:
    """A module whose name says it holds settings or configuration (``proj.settings.base``)."""
    return any("settings" in part or "conf" in part for part in module_name.split("."))


def _conf_attribute(node: cst.BaseExpression) -> bool:
    """``node`` is ``<something>.conf``."""
    return isinstance(node, cst.Attribute) and node.attr.value == "conf"


def _module_level(raw: str, names: SettingNames) -> tuple[str | None, str] | None:
    """Name and kind of a module-level assignment that may be a setting, or None."""
    if raw.isupper():
        if raw.startswith(("CELERY_", "CELERYD_", "CELERYBEAT_", "BROKER_")) or raw in names.old_to_new:
            return names.normalise(raw), UPPER
        return None
    if raw.islower():
        name = names.normalise(raw)
        if name is not None or names.close_match(raw) is not None:
            return name, LOWER
    return None


def collect_settings(info: ModuleInfo, names: SettingNames) -> Iterator[Setting]:
    """Every setting (and would-be setting) this module writes, in every spelling."""
    for statement, conditional in info.module_statements:
        targets: list[cst.BaseAssignTargetExpression] = []
        value_node: cst.BaseExpression | None = None
        if isinstance(statement, cst.Assign):
            targets = [t.target for t in statement.targets]
            value_node = statement.value
        elif isinstance(statement, cst.AnnAssign) and statement.value is not None:
            if (dotted_name(statement.annotation.annotation) or "").rpartition(".")[2] == "TypeAlias":
                continue  # ``CELERY_SCHEDULE: TypeAlias = dict[str, ...]``: a type, not a setting
            targets = [statement.target]
            value_node = statement.value
        if value_node is None:
            continue
        value = UNKNOWN if conditional else evaluate(value_node)
        for target in targets:
            if isinstance(target, cst.Name):
                found = _module_level(target.value, names)
                if found is not None and found[0] is None and _from_django_settings(value_node, info):
                    continue  # an app's own constant (``getattr(settings, "OPENWISP_X", 120)``)
                if found is not None and (
                    found[0] is not None or not _read_at_module_level(info, target.value, names)
                ):
                    # (a name Celery does not know that the module reads is its own variable:
                    # ``CELERY_BROKER_HOSTNAME``, put into ``CELERY_BROKER_URL``)
                    yield Setting(found[0], target.value, value, value_node, found[1], target)
            elif isinstance(target, cst.Attribute) and _conf_attribute(target.value):
                raw = target.attr.value
                yield Setting(names.normalise(raw), raw, value, value_node, CONF, target.attr)
            elif (
                isinstance(target, cst.Subscript)
                and _conf_attribute(target.value)
                and len(target.slice) == 1
                and isinstance(target.slice[0].slice, cst.Index)
            ):
                key = target.slice[0].slice.value
                raw_key = string_value(key)
                if raw_key is not None:
                    yield Setting(names.normalise(raw_key), raw_key, value, value_node, CONF, key)
    if is_settings_like(info.name):
        yield from _class_settings(info, names)
    yield from _config_class_settings(info, names)
    for call in info.calls:
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "update" and _conf_attribute(func.value):
            yield from _keyword_settings(call, names, {}, unknown_too=True)
            for arg in call.args:
                mapping: cst.BaseExpression | None = arg.value
                if arg.keyword is None and isinstance(mapping, cst.Name):
                    mapping = _bound_dict(info, call, mapping.value)  # ``conf.update(config)``
                if arg.keyword is None and isinstance(mapping, cst.Dict):
                    for element in mapping.elements:
                        if isinstance(element, cst.DictElement):
                            dict_key = string_value(element.key)
                            if dict_key is not None:
                                yield Setting(
                                    names.normalise(dict_key),
                                    dict_key,
                                    evaluate(element.value),
                                    element.value,
                                    CONF,
                                    element.key,
                                )
        elif is_celery_class(info.qualify(func)):
            yield from _keyword_settings(call, names, _CELERY_KEYWORDS, unknown_too=False)


def _bound_dict(info: ModuleInfo, call: cst.Call, name: str) -> cst.BaseExpression | None:
    """The dict literal ``name`` is bound to where ``call`` reads it: the function holding the
    call (``config = {...}`` then ``app.conf.update(config)`` in ``make_celery()``), else the
    module. None when the name is bound to anything else, or more than once in the function."""
    for record in info.functions:
        if not any(node is call for node in descendants(record.node.body)):
            continue
        bound = [
            node.value
            for node in descendants(record.node.body)
            if isinstance(node, cst.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
            and node.targets[0].target.value == name
        ]
        if bound:
            return bound[0] if len(bound) == 1 else None
    value = info.assignments.get(name)
    return value if isinstance(value, cst.Dict) else None


def _class_settings(info: ModuleInfo, names: SettingNames) -> Iterator[Setting]:
    """Upper-case settings written as attributes of module-level classes (values unknown)."""
    for record in info.classes:
        if record.scopes:
            continue
        for raw, (_, statement) in class_attributes(record.node).items():
            found = _module_level(raw, names) if raw.isupper() else None
            if found is None or not isinstance(statement, (cst.Assign, cst.AnnAssign)):
                continue
            targets = statement.targets if isinstance(statement, cst.Assign) else [statement]
            key = next(t.target for t in targets if isinstance(t.target, cst.Name) and t.target.value == raw)
            assert statement.value is not None
            yield Setting(
                found[0], raw, UNKNOWN, statement.value, found[1], key, literal=evaluate(statement.value)
            )


def _from_django_settings(value: cst.BaseExpression, info: ModuleInfo) -> bool:
    """``getattr(settings, "X", default)`` or ``settings.X`` with Django's settings: the module
    reads the project's configuration (a reusable app's settings module), it does not write it."""
    if isinstance(value, cst.Call) and dotted_name(value.func) == "getattr" and value.args:
        value = value.args[0].value
    elif isinstance(value, cst.Attribute):
        value = value.value
    else:
        return False
    return info.qualify(value) == "django.conf.settings"


def _read_at_module_level(info: ModuleInfo, name: str, names: SettingNames) -> bool:
    """A module-level statement of the module reads ``name`` (not only binds it), other than
    the value of another name Celery does not know (``CELERY_TIME_LIMIT = CELERY_SOFT_TIME_LIMIT
    + 60``: both misspelt)."""
    for statement, _ in info.module_statements:
        bound: set[int] = set()
        if isinstance(statement, cst.Assign):
            bound = {id(t.target) for t in statement.targets}
            if all(_unknown_setting(t.target, names) for t in statement.targets):
                continue
        elif isinstance(statement, (cst.AnnAssign, cst.AugAssign)):
            bound = {id(statement.target)}
            if _unknown_setting(statement.target, names):
                continue
        for node in descendants(statement):
            if isinstance(node, cst.Name) and node.value == name and id(node) not in bound:
                return True
    return False


def _unknown_setting(target: cst.BaseExpression, names: SettingNames) -> bool:
    """``target`` is a module-level name that looks like a setting Celery does not know."""
    if not isinstance(target, cst.Name):
        return False
    found = _module_level(target.value, names)
    return found is not None and found[0] is None


def _config_class_settings(info: ModuleInfo, names: SettingNames) -> Iterator[Setting]:
    """The lower-case attributes of module-level classes that are Celery settings by name (a
    config object, ``app.config_from_object(CeleryConfig)``); the project counts them only for a
    class given to ``config_from_object``. Only names Celery knows: other attributes of such a
    class are the project's own (queue names, module lists), not misspelt settings."""
    for record in info.classes:
        if record.scopes:
            continue
        for statement, conditional in _class_statements(record.node.body):
            if isinstance(statement, cst.Assign):
                targets = [t.target for t in statement.targets]
            elif isinstance(statement, cst.AnnAssign) and statement.value is not None:
                targets = [statement.target]
            else:
                continue
            assert statement.value is not None
            value = UNKNOWN if conditional else evaluate(statement.value)
            for target in targets:
                if not isinstance(target, cst.Name) or not target.value.islower():
                    continue
                name = names.normalise(target.value)
                if name is not None:
                    yield Setting(
                        name,
                        target.value,
                        value,
                        statement.value,
                        LOWER,
                        target,
                        owner=record.node.name.value,
                    )


def _class_statements(
    node: cst.CSTNode, conditional: bool = False
) -> Iterator[tuple[cst.BaseSmallStatement, bool]]:
    """The simple statements of a class body, also those under ``if``/``try``/``with`` blocks in
    it (then ``conditional``), not those of the functions and classes it defines."""
    for child in children(node):
        if isinstance(child, (cst.SimpleStatementLine, cst.SimpleStatementSuite)):
            for small in child.body:
                yield small, conditional
        elif isinstance(child, cst.BaseSuite):
            yield from _class_statements(child, conditional)
        elif isinstance(child, _blocks()):
            yield from _class_statements(child, True)


@functools.cache
def _blocks() -> tuple[type[cst.CSTNode], ...]:
    """The compound statements of a class body whose statements run only sometimes."""
    return (cst.If, cst.Else, cst.Try, cst.ExceptHandler, cst.Finally, cst.With, cst.For, cst.While)


def _keyword_settings(
    call: cst.Call, names: SettingNames, aliases: dict[str, str], *, unknown_too: bool
) -> Iterator[Setting]:
    for arg in call.args:
        if arg.keyword is None:
            continue
        raw = arg.keyword.value
        name = aliases.get(raw) or names.normalise(raw)
        if name is not None or unknown_too:
            yield Setting(name, raw, evaluate(arg.value), arg.value, CONF, arg.keyword)
