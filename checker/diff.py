"""``--diff-base REF``: the lines added or changed since ``git merge-base REF HEAD``."""

from __future__ import annotations

import codecs
import os
import re
import subprocess
from pathlib import Path

from checker.config import ConfigError

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "core.quotepath=off", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="surrogateescape",
        check=False,
    )


def _unquote(path: str) -> str:
    """Undo git's C-style quoting of unusual file names."""
    if path.startswith('"') and path.endswith('"'):
        raw = codecs.escape_decode(path[1:-1].encode("utf-8", "surrogateescape"))[0]
        assert isinstance(raw, bytes)
        return raw.decode("utf-8", "replace")
    return path


def parse(diff: str) -> dict[str, set[int]]:
    """Added line numbers per file (paths as git prints them, relative to the repository)."""
    changed: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            target = _unquote(line[4:].rstrip("\t"))
            current = None if target == "/dev/null" else changed.setdefault(target[2:], set())
        elif current is not None and line.startswith("@@"):
            match = _HUNK.match(line)
            if match:
                start, count = int(match.group(1)), int(match.group(2) or 1)
                current.update(range(start, start + count))
    return changed


def _exists(ref: str, cwd: Path) -> bool:
    return _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd).returncode == 0


def changed_lines(ref: str, cwd: Path) -> tuple[dict[str, set[int]] | None, str | None]:
    """Changed lines keyed by path relative to ``cwd``, or None and a warning saying why.

    A ``ref`` that names no commit, even after fetching it from ``origin``, is a usage error."""
    top = _git(["rev-parse", "--show-toplevel"], cwd)
    if top.returncode != 0:
        return None, f"--diff-base {ref}: not a git repository, reporting every finding"
    base = _git(["merge-base", ref, "HEAD"], cwd)
    if base.returncode != 0:
        branch = ref[len("origin/") :] if ref.startswith("origin/") else ref
        fetched = _git(["fetch", "--quiet", "--depth=1", "origin", branch], cwd)  # a shallow CI clone
        if not _exists(ref, cwd) and fetched.returncode != 0:
            raise ConfigError(f"--diff-base: unknown revision {ref}")
        base = _git(["merge-base", ref, "HEAD"], cwd)
        if base.returncode != 0:
            base = _git(["merge-base", "FETCH_HEAD", "HEAD"], cwd)
    if base.returncode != 0:
        return None, (
            f"--diff-base {ref}: no merge base with HEAD (shallow clone? fetch with fetch-depth: 0), "
            "reporting every finding"
        )
    diff = _git(["diff", "-U0", "--no-color", "--no-ext-diff", base.stdout.strip()], cwd)
    if diff.returncode != 0:
        return None, f"--diff-base {ref}: git diff failed, reporting every finding"
    root = Path(top.stdout.strip())
    here = os.path.abspath(cwd)
    result: dict[str, set[int]] = {}
    for path, lines in parse(diff.stdout).items():
        result[os.path.relpath(root / path, here).replace(os.sep, "/")] = lines
    return result, None
