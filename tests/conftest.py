from __future__ import annotations

import os
import textwrap
from collections.abc import Mapping
from typing import Union

import pytest
from hypothesis import HealthCheck, settings

from checker.api import check_sources
from checker.runner import RunResult

# A few hundred examples in the normal suite; HYPOTHESIS_PROFILE=long for occasional long runs.
settings.register_profile(
    "default", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("long", max_examples=5000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def dedent(files: Mapping[str, Union[str, bytes]]) -> dict[str, Union[str, bytes]]:
    return {k: textwrap.dedent(v).lstrip("\n") if isinstance(v, str) else v for k, v in files.items()}


@pytest.fixture
def analyse():
    """Analyse in-memory files: ``analyse({"proj/tasks.py": src}, select=["ALL"])``."""

    def run(files: Mapping[str, Union[str, bytes]], **kwargs: object) -> RunResult:
        return check_sources(dedent(files), **kwargs)  # type: ignore[arg-type]

    return run
