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
