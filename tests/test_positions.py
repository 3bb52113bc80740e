"""Our fast positions equal libcst's PositionProvider for every node."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from checker.positions import _tuple, positions_of

SOURCES = [p for p in (Path(__file__).parent.parent / "examples").rglob("*.py") if "legacy" not in p.name] + [
    Path(__file__).parent.parent / "checker" / "runner.py"
]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_positions_match_libcst(path: Path) -> None:
    module = cst.parse_module(path.read_bytes())
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    assert dict(positions_of(module)) == {n: _tuple(r) for n, r in expected.items()}


def test_positions_with_crlf_and_tabs() -> None:
    module = cst.parse_module(b"if x:\r\n\tdef f(a,\r\n\t      b):\r\n\t\treturn 'a\\\r\nb'\r\n")
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    assert dict(positions_of(module)) == {n: _tuple(r) for n, r in expected.items()}
