from __future__ import annotations

import json
from pathlib import Path

import pytest

from checker.cli import main
from checker.pyversions import declared_majors, python2_only
from tests.helpers import write_tree


@pytest.mark.parametrize(
    ("files", "majors"),
    [
        ({".travis.yml": 'language: python\npython:\n  - "2.7"\nscript: make\n'}, {"2"}),
        ({".travis.yml": "language: python\npython:\n    - 2.7\n    - 3.6\n"}, {"2", "3"}),
        ({".travis.yml": 'python: "2.7"\n'}, {"2"}),
        ({"tox.ini": "[tox]\nenvlist = flake8, tests\n\n[testenv]\nbasepython = python2.7\n"}, {"2"}),
        ({"tox.ini": "[tox]\nenvlist = py27, py311\n"}, {"2", "3"}),
        ({"runtime.txt": "python-2.7.18\n"}, {"2"}),
        ({"setup.py": "classifiers=['Programming Language :: Python :: 3.11']\n"}, {"3"}),
        ({}, set()),
    ],
)
def test_declared_majors(tmp_path: Path, files: dict[str, str], majors: set[str]) -> None:
    write_tree(tmp_path, files)
    assert declared_majors(tmp_path) == majors
    assert python2_only(tmp_path) == (majors == {"2"})


PY2_TASKS = "from celery import shared_task\n\n@shared_task\ndef f():\n    print 'sent'\n"


@pytest.mark.parametrize(("travis", "reported"), [('python: "2.7"\n', []), ('python: "3.11"\n', ["CT000"])])
def test_python2_syntax_is_no_error_of_a_python2_project(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    travis: str,
    reported: list[str],
) -> None:
    write_tree(
        tmp_path, {".travis.yml": travis, "setup.py": "", "proj/__init__.py": "", "proj/tasks.py": PY2_TASKS}
    )
    monkeypatch.chdir(tmp_path)
    main(["check", ".", "--format", "json", "--select", "CT000", "--no-cache"])
    out, err = capsys.readouterr()
    assert [f["code"] for f in json.loads(out)["findings"]] == reported
    assert ("declares Python 2 only: 1 file(s)" in err) == (not reported)
