"""``per-file-ignores``: codes silenced in the files a glob matches (gitignore syntax, relative to
the configuration file's folder, as ``exclude`` is)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from checker.model import Finding


def apply(
    findings: Sequence[Finding], ignores: Mapping[str, Sequence[str]], root: Path | None
) -> list[Finding]:
    """The findings that no ``pattern = [codes]`` entry silences (a code or a prefix such as CT2)."""
    if not ignores:
        return list(findings)
    import pathspec  # (only when there are patterns: it takes a while to import)

    specs = [
        (pathspec.GitIgnoreSpec.from_lines([pattern]), tuple(codes)) for pattern, codes in ignores.items()
    ]
    base = os.path.abspath(root or Path.cwd())
    kept: list[Finding] = []
    for finding in findings:
        absolute = os.path.abspath(finding.path)
        relative = os.path.relpath(absolute, base).replace(os.sep, "/")
        if any(
            spec.match_file(relative) and any(finding.code.startswith(code.upper()) for code in codes)
            for spec, codes in specs
        ):
            continue
        kept.append(finding)
    return kept
