"""The result cache: reused when nothing changed, ignored when corrupt or forged."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from checker.cache import DIRECTORY, Cache
from checker.cli import main

TASK = "from celery import shared_task\n\n@shared_task\ndef charge(x):\n    return x\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'shop'\n")
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "tasks.py").write_text(TASK)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _report(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    main(["check", ".", "--format", "json", *args])
    return json.loads(capsys.readouterr().out)


def _entries(project: Path) -> list[Path]:
    return [p for p in (project / DIRECTORY).rglob("*") if p.is_file() and p.name != ".gitignore"]


def test_second_run_reuses_results_and_sees_changes(project: Path, capsys) -> None:
    first = _report(capsys)
    assert _entries(project), "the first run wrote no cache entry"
    assert (project / DIRECTORY / ".gitignore").read_text().endswith("*\n")
    assert _report(capsys) == first
    (project / "shop" / "tasks.py").write_text(TASK.replace("@shared_task", "@shared_task(time_limit=5)"))
    changed = _report(capsys)
    assert {f["code"] for f in first["findings"]} - {f["code"] for f in changed["findings"]} == {"CT201"}


def test_no_cache_writes_nothing(project: Path, capsys) -> None:
    _report(capsys, "--no-cache")
    assert not (project / DIRECTORY).exists()


def test_corrupt_and_forged_entries_are_ignored(project: Path, capsys, tmp_path: Path) -> None:
    first = _report(capsys)
    sentinel = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):  # what a planted pickle would run when loaded
            return (Path.write_text, (sentinel, "pwned"))

    forged = b"\0" * 32 + pickle.dumps(Exploit())
    for index, entry in enumerate(_entries(project)):
        entry.write_bytes(forged if index % 2 else b"garbage")
    assert _report(capsys) == first
    assert not sentinel.exists()
    # and the entries were rewritten with valid ones
    assert all(entry.read_bytes() not in (forged, b"garbage") for entry in _entries(project))
    # the signature gate itself: a forged entry under a real key is never unpickled
    cache = Cache.open(project / DIRECTORY)
    assert isinstance(cache, Cache)
    cache.put("key", {"fine": True})
    assert cache.get("key") == {"fine": True}
    cache._path("key").write_bytes(forged)
    assert cache.get("key") is None and not sentinel.exists()


def test_cache_dir_option(project: Path, capsys, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    _report(capsys, "--cache-dir", str(elsewhere))
    assert any(p.is_file() for p in elsewhere.rglob("*"))
    assert not (project / DIRECTORY).exists()


def test_two_concurrent_runs_share_the_cache_safely(project: Path) -> None:
    import os
    import subprocess
    import sys

    for index in range(30):
        (project / "shop" / f"jobs_{index}.py").write_text(TASK.replace("charge", f"job_{index}"))
    command = [sys.executable, "-m", "checker", "check", ".", "--format", "json", "--jobs", "1"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    runs = [
        subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300)[0] for run in runs]
    assert all(run.returncode == 1 for run in runs)
    assert json.loads(outputs[0]) == json.loads(outputs[1])
    third = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
    assert json.loads(third.stdout) == json.loads(outputs[0])
    assert not [p for p in (project / DIRECTORY).rglob(".tmp-*")]  # no half-written entry left


FACTORY = (
    "from celery import shared_task\n\n"
    "def cron_task(**options):\n    def decorate(fn):\n        return shared_task(**options)(fn)\n\n"
    "    return decorate\n"
)


def test_cached_index_follows_a_changed_re_export_of_a_factory(project: Path, capsys) -> None:
    (project / "shop" / "utils").mkdir()
    (project / "shop" / "utils" / "crons.py").write_text(FACTORY)
    (project / "shop" / "utils" / "__init__.py").write_text("from .crons import cron_task as periodic\n")
    (project / "shop" / "jobs.py").write_text(
        "from shop.utils import periodic\n\n@periodic()\ndef tick():\n    pass\n"
    )
    assert "shop.jobs.tick" in {t["name"] for t in _report(capsys)["tasks"]}
    # only the re-export and its user change: the file defining the factory does not
    (project / "shop" / "utils" / "__init__.py").write_text("from .crons import cron_task as every\n")
    (project / "shop" / "jobs.py").write_text(
        "from shop.utils import every\n\n@every()\ndef tick():\n    pass\n"
    )
    assert "shop.jobs.tick" in {t["name"] for t in _report(capsys)["tasks"]}


def _analysed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the runs that analysed files (rather than reuse the last run's result)."""
    from checker import analysis

    calls: list[int] = []
    real = analysis.execute

    def execute(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(analysis, "execute", execute)
    return calls


def test_unchanged_project_reuses_the_whole_result(project: Path, capsys, monkeypatch) -> None:
    calls = _analysed(monkeypatch)
    first = _report(capsys)
    assert _report(capsys) == first
    assert _report(capsys, "--select", "CT201,CT202") != first  # another selection: analysed
    assert len(calls) == 2
    assert _report(capsys, "--no-cache") == first
    assert len(calls) == 3


def test_whole_result_is_not_reused_after_a_change(project: Path, capsys, monkeypatch) -> None:
    calls = _analysed(monkeypatch)
    first = _report(capsys)
    (project / "shop" / "other.py").write_text("X = 1\n")  # a new file
    assert _report(capsys)["summary"]["files"] == first["summary"]["files"] + 1
    tasks = project / "shop" / "tasks.py"
    tasks.write_text(TASK.replace("@shared_task", "@shared_task(time_limit=5)"))
    assert _report(capsys) != first
    assert len(calls) == 3


def test_pytest_configuration_change_is_seen(project: Path, capsys, monkeypatch) -> None:
    """Which files are tests comes from a file that is not Python (pytest's testpaths)."""
    (project / "checks").mkdir()
    (project / "checks" / "run_charge.py").write_text("from shop.tasks import charge\n\ncharge.delay(1)\n")
    before = _report(capsys, "--select", "CT301")
    assert [f["code"] for f in before["findings"]] == ["CT301"]
    (project / "pytest.ini").write_text("[pytest]\ntestpaths = checks\n")
    assert _report(capsys, "--select", "CT301")["findings"] == []


def test_fixes_analyse_again(project: Path, capsys, monkeypatch) -> None:
    """A reused result keeps no project index, which fixes need: ``--fix`` analyses."""
    calls = _analysed(monkeypatch)
    _report(capsys)
    main(["check", ".", "--diff"])
    capsys.readouterr()
    assert len(calls) == 2


def test_warm_run_reads_only_what_changed(project: Path, capsys, monkeypatch) -> None:
    """Unchanged modules are not read again for their imports, nor unchanged test files to
    screen them for the same task names: the earlier run's answers are remembered."""
    from checker import discover

    (project / "shop" / "helpers.py").write_text("import os\n\nVALUE = os.sep\n")
    (project / "shop" / "api.py").write_text("from shop.tasks import charge as bill\n")
    (project / "tests").mkdir()
    (project / "tests" / "test_other.py").write_text("def test_nothing():\n    assert True\n")
    (project / "tests" / "test_bill.py").write_text(
        "from shop.api import bill\n\n\ndef test_bill():\n    bill(1)\n"
    )
    first = _report(capsys)
    tasks = project / "shop" / "tasks.py"
    tasks.write_text(TASK + "\n# changed\n")
    loaded: list[str] = []
    real = discover.SourceFile.loaded

    def record(self: discover.SourceFile) -> discover.SourceFile:
        if not self.data and self.location:
            loaded.append(Path(self.location).name)
        return real(self)

    monkeypatch.setattr(discover.SourceFile, "loaded", record)
    second = _report(capsys)
    assert second["findings"] == first["findings"]
    assert "helpers.py" not in loaded and "test_other.py" not in loaded
    assert second == _report(capsys, "--no-cache")


def test_changed_module_that_cannot_matter_is_read_again(project: Path, capsys) -> None:
    """A module that never names Celery (a logging helper CT207 follows) is not kept in memory
    nor remembered by content: when it changes, the next run sees the change."""
    (project / "shop" / "errors.py").write_text(
        "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef report():\n    log.error('failed')\n"
    )
    (project / "shop" / "tasks.py").write_text(
        "from celery import shared_task\n\nfrom shop.errors import report\n\n\n"
        "@shared_task(time_limit=5)\ndef charge(x):\n    try:\n        return x\n"
        "    except Exception:\n        report()\n"
    )
    assert [f["code"] for f in _report(capsys, "--select", "CT207")["findings"]] == []
    (project / "shop" / "errors.py").write_text("def report():\n    pass  # the error is dropped\n")
    assert [f["code"] for f in _report(capsys, "--select", "CT207")["findings"]] == ["CT207"]


def test_project_rules_rerun_only_when_a_file_result_or_their_inputs_change(
    project: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pre-commit on a module the byte screen skips changes no file result: the project rules'
    findings of the last run are reused. A changed task module, test file or setting of the
    rules' own (logging helpers, test paths) runs them again."""
    import checker.analysis as analysis

    runs: list[int] = []
    original = analysis._project_findings

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        runs.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(analysis, "_project_findings", counted)
    (project / "shop" / "money.py").write_text("RATE = 2\n")
    first = _report(capsys)
    assert "CT301" in {f["code"] for f in first["findings"]} and len(runs) == 1
    (project / "shop" / "money.py").write_text("RATE = 3\n")  # nothing the analysis reads
    assert _report(capsys) == first and len(runs) == 1
    (project / "tests").mkdir()
    (project / "tests" / "test_charge.py").write_text("from shop.tasks import charge\n")
    assert "CT301" not in {f["code"] for f in _report(capsys)["findings"]} and len(runs) == 2
    # a changed task module is analysed after the cached ones; the next run, which finds every
    # result in the cache, still sees the same results in the same order
    (project / "shop" / "a_refunds.py").write_text(TASK.replace("charge", "refund"))
    (project / "tests" / "test_refund.py").write_text("from shop.a_refunds import refund\n")
    settled = _report(capsys)
    assert len(runs) == 3
    (project / "shop" / "a_refunds.py").write_text(TASK.replace("charge", "refund") + "# edited\n")
    assert _report(capsys)["findings"] == settled["findings"] and len(runs) == 4
    (project / "shop" / "money.py").write_text("RATE = 4\n")
    assert _report(capsys) == settled and len(runs) == 4
    (project / "tests" / "test_charge.py").write_text("def test_nothing():\n    pass\n")
    (project / "shop" / "views.py").write_text(
        "from shop.tasks import charge\n\ndef pay():\n    charge.delay(1)\n"
    )
    (project / "shop" / "ci_settings.py").write_text("CELERY_TASK_ALWAYS_EAGER = True\n")
    assert "CT301" in {f["code"] for f in _report(capsys)["findings"]} and len(runs) == 5
    # the settings pytest-django selects are test code: the tests run tasks eagerly, and the
    # task the views send counts as tested; no file result changes, only the test files' reading
    (project / "pyproject.toml").write_text(
        "[project]\nname = 'shop'\n\n[tool.pytest.ini_options]\nDJANGO_SETTINGS_MODULE = 'shop.ci_settings'\n"
    )
    assert "CT301" not in {f["code"] for f in _report(capsys)["findings"]} and len(runs) == 6


def test_an_edit_that_leaves_the_index_as_it_was_keeps_the_other_results(
    project: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A module that adds to the project index (it defines a task base class) is edited in a way
    that leaves the index as it was: the other files' results are still valid and are not
    analysed again. An edit that changes the index (the base class's options) analyses them."""
    import checker.analysis as analysis

    (project / "shop" / "base.py").write_text(
        "from celery import Task, shared_task\n\n\nclass Limited(Task):\n    soft_time_limit = 60\n\n\n"
        "@shared_task(base=Limited)\ndef ping():\n    pass\n"
    )
    (project / "shop" / "tasks.py").write_text(
        "from celery import shared_task\n\nfrom shop.base import Limited\n\n\n"
        "@shared_task(base=Limited)\ndef charge(x):\n    return x\n"
    )
    analysed: list[str] = []
    original = analysis._complete

    def counted(parsed, result, index, options):  # type: ignore[no-untyped-def]
        if parsed is not None:
            analysed.append(Path(parsed.source.display).name)
        return original(parsed, result, index, options)

    monkeypatch.setattr(analysis, "_complete", counted)
    first = _report(capsys)
    assert "CT201" not in {f["code"] for f in first["findings"]}  # the base class sets a limit
    assert sorted(analysed) == ["base.py", "tasks.py"]
    analysed.clear()
    (project / "shop" / "base.py").write_text(
        (project / "shop" / "base.py")
        .read_text()
        .replace("def ping():\n    pass", "def ping():\n    return 1")
    )
    assert _report(capsys)["findings"] == first["findings"]
    assert analysed == ["base.py"]  # tasks.py's result is reused
    analysed.clear()
    (project / "shop" / "base.py").write_text(
        (project / "shop" / "base.py").read_text().replace("soft_time_limit = 60", "max_retries = 3")
    )
    codes = [(f["code"], Path(f["path"]).name) for f in _report(capsys)["findings"]]
    assert ("CT201", "tasks.py") in codes and sorted(analysed) == ["base.py", "tasks.py"]
    assert _report(capsys, "--no-cache")["findings"] == _report(capsys)["findings"]
