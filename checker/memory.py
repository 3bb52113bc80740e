"""Giving freed memory back to the operating system.

libcst's parser allocates its trees through the C allocator; once a tree is freed, glibc keeps
the pages for reuse instead of returning them, so a process that parsed a few hundred files
holds tens of megabytes it no longer uses, and a worker process forked from it starts with them
too. ``malloc_trim`` returns them (glibc only; elsewhere this does nothing).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from collections.abc import Callable


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6")
        trim: Callable[[int], int] = libc.malloc_trim  # absent from musl
    except (OSError, AttributeError):
        return None
    return trim


def release() -> None:
    """Return the C heap's free pages to the operating system, where that is possible."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
