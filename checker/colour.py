"""Whether to colour the output: ``--color``, then ``FORCE_COLOR`` and ``NO_COLOR``, then a terminal."""

from __future__ import annotations

from collections.abc import Mapping

CHOICES = ("auto", "always", "never")


def wanted(choice: str, is_tty: bool, environ: Mapping[str, str]) -> bool:
    """``always``/``never`` win; ``auto`` follows ``FORCE_COLOR`` (any value but empty or 0), then
    ``NO_COLOR`` (any non-empty value, see no-color.org), then whether output is a terminal."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    force = environ.get("FORCE_COLOR")
    if force is not None and force not in ("", "0", "false"):
        return True
    if environ.get("NO_COLOR"):
        return False
    return is_tty
