"""``--output-format full``: each finding with its source line and a caret under what it reports."""

from __future__ import annotations

from collections.abc import Callable

from checker.model import Finding
from checker.report.data import ReportData
from checker.report.text import line, summary_line

_RED, _RESET = "\033[1;31m", "\033[0m"


def snippet(finding: Finding, source_line: str | None, colour: bool = False) -> list[str]:
    """The reported line and a caret row under the span (to the line's end for a longer span)."""
    if source_line is None:
        return []
    text = source_line.rstrip("\r\n").expandtabs(1)
    start = max(finding.column - 1, 0)
    end = finding.end_column - 1 if finding.end_line == finding.line else len(text)
    width = max(1, min(end, len(text)) - start)
    number = str(finding.line)
    gutter = " " * len(number)
    carets = "^" * width
    if colour:
        carets = f"{_RED}{carets}{_RESET}"
    return [f"{gutter} |", f"{number} | {text}", f"{gutter} | {' ' * start}{carets}"]


def render(
    data: ReportData,
    source_line: Callable[[str, int], str | None],
    colour: bool = False,
    quiet: bool = False,
) -> str:
    blocks = []
    for finding in data.findings:
        blocks.append(
            "\n".join(
                [line(finding, colour), *snippet(finding, source_line(finding.path, finding.line), colour)]
            )
        )
    text = "\n\n".join(blocks)
    if not quiet:
        text = f"{text}\n\n{summary_line(data)}" if text else summary_line(data)
    return text + "\n" if text else ""
