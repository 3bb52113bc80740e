"""The analysis stage's scheduling: files analysed by several processes come back in order."""

from __future__ import annotations

from checker.analysis import _analyse_rest, _batches, run_options
from checker.config import Config
from checker.discover import SourceFile
from checker.index import ProjectIndex
from checker.rules import rule_by_code

TASK = "from celery import shared_task\n\n\n@shared_task\ndef job_{n}():\n    pass\n"


def _source(number: int, padding: int) -> SourceFile:
    data = TASK.format(n=number) + "# padding\n" * padding
    return SourceFile(f"shop/jobs_{number}.py", f"shop.jobs_{number}", False, data.encode())


def test_batches_take_the_files_in_order_by_their_share_of_bytes() -> None:
    items = [_source(n, padding) for n, padding in enumerate([400, 30, 20, 10, 5, 5, 1])]
    batches = _batches(items, 4)
    assert [s for batch in batches for s in batch] == items  # nothing lost, nothing reordered
    assert batches[0] == items[:1]  # the largest file, more than a share, is a batch alone
    assert len(batches) < len(items)  # small files share batches


def test_results_come_back_in_the_order_of_the_files_whatever_their_sizes() -> None:
    # sizes out of order, so that the largest-first batches differ from the given order
    sources = [_source(n, (n * 37) % 50) for n in range(40)]
    options = run_options(Config(), tuple(sorted(rule_by_code())))
    index = ProjectIndex(modules={s.module for s in sources})
    alone = _analyse_rest(sources, index, options, jobs=1)
    shared = _analyse_rest(sources, index, options, jobs=2)
    assert [[t.function for t in r.tasks] for r in shared] == [[f"job_{n}"] for n in range(40)]
    assert [[f.code for f in r.findings] for r in shared] == [[f.code for f in r.findings] for r in alone]


def test_import_statements_are_those_the_pattern_finds_anywhere() -> None:
    from checker.analysis import _IMPORT_STATEMENT, _import_statements

    text = (
        b"import os\n"
        b"from shop.tasks import (\n    charge,\n    refund,\n)  ; import sys\n"
        b"x = 1  # import nothing\n"
        b"    from .mail import send as mail_send\n"
        b"print('import')\nimportlib = None\n"
        b"from a import b  # import c\nimport"
    )
    expected = [m.group(1) for m in _IMPORT_STATEMENT.finditer(text)]
    assert _import_statements(text) == expected
    assert expected[:2] == [b"os", b"(\n    charge,\n    refund,\n)"]  # the pattern still reads them
    assert _import_statements(b"no imports here\n") == []
