from __future__ import annotations

from pathlib import Path

from checker.docs import END, START, replace_block

README = Path(__file__).parent.parent / "README.md"


def test_readme_rule_list_is_fresh() -> None:
    text = README.read_text(encoding="utf-8")
    assert START in text and END in text
    assert replace_block(text) == text, "README rule list is stale: run `python -m checker.docs README.md`"
