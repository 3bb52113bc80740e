"""The byte-level screening: which files need reading at all."""

from __future__ import annotations

import random
import re

import pytest

from checker.screen import NameScreen

_WORD = re.compile(rb"[A-Za-z_]\w*")
_DOTTED = re.compile(rb"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_IDENTIFIER = re.compile(rb"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def _oracle(data: bytes, names: set[bytes]) -> bool:
    """What the screen must answer, by the regular expressions it stands for."""
    if not names.isdisjoint(_WORD.findall(data)) or not names.isdisjoint(_DOTTED.findall(data)):
        return True
    return any(name in data for name in names if not _IDENTIFIER.fullmatch(name))


@pytest.mark.parametrize(
    ("data", "names", "expected"),
    [
        (b"from shop.tasks import charge\n", {b"charge"}, True),
        (b"recharge(1)\n", {b"charge"}, False),
        (b"x = 12charge\n", {b"charge"}, True),  # the pattern's match starts after the digits
        (b"shop.tasks.charge.delay()", {b"shop.tasks.charge"}, False),  # not the whole dotted name
        (b"shop.tasks.charge()", {b"shop.tasks.charge"}, True),
        (b"app.send_task('billing:charge')", {b"billing:charge"}, True),
        (b"charge_all()", {b"charge"}, False),
    ],
)
def test_names(data: bytes, names: set[bytes], expected: bool) -> None:
    assert NameScreen(names).matches(data) is expected
    assert _oracle(data, names) is expected


def test_agrees_with_the_regular_expressions_on_random_text() -> None:
    rng = random.Random(7)
    alphabet = b"ab_1.9 :\n(x"
    for _ in range(3000):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        names = {bytes(rng.choice(b"ab_1.x:") for _ in range(rng.randint(1, 5))) for _ in range(3)}
        assert NameScreen(names).matches(data) is _oracle(data, names), (data, names)
