"""Every rule's VALID and INVALID examples, run through the whole pipeline."""

from __future__ import annotations

import pytest

from checker.api import check_sources
from checker.config import Config
from checker.rules import Rule, all_rules
from checker.rules.base import Example

EXAMPLES = [
    pytest.param(rule, kind, index, source, id=f"{rule.code}-{kind}-{index}")
    for rule in all_rules()
    for kind, examples in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for index, source in enumerate(examples)
]


def _config(rule: type[Rule]) -> Config:
    config = Config()
    for key, value in rule.example_config.items():
        setattr(config, key.replace("-", "_"), value)
    return config


@pytest.mark.parametrize(("rule", "kind", "index", "source"), EXAMPLES)
def test_example(rule: type[Rule], kind: str, index: int, source: Example) -> None:
    files = source if isinstance(source, dict) else {"proj/tasks.py": source}
    result = check_sources(files, _config(rule), select=[rule.code])
    codes = [f.code for f in result.findings]
    if kind == "valid":
        assert rule.code not in codes, result.findings
    else:
        assert rule.code in codes, f"{rule.code} did not fire on:\n{source!s}"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_has_enough_examples(rule: type[Rule]) -> None:
    assert len(rule.VALID) >= 2, f"{rule.code} needs at least 2 VALID examples"
    assert len(rule.INVALID) >= 2, f"{rule.code} needs at least 2 INVALID examples"


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_rule_docs_have_every_section(rule: type[Rule]) -> None:
    docs = rule.docs()
    for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert heading in docs, f"{rule.code} docs lack {heading!r}"
    assert rule.summary(), f"{rule.code} has no summary"
    assert rule.checklist and rule.name and rule.code.startswith("CT")
