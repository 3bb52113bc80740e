"""Which Python a project declares it runs on, read from its CI and packaging files.

Only used to tell a project written for Python 2 alone: the analyser parses with the running
Python's grammar, so its files' Python 2 syntax (``print x``, ``except A, e:``) is no error of
the project's (CT000).
"""

from __future__ import annotations

import re
from pathlib import Path

_TRAVIS_LIST = re.compile(r"(?m)^python:\s*\n((?:\s*-\s*.+\n?)+)")
_TRAVIS_ONE = re.compile(r"(?m)^python:\s*['\"]?([0-9][0-9.]*)")
_LIST_ITEM = re.compile(r"-\s*['\"]?([0-9][0-9.]*|pypy3?)")
_TOX_PYTHON = re.compile(r"\bpy(?:thon)?([23])(?:\.?\d+)?\b")
_CLASSIFIER = re.compile(r"Programming Language :: Python :: ([23])(?:\.\d+)?\b")
_RUNTIME = re.compile(r"python-([23])\.")


def declared_majors(root: Path) -> set[str]:
    """The major Python versions (``"2"``, ``"3"``) the project's ``.travis.yml``, ``tox.ini``,
    ``runtime.txt`` and ``setup.py``/``setup.cfg`` classifiers name."""
    majors: set[str] = set()
    travis = _read(root / ".travis.yml")
    listed = _TRAVIS_LIST.search(travis)
    if listed:
        for item in _LIST_ITEM.findall(listed.group(1)):
            majors.add("3" if item.startswith("pypy3") else "2" if item == "pypy" else item[0])
    else:
        majors.update(v[0] for v in _TRAVIS_ONE.findall(travis))
    tox = _read(root / "tox.ini")
    majors.update(m for line in tox.splitlines() if _tox_line(line) for m in _TOX_PYTHON.findall(line))
    majors.update(_RUNTIME.findall(_read(root / "runtime.txt")))
    for name in ("setup.py", "setup.cfg"):
        majors.update(_CLASSIFIER.findall(_read(root / name)))
    return majors


def python2_only(root: Path | None) -> bool:
    """The project names Python 2 and never Python 3 (its CI, tox, runtime or classifiers)."""
    if root is None:
        return False
    majors = declared_majors(root)
    return majors == {"2"}


def _tox_line(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("envlist", "basepython"))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
