from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Union

import pytest

from checker.api import check_sources
from checker.runner import RunResult


def dedent(files: Mapping[str, Union[str, bytes]]) -> dict[str, Union[str, bytes]]:
    return {k: textwrap.dedent(v).lstrip("\n") if isinstance(v, str) else v for k, v in files.items()}


@pytest.fixture
def analyse():
    """Analyse in-memory files: ``analyse({"proj/tasks.py": src}, select=["ALL"])``."""

    def run(files: Mapping[str, Union[str, bytes]], **kwargs: object) -> RunResult:
        return check_sources(dedent(files), **kwargs)  # type: ignore[arg-type]

    return run
