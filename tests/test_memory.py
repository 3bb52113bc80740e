"""Returning freed memory to the operating system."""

from __future__ import annotations

import platform
import sys

import pytest

from checker import memory


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc only"
)
def test_glibc_trim_is_found() -> None:
    assert memory._malloc_trim() is not None


def test_release_trims_the_heap(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(memory, "_malloc_trim", lambda: calls.append)
    memory.release()
    assert calls == [0]


def test_release_does_nothing_without_a_trim(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    memory.release()
