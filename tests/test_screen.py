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


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"from django.core.files.storage import default_storage\ndefault_storage.delete(p)\n", True),
        (b"obj.delete()\n", False),  # the method alone: not the object a task delegates to
        (b"default_storage.open(p)\n", False),
        (b"from shop import tasks\ntasks.purge.delay()\n", True),  # a plain name still matches
    ],
)
def test_pairs_need_both_words(data: bytes, expected: bool) -> None:
    screen = NameScreen({b"purge"}, {(b"default_storage", b"delete")})
    assert screen.matches(data) is expected


def test_agrees_with_the_regular_expressions_on_random_text() -> None:
    rng = random.Random(7)
    alphabet = b"ab_1.9 :\n(x"
    for _ in range(3000):
        data = bytes(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        names = {bytes(rng.choice(b"ab_1.x:") for _ in range(rng.randint(1, 5))) for _ in range(3)}
        assert NameScreen(names).matches(data) is _oracle(data, names), (data, names)


_INDEX_ORACLE = re.compile(
    rb"Celery\s*\(|^\s*class\s+\w+\s*\([^)]*Task\b"
    rb"|^[ \t]*(?!@|from\b|import\b)[^#\n]*?(?:\bshared_task\b|\.task\b)",
    re.M,
)


def test_indexes_agrees_with_one_pattern() -> None:
    """The index screen searches its three patterns only where their words occur: the same
    answers as the one pattern it replaced."""
    from checker.screen import indexes

    pieces = [
        b"Celery(",
        b"Celery (",
        b"class A(",
        b"Task",
        b"Base)",
        b"@",
        b"from x import shared_task",
        b"import y",
        b"app.task",
        b"shared_task",
        b"# ",
        b"\n",
        b"  ",
        b"x = ",
        b"task",
        b"celery(",
    ]
    rng = random.Random(11)
    for _ in range(4000):
        data = b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 8)))
        assert indexes(data) is (_INDEX_ORACLE.search(data) is not None), data
