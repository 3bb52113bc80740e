"""Walking the tree: .gitignore, exclude, skipped folders, odd files; module names."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from checker.cli import main
from checker.files import Excluder, module_name, python_file_names, python_files

TASK = "from celery import shared_task\n\n@shared_task\ndef t():\n    work()\n"


def _names(paths: list[Path], root: Path) -> list[str]:
    return sorted(p.resolve().relative_to(root.resolve()).as_posix() for p in paths)


def test_skips_vendored_and_ignored_directories(tmp_path: Path) -> None:
    for rel in [
        "app/tasks.py",
        ".git/hooks/x.py",
        "node_modules/pkg/x.py",
        "build/lib/x.py",
        "dist/x.py",
        "env/lib/x.py",
        "generated/x.py",
        "app/secret_tasks.py",
        "pkg.egg-info/x.py",
    ]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TASK)
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    (tmp_path / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (tmp_path / ".gitignore").write_text("generated/\n")
    (tmp_path / "app" / ".gitignore").write_text("secret_*.py\n")
    found = python_files([tmp_path], Excluder([], tmp_path), lambda _: None)
    assert _names(found, tmp_path) == ["app/tasks.py"]


def test_exclude_patterns_are_relative_to_the_config(tmp_path: Path) -> None:
    for rel in ["app/tasks.py", "app/migrations/0001.py", "legacy/old.py"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(TASK)
    excluder = Excluder(["migrations/", "/legacy"], tmp_path)
    found = python_files([tmp_path], excluder, lambda _: None)
    assert _names(found, tmp_path) == ["app/tasks.py"]


def test_odd_entries_are_skipped_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dir.py").mkdir()
    (tmp_path / "dir.py" / "inner.py").write_text(TASK)
    loop = tmp_path / "loop"
    loop.mkdir()
    os.symlink(loop, loop / "again")
    os.symlink(tmp_path / "self.py", tmp_path / "self.py") if not (tmp_path / "self.py").exists() else None
    (tmp_path / "ok.py").write_text(TASK)
    status = main(["check", ".", "--select", "CT201"])
    captured = capsys.readouterr()
    assert status == 1
    assert "dir.py/inner.py:3:1: CT201" in captured.out
    assert "ok.py:3:1: CT201" in captured.out
    assert "self.py: cannot read" in captured.err
    assert "Traceback" not in captured.err


def test_a_git_symlink_checked_out_as_text_is_skipped_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # ``core.symlinks=false`` (or an archive without links) writes the link's target path as
    # the file's only content: not a syntax error, and the target is analysed on its own
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "user_tasks.py").write_text(TASK)
    (tmp_path / "e2e" / "api").mkdir(parents=True)
    (tmp_path / "e2e" / "api" / "user_tasks.py").write_text("../../app/user_tasks.py")
    (tmp_path / "e2e" / "api" / "broken.py").write_text("../../app/missing_tasks.py")
    status = main(["check", ".", "--no-cache"])
    captured = capsys.readouterr()
    assert status == 1
    assert "e2e/api/user_tasks.py: holds only the path of another file" in captured.err
    assert "e2e/api/user_tasks.py:" not in captured.out
    assert "app/user_tasks.py:3:1: CT201" in captured.out
    assert "e2e/api/broken.py:1:1: CT000" in captured.out  # no such target: a syntax error


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (PermissionError(13, "Permission denied"), "Permission denied"),  # even root, e.g. on NFS
        (FileNotFoundError(2, "No such file or directory"), "No such file or directory"),  # vanished
    ],
)
def test_unreadable_or_vanished_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys, error: OSError, reason: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secret.py").write_text(TASK)
    (tmp_path / "ok.py").write_text(TASK)
    from checker import discover

    real_read = discover.read_file

    def read_file(location: str) -> bytes:
        if location.endswith("secret.py"):
            raise error
        return real_read(location)

    monkeypatch.setattr(discover, "read_file", read_file)
    assert main(["check", ".", "--select", "CT201", "--no-cache"]) == 1
    captured = capsys.readouterr()
    assert f"secret.py: cannot read ({reason}), skipped" in captured.err
    assert "ok.py:3:1: CT201" in captured.out


def test_module_names(tmp_path: Path) -> None:
    _touch(
        tmp_path,
        "src/shop/__init__.py",
        "src/shop/orders/__init__.py",
        "src/shop/orders/tasks.py",
        "script.py",
    )
    assert module_name(tmp_path / "src/shop/orders/tasks.py") == ("shop.orders.tasks", False)
    assert module_name(tmp_path / "src/shop/orders/__init__.py") == ("shop.orders", True)
    assert module_name(tmp_path / "script.py") == ("script", False)


def test_a_checkout_whose_name_is_not_an_identifier_is_the_import_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A stray ``__init__.py`` at the top of ``my-checkout/`` does not make its modules
    ``my-checkout.shop.tasks`` (never importable, so never reported)."""
    for rel, text in {
        "my-checkout/__init__.py": "",
        "my-checkout/manage.py": "",
        "my-checkout/shop/__init__.py": "",
        "my-checkout/shop/tasks.py": "from shop.celery import app\n\n@app.task\ndef f():\n    work()\n",
    }.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert module_name(tmp_path / "my-checkout/shop/tasks.py") == ("shop.tasks", False)
    monkeypatch.chdir(tmp_path / "my-checkout")
    assert main(["check", ".", "--no-cache", "--select", "CT201"]) == 1
    assert "shop/tasks.py:3:1: CT201" in capsys.readouterr().out


def _touch(root: Path, *relatives: str) -> None:
    for rel in relatives:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")


def test_a_project_runs_from_the_directory_holding_manage_py(tmp_path: Path) -> None:
    """``mitxonline/__init__.py`` beside ``manage.py``: Django imports ``shop.tasks`` from there,
    as the tests, the beat entries and the project's own imports do."""
    _touch(tmp_path, "proj/__init__.py", "proj/manage.py", "proj/shop/__init__.py", "proj/shop/tasks.py")
    assert module_name(tmp_path / "proj/shop/tasks.py") == ("shop.tasks", False)
    assert module_name(tmp_path / "proj/shop/__init__.py") == ("shop", True)
    # without a marker, the directory is a package like any other
    _touch(tmp_path, "lib/__init__.py", "lib/shop/__init__.py", "lib/shop/tasks.py")
    assert module_name(tmp_path / "lib/shop/tasks.py") == ("lib.shop.tasks", False)
    # a package's own ``manage.py`` (lemur's) or ``setup.py`` view module (bookwyrm's) is no sign
    _touch(
        tmp_path,
        "repo/setup.py",
        "repo/lemur/__init__.py",
        "repo/lemur/manage.py",
        "repo/lemur/views/__init__.py",
        "repo/lemur/views/setup.py",
        "repo/lemur/views/inbox.py",
    )
    assert module_name(tmp_path / "repo/lemur/views/inbox.py") == ("lemur.views.inbox", False)
    # Django's ``manage.py`` beside its settings package, below a checkout's ``pyproject.toml``
    _touch(tmp_path, "js/pyproject.toml", "js/apps/__init__.py", "js/apps/site/__init__.py")
    _touch(tmp_path, "js/apps/site/settings.py", "js/apps/users/__init__.py", "js/apps/users/tasks.py")
    (tmp_path / "js/apps/manage.py").write_text(
        'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site.settings")\n'
        "from django.core.management import execute_from_command_line\n"
    )
    assert module_name(tmp_path / "js/apps/users/tasks.py") == ("users.tasks", False)


def test_a_namespace_package_below_a_distribution_root(tmp_path: Path) -> None:
    """``src/scim/mitol/scim/tasks.py`` with ``src/scim/pyproject.toml`` and no
    ``mitol/__init__.py``: the module is ``mitol.scim.tasks`` (PEP 420)."""
    _touch(
        tmp_path, "src/scim/pyproject.toml", "src/scim/mitol/scim/__init__.py", "src/scim/mitol/scim/tasks.py"
    )
    assert module_name(tmp_path / "src/scim/mitol/scim/tasks.py") == ("mitol.scim.tasks", False)
    # a directory holding modules of its own is no namespace portion
    _touch(tmp_path, "app/pyproject.toml", "app/backend/settings.py", "app/backend/shop/__init__.py")
    _touch(tmp_path, "app/backend/shop/tasks.py")
    assert module_name(tmp_path / "app/backend/shop/tasks.py") == ("shop.tasks", False)
    # nor is ``src/``
    _touch(tmp_path, "lib/pyproject.toml", "lib/src/pkg/__init__.py", "lib/src/pkg/tasks.py")
    assert module_name(tmp_path / "lib/src/pkg/tasks.py") == ("pkg.tasks", False)
    # but the distribution's own package is, modules and all (no ``__init__.py``)
    _touch(tmp_path, "svc/service/version.py", "svc/service/tasks/__init__.py", "svc/service/tasks/core.py")
    (tmp_path / "svc/setup.py").write_text("from setuptools import setup\n\nsetup(\n    name='service',\n)\n")
    assert module_name(tmp_path / "svc/service/tasks/core.py") == ("service.tasks.core", False)


def test_namespace_portions_nested_in_the_distributions_package(tmp_path: Path) -> None:
    """``zentral/contrib/inventory/tasks.py`` with no ``zentral/__init__.py`` nor
    ``zentral/contrib/__init__.py``, below a distribution named ``zentral``: the module is
    ``zentral.contrib.inventory.tasks`` (PEP 420 portions inside portions, modules allowed)."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "zentral"\n')
    _touch(
        tmp_path,
        "zentral/contrib/inventory/__init__.py",
        "zentral/contrib/inventory/tasks.py",
        "zentral/core/exceptions.py",
        "zentral/core/queues/__init__.py",
    )
    assert module_name(tmp_path / "zentral/contrib/inventory/tasks.py") == (
        "zentral.contrib.inventory.tasks",
        False,
    )
    assert module_name(tmp_path / "zentral/core/queues/__init__.py") == ("zentral.core.queues", True)
    assert module_name(tmp_path / "zentral/core/exceptions.py") == ("zentral.core.exceptions", False)


def test_a_distribution_below_a_stray_package_is_its_own_import_root(tmp_path: Path) -> None:
    """A workspace of plugins, ``src/<plugin>/pyproject.toml`` and ``src/<plugin>/<pkg>/``,
    with an empty ``src/__init__.py``: each plugin's packages are imported from its own root
    (``edx_sysadmin.git_import``, not ``src.edx_sysadmin.edx_sysadmin.git_import``)."""
    (tmp_path / "pyproject.toml").write_text('[tool.uv.workspace]\nmembers = ["src/*"]\n')
    _touch(
        tmp_path,
        "src/__init__.py",
        "src/edx_sysadmin/pyproject.toml",
        "src/edx_sysadmin/edx_sysadmin/__init__.py",
        "src/edx_sysadmin/edx_sysadmin/git_import.py",
    )
    assert module_name(tmp_path / "src/edx_sysadmin/edx_sysadmin/git_import.py") == (
        "edx_sysadmin.git_import",
        False,
    )


def test_namespace_packages_run_up_to_the_import_root(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    for rel in ["proj/jobs/tasks.py", "backend/manage.py", "backend/tasks.py", "src/ns/tasks.py"]:
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("")
    assert module_name(tmp_path / "proj/jobs/tasks.py") == ("proj.jobs.tasks", False)
    assert module_name(tmp_path / "backend/tasks.py") == ("tasks", False)
    assert module_name(tmp_path / "src/ns/tasks.py") == ("ns.tasks", False)


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _checked(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[list[str], list[str]]:
    """Paths of the listed tasks and of the findings of ``celery-checklist check ARGS``."""
    main(["check", *args, "--format", "json", "--select", "CT201", "--no-cache"])
    report = json.loads(capsys.readouterr().out)
    return sorted({t["path"] for t in report["tasks"]}), sorted({f["path"] for f in report["findings"]})


def test_hidden_and_unimportable_files_are_never_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A worker cannot import a module below a hidden directory or with a non-identifier name."""
    _tree(
        tmp_path,
        {
            "pyproject.toml": "",
            "shop/__init__.py": "",
            "shop/tasks.py": TASK,
            ".semgrep/celery/rule.py": TASK,
            "shop/my-fixture.py": TASK,
            "shop/migrations/__init__.py": "",
            "shop/migrations/0002_backfill.py": TASK,  # Django imports migrations by name
            "foo-bar/tasks.py": TASK,
            "tests/test-odd.py": "from shop.tasks import t\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    reported = ["shop/migrations/0002_backfill.py", "shop/tasks.py"]
    assert _checked(capsys, ".") == (reported, reported)
    # named explicitly, they are still never reported (pre-commit passes every staged file)
    assert _checked(capsys, ".semgrep/celery/rule.py", "shop/my-fixture.py") == ([], [])


def test_a_django_command_with_a_non_identifier_name_is_knowledge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``manage.py init-setup`` imports ``commands/init-setup.py`` by name: what it sends counts
    (here: CT501 sees the task sent), but nothing in it is reported."""
    _tree(
        tmp_path,
        {
            "pyproject.toml": "",
            "shop/__init__.py": "",
            "shop/celery.py": "from celery import Celery\n\napp = Celery('shop', backend='redis://')\n",
            "shop/tasks.py": TASK,
            "shop/management/__init__.py": "",
            "shop/management/commands/__init__.py": "",
            "shop/management/commands/init-setup.py": "from shop.tasks import t\n"
            + TASK.replace("def t", "def u")
            + "\ndef handle(shops):\n    for shop in shops:\n        t.delay()\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    main(["check", ".", "--format", "json", "--select", "CT201,CT501", "--no-cache"])
    report = json.loads(capsys.readouterr().out)
    assert sorted((f["code"], f["path"]) for f in report["findings"]) == [
        ("CT201", "shop/tasks.py"),
        ("CT501", "shop/tasks.py"),
    ]


def test_example_trees_are_judged_only_when_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _tree(
        tmp_path,
        {
            "pyproject.toml": "",
            "shop/__init__.py": "",
            "shop/tasks.py": TASK,
            "shop/docs/__init__.py": "",
            "shop/docs/tasks.py": TASK,  # a subpackage named docs is production code
            "examples/app/tasks.py": TASK,
            "example/tasks.py": TASK,
            "benchmarks/bench_tasks.py": TASK,
            "docs/conf.py": TASK,
            "doc/tasks.py": TASK,
        },
    )
    monkeypatch.chdir(tmp_path)
    production = ["shop/docs/tasks.py", "shop/tasks.py"]
    assert _checked(capsys, ".") == (production, production)
    assert _checked(capsys, "examples") == (["examples/app/tasks.py"], ["examples/app/tasks.py"])
    assert _checked(capsys, "examples/app/tasks.py")[1] == ["examples/app/tasks.py"]
    assert _checked(capsys, "docs/conf.py")[1] == ["docs/conf.py"]
    # configurable: judge the docs tree too
    (tmp_path / "pyproject.toml").write_text(
        '[tool.celery-checklist]\nexample-dirs = ["examples", "example", "benchmarks"]\n'
    )
    assert _checked(capsys, ".")[0] == ["doc/tasks.py", "docs/conf.py", *production]


def test_excluded_files_are_flagged_not_dropped(tmp_path: Path) -> None:
    _tree(tmp_path, {"app/tasks.py": TASK, "app/legacy/old.py": TASK, "app/legacy/deep/x.py": TASK})
    found = python_file_names([tmp_path], Excluder(["legacy/"], tmp_path), lambda _: None)
    flagged = {Path(f.path).relative_to(tmp_path).as_posix(): f.excluded for f in found}
    assert flagged == {"app/tasks.py": False, "app/legacy/old.py": True, "app/legacy/deep/x.py": True}
    named = python_file_names([tmp_path / "app/legacy/old.py"], Excluder(["legacy/"], tmp_path), print)
    assert [f.excluded for f in named] == [True]


def test_a_namespace_package_in_a_src_layout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``src/acme/`` without ``__init__.py`` (a PEP 420 namespace shared with other
    distributions) holding ``acme.app``: the modules are named from ``src/``."""
    _tree(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'acme-app'\n",
            "src/acme/app/__init__.py": "",
            "src/acme/app/tasks/__init__.py": "",
            "src/acme/app/tasks/jobs.py": TASK,
        },
    )
    monkeypatch.chdir(tmp_path)
    main(["check", ".", "--format", "json", "--select", "CT201", "--no-cache"])
    report = json.loads(capsys.readouterr().out)
    assert [t["name"] for t in report["tasks"]] == ["acme.app.tasks.jobs.t"]
