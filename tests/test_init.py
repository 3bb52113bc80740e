"""``checker/__init__.py``: libcst is loaded on first use, once, and then is libcst itself."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_PROBE = """
import sys
import checker
import libcst as cst

assert "libcst._nodes.base" not in sys.modules, "loaded on import"
name = cst.Name  # the first use loads it
real = sys.modules["libcst"]
assert "libcst._nodes.base" in sys.modules and real is not cst
assert name is real.Name and cst.parse_module("x = 1\\n").code == "x = 1\\n"
assert not hasattr(cst, "NoSuchName") and sys.modules["libcst"] is real  # not loaded again
from libcst.metadata import PositionProvider  # a submodule, after the load
import libcst
assert libcst is real
print("ok")
"""


def test_libcst_is_loaded_on_first_use_once() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.strip() == "ok", result.stderr
