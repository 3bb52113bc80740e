"""Where a project keeps its tests, found as pytest finds them.

- ``testpaths`` (those holding test code only) and ``python_files`` from the pytest configuration at the project root
  (``pytest.ini`` ``[pytest]``, ``pyproject.toml`` ``[tool.pytest.ini_options]`` or
  ``[tool.pytest]``, ``tox.ini`` ``[pytest]``, ``setup.cfg`` ``[tool:pytest]`` or, as pytest before 4 read it,
  ``[pytest]``; the first that
  has the section wins, as in pytest);
- directories holding a ``conftest.py`` beside test files (a project root's ``conftest.py``
  configures pytest for everything and makes no test root; neither does one in a package that
  keeps its tests in a subdirectory);
- Celery-style ``t/`` and ``testing/`` directories.
"""

from __future__ import annotations

import configparser
import dataclasses
import fnmatch
import posixpath
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

# Directory names that hold test code wherever they are (Celery keeps its suites in ``t/``).
TEST_DIRS = ("t", "testing")
# (``[pytest]`` in ``setup.cfg`` is the spelling pytest read before version 4)
_INI_FILES = (
    ("pytest.ini", "pytest"),
    ("tox.ini", "pytest"),
    ("setup.cfg", "tool:pytest"),
    ("setup.cfg", "pytest"),
)


@dataclasses.dataclass(frozen=True)
class PytestOptions:
    testpaths: tuple[str, ...] = ()  # directories (or globs), relative to the project root
    python_files: tuple[str, ...] = ()  # file name globs of test modules
    django_settings: tuple[str, ...] = ()  # pytest-django's ``DJANGO_SETTINGS_MODULE``


def _words(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.split())
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def _settings_options(addopts: Any) -> tuple[str, ...]:
    """The settings modules pytest-django's ``--ds`` option names in ``addopts``
    (``--ds=proj.testsettings``, ``--ds proj.testsettings``)."""
    words = [w for item in _words(addopts) for w in item.split()]
    found = [w[len("--ds=") :] for w in words if w.startswith("--ds=")]
    found += [after for before, after in zip(words, words[1:]) if before == "--ds"]
    return tuple(found)


def _from_ini(path: Path, section: str) -> PytestOptions | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, configparser.Error):
        return None
    if not parser.has_section(section):
        return None
    return PytestOptions(
        _words(parser.get(section, "testpaths", fallback="")),
        _words(parser.get(section, "python_files", fallback="")),
        _words(parser.get(section, "DJANGO_SETTINGS_MODULE", fallback=""))
        + _settings_options(parser.get(section, "addopts", fallback="")),
    )


def _from_pyproject(path: Path) -> PytestOptions | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    tool = data.get("tool")
    pytest = tool.get("pytest") if isinstance(tool, dict) else None
    if not isinstance(pytest, dict):
        return None
    table = pytest.get("ini_options", pytest)
    if not isinstance(table, dict):
        return None
    return PytestOptions(
        _words(table.get("testpaths")),
        _words(table.get("python_files")),
        _words(table.get("DJANGO_SETTINGS_MODULE")) + _settings_options(table.get("addopts")),
    )


def pytest_options(root: Path | None) -> PytestOptions:
    """The project's pytest ``testpaths`` and ``python_files``, from the first configuration
    file at ``root`` that has a pytest section (pytest's own order)."""
    if root is None:
        return PytestOptions()
    candidates: list[tuple[Path, str | None]] = [(root / "pytest.ini", "pytest")]
    candidates.append((root / "pyproject.toml", None))
    candidates += [(root / name, section) for name, section in _INI_FILES[1:]]
    for path, section in candidates:
        if not path.is_file():
            continue
        found = _from_pyproject(path) if section is None else _from_ini(path, section)
        if found is not None:
            return found
    return PytestOptions()


# Where a CI run sets the Django settings its tests use: ``DJANGO_SETTINGS_MODULE: app.settings_ci``
# in a workflow's ``env``, ``DJANGO_SETTINGS_MODULE=app.settings_ci`` in tox's ``setenv``.
_CI_FILES = (
    ".github/workflows/*.yml",
    ".github/workflows/*.yaml",
    ".gitlab-ci.yml",
    ".circleci/config.yml",
    "tox.ini",
    # the pytest configuration of a project one directory down (``site/setup.cfg`` beside
    # ``site/manage.py``: pytest runs from there)
    "*/pytest.ini",
    "*/setup.cfg",
    "*/tox.ini",
    "*/pyproject.toml",
)
_SETTINGS_MODULE = re.compile(rb"""DJANGO_SETTINGS_MODULE["']?\s*[:=]\s*["']?([A-Za-z_][\w.]*)""")


def test_settings_modules(root: Path | None, options: PytestOptions) -> frozenset[str]:
    """The Django settings modules the project's test runs select: pytest-django's
    ``DJANGO_SETTINGS_MODULE`` option (also in the pytest configuration of a directory one level
    down), and the one CI workflows and tox set in the environment (the suite's settings,
    whatever the module is named)."""
    found = set(options.django_settings)
    if root is not None:
        for pattern in _CI_FILES:
            for path in sorted(root.glob(pattern)):
                try:
                    data = path.read_bytes()
                except OSError:
                    continue
                found.update(m.decode() for m in _SETTINGS_MODULE.findall(data))
    return frozenset(found)


# pytest plugins whose fixtures make the tests run tasks eagerly: pytest-invenio's ``app_config``
# takes ``celery_config_ext``, which sets ``CELERY_TASK_ALWAYS_EAGER = True``.
_EAGER_PLUGINS = re.compile(rb"pytest[-_]invenio")
_DEPENDENCY_FILES = ("pyproject.toml", "setup.cfg", "setup.py", "requirements*.txt", "requirements/*.txt")


def eager_plugin(root: Path | None) -> bool:
    """The project's tests depend on a pytest plugin that runs tasks eagerly (pytest-invenio)."""
    if root is None:
        return False
    for pattern in _DEPENDENCY_FILES:
        for path in sorted(root.glob(pattern)):
            try:
                if _EAGER_PLUGINS.search(path.read_bytes()):
                    return True
            except OSError:
                continue
    return False


def catch_all(pattern: str) -> bool:
    """A ``python_files`` glob that would make every module a test module (``*.py``)."""
    return fnmatch.fnmatch("any_module_name.py", pattern)


_TEST_LIKE = re.compile(r"^(t|tests?|testing|conftest)$|^tests?_|_tests?$|_testing$")


def root_patterns(options: PytestOptions, root: Path | None) -> list[str]:
    """Gitignore-style patterns, relative to the project root, for the pytest ``testpaths``
    that hold test code only. pytest collects only ``python_files`` below a test path, so a
    test path that is the project's package (``testpaths = ["saleor"]``: a directory with an
    ``__init__.py``, or ``src``) is not a test root unless its name says it is (``t``,
    ``tests``, ``integration_tests``), nor one that holds an application package
    (``models.py``, ``apps.py``, ``admin.py``, ``celery.py``, ``celery_app.py``, ``wsgi.py`` or
    ``asgi.py`` up to
    two levels below: ``testpaths = contentcuration/`` when the source tree lies there)."""
    patterns = []
    for path in options.testpaths:
        path = path.strip().removeprefix("./").strip("/")
        if not path or path == "." or path.startswith(".."):
            continue
        name = path.rpartition("/")[2]
        if not _TEST_LIKE.search(name):
            if name == "src" or path.startswith("src/") or set("*?[") & set(path):
                continue
            if root is None or (root / path / "__init__.py").is_file() or not (root / path).is_dir():
                continue
            if _holds_application(root / path):
                continue  # ``testpaths = contentcuration/``: the source tree, its tests inside
        patterns.append(f"/{path}" if path.endswith(".py") else f"/{path}/")
    return patterns


# Names of directories that hold a test suite, whatever else they hold.
_SUITE_NAME = re.compile(
    r"^(t|tests?|testing|integration|e2e|functional|smoke|acceptance)$|^tests?_|_tests?$"
)
# Modules that make a directory an application package, not a test directory, when it keeps its
# tests beside its code (``content_sync/tasks.py`` next to ``content_sync/tasks_test.py`` and a
# ``conftest.py``): the worker imports them.
_APP_MODULES = frozenset({"tasks.py", "models.py", "apps.py", "views.py", "admin.py", "celery.py"})


# Modules only a project's source tree holds (a test suite may well have a ``tasks.py``).
_SOURCE_MODULES = ("models.py", "apps.py", "admin.py", "celery.py", "celery_app.py", "wsgi.py", "asgi.py")


def _holds_application(directory: Path) -> bool:
    """An application package lies in ``directory`` or up to two levels below it."""
    return any(
        next(directory.glob("*/" * depth + name), None) is not None
        for depth in range(3)
        for name in _SOURCE_MODULES
    )


def conftest_roots(relatives: Iterable[str], is_test_file: Any) -> list[str]:
    """Directories (relative to the project root) that hold a ``conftest.py`` and, beside it, a
    file ``is_test_file`` accepts. Never the project root itself, nor an application package
    that keeps its tests beside its code (one holding ``tasks.py``, ``models.py``, ``apps.py``,
    ``views.py``, ``admin.py``, ``celery.py`` or ``migrations/``) unless its name says it holds
    tests (``tests``, ``integration``, ``e2e``, ``smoke``, ``integration_tests``)."""
    paths = list(relatives)
    conftest = {posixpath.dirname(p) for p in paths if posixpath.basename(p) == "conftest.py"}
    conftest.discard("")
    applications = set()
    for path in paths:
        directory, name = posixpath.split(path)
        if name in _APP_MODULES and not is_test_file(path):
            applications.add(directory)
        elif name == "__init__.py" and posixpath.basename(directory) == "migrations":
            applications.add(posixpath.dirname(directory))
    roots = set()
    for path in paths:
        directory = posixpath.dirname(path)
        if directory in conftest and posixpath.basename(path) != "conftest.py" and is_test_file(path):
            if directory in applications and not _SUITE_NAME.search(posixpath.basename(directory)):
                continue
            roots.add(directory)
    return sorted(roots)
