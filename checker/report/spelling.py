"""Advice worded in the spelling the project uses for Celery settings."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from checker.celery_names import old_setting_names
from checker.model import OLD_SETTING_NAMES, Finding
from checker.rules import catalog

_SETTING = re.compile(r"`(task_[a-z_]+)`")


def respell(findings: Iterable[Finding], prefix: str) -> list[Finding]:
    """With Django's namespaced settings (``namespace="CELERY"``), the advice of rules that a
    global setting satisfies names ``CELERY_TASK_TIME_LIMIT`` in the Django settings, not
    ``task_time_limit`` in the Celery config; with Django's settings read with no namespace
    (:data:`OLD_SETTING_NAMES`), the old upper-case name Celery takes there,
    ``CELERYD_TASK_TIME_LIMIT``."""
    findings = list(findings)
    if not prefix:
        return findings
    advice = {entry.code for entry in catalog.entries() if entry.satisfied_by_settings}
    result = []
    for finding in findings:
        if finding.code in advice:
            message = _SETTING.sub(lambda m: f"`{_spelt(m.group(1), prefix)}`", finding.message)
            message = message.replace("in the Celery config", "in the Django settings")
            finding = dataclasses.replace(finding, message=message)
        result.append(finding)
    return result


def _spelt(setting: str, prefix: str) -> str:
    if prefix != OLD_SETTING_NAMES:
        return f"{prefix}_{setting.upper()}"
    old = old_setting_names().get(setting)
    return old.upper() if old else setting.upper()
