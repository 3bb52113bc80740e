"""Parsing: CT000 at the parser's position, and never for a file Python accepts."""

from __future__ import annotations

import ast

import pytest

from checker.screen import may_matter
from checker.source import ParseError, Unsupported, parse

BROKEN = [
    (b"from celery import shared_task\ndef f(:\n    pass\n", 2),
    (b"import celery\nprint 'py2'\n", 2),
    (b"import celery\nx = '\xff'\n", 2),
    (b"import celery\x00\n", 1),
    (b"import celery\nif True:\n  x = 1\n    y = 2\n", 4),
]
FINE = [
    b"",
    b"\xef\xbb\xbfimport celery\n",
    b"# -*- coding: latin-1 -*-\nimport celery\nname = '\xe9'\n",
    b"import celery\r\nx = 1\r\n",
    b"import celery\rx = 1\r",
    b"import celery\n\x0c\nx = 1\n",
    b"import celery\nmatch x:\n    case 1:\n        pass\n",
    b"import celery\nx = f'{1 + 1!r:>{10}}'\n",
]


@pytest.mark.parametrize(("data", "line"), BROKEN)
def test_unparsable_files_report_the_parser_position(data: bytes, line: int) -> None:
    result = parse(data)
    assert isinstance(result, ParseError)
    assert result.line == line
    with pytest.raises((SyntaxError, ValueError)):
        ast.parse(data)


@pytest.mark.parametrize("data", FINE)
def test_files_python_accepts_never_give_ct000(data: bytes) -> None:
    try:
        ast.parse(data)
    except SyntaxError:
        pytest.skip("syntax newer than this Python")
    assert not isinstance(parse(data), ParseError)


def test_ct000_in_a_run_and_other_files_still_analysed(analyse) -> None:
    result = analyse(
        {
            "proj/broken.py": b"from celery import shared_task\ndef f(:\n",
            "proj/tasks.py": "from celery import shared_task\n\n@shared_task\ndef t():\n    work()\n",
        },
        select=["CT000", "CT201"],
    )
    assert [(f.code, f.path, f.line) for f in result.findings] == [
        ("CT000", "proj/broken.py", 2),
        ("CT201", "proj/tasks.py", 3),
    ]


def test_prefilter() -> None:
    assert may_matter(b"from celery import shared_task")
    assert may_matter(b"CELERY_BROKER_URL = 'x'")
    assert not may_matter(b"def view(request):\n    return 1\n")
    assert may_matter(b"@instrumented_job\n", (b"instrumented_job",))


@pytest.mark.parametrize(
    "data",
    [
        b"x = " + b"(" * 3000 + b"1" + b")" * 3000 + b"\n",
        b"x = " + b"+".join([b"1"] * 100_000) + b"\n",
        b"x = a" + b".b" * 50_000 + b"\n",
        b"x = " + b"not " * 20_000 + b"y\n",
    ],
    ids=["3000-parentheses", "long-sum", "long-attribute-chain", "many-nots"],
)
def test_pathological_inputs_neither_crash_nor_hang(data: bytes) -> None:
    result = parse(b"import celery\n" + data)
    if isinstance(result, ParseError):
        with pytest.raises(SyntaxError):
            ast.parse(b"import celery\n" + data)
    else:
        assert isinstance(result, Unsupported)


def test_deep_literals_are_unknown_not_a_crash(analyse) -> None:
    limit = " + ".join(["1"] * 900)  # parsed (under the screening limits), too deep to evaluate
    result = analyse(
        {
            "proj/tasks.py": f"from celery import shared_task\n\n@shared_task(time_limit={limit}, soft_time_limit=5)\ndef t():\n    work()\n"
        },
        select=["CT201", "CT202"],
    )
    assert [t.name for t in result.tasks] == ["proj.tasks.t"]
    assert result.findings == []  # the limit is set (value unknown): neither rule can say more
