"""Jinja templates, from the installed package or, in a source checkout, ``templates/``."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import jinja2

_PACKAGE = Path(__file__).resolve().parent.parent


def templates_dir() -> Path:
    installed = _PACKAGE / "templates"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "templates"  # a source checkout or an editable install


def markdown_escape(value: object) -> str:
    """Escape text from the analysed code for Markdown and HTML: no markup, links or mentions."""
    return _escape(" ".join(str(value).split()))


def _escape(text: str) -> str:
    for char, replacement in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = text.replace(char, replacement)
    for char in "\\`*_{}[]()#+!|~":
        text = text.replace(char, "\\" + char)
    return text.replace("@", "@\u200b")


_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)


def markdown_inline(value: object) -> str:
    """Escape a message for Markdown, keeping its `code spans` (which render nothing as markup)."""
    text = " ".join(str(value).split())
    parts: list[str] = []
    position = 0
    for match in _CODE_SPAN.finditer(text):
        parts.append(_escape(text[position : match.start()]))
        parts.append(match.group(0))
        position = match.end()
    parts.append(_escape(text[position:]))
    return "".join(parts)


def code_span(value: object) -> str:
    """Text as an inline code span, safe whatever backticks it holds."""
    text = " ".join(str(value).split()).replace("|", "\\|")  # safe in a table cell
    ticks = "`"
    while ticks in text:
        ticks += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["md"] = markdown_escape
    env.filters["code"] = code_span
    env.filters["message"] = markdown_inline
    return env
