"""Reading a file's bytes into a libcst module, or a CT000 finding when that is impossible."""

from __future__ import annotations

import ast
import dataclasses
import sys
import warnings
from typing import Optional, Union

import libcst as cst

# A file can only hold a task, a Celery setting or a crontab when its bytes (lower-cased) hold
# one of these. Everything else is never parsed.
PREFILTER_TOKENS: tuple[bytes, ...] = (
    b"task",
    b"celery",
    b"crontab",
    b"broker",
    b"serializer",
    b"accept_content",
)


@dataclasses.dataclass(frozen=True)
class SourceFile:
    display: str  # path relative to the working directory, forward slashes
    module: str  # dotted module name ("" when unknown)
    is_package: bool
    data: bytes


@dataclasses.dataclass(frozen=True)
class ParseError:
    line: int
    column: int
    message: str


@dataclasses.dataclass(frozen=True)
class Unsupported:
    """Python accepts the file but libcst cannot parse it: no finding, a note on stderr."""

    message: str


ParseResult = Union[cst.Module, ParseError, Unsupported]


def may_matter(data: bytes, extra_tokens: tuple[bytes, ...] = ()) -> bool:
    lowered = data.lower()
    return any(token in lowered for token in PREFILTER_TOKENS + extra_tokens)


def parse(data: bytes) -> ParseResult:
    try:
        return cst.parse_module(data)
    except RecursionError:
        return _python_verdict(data, "too deeply nested for the parser")
    except Exception as error:  # libcst raises several types for bad input: all mean "no parse"
        return _python_verdict(data, _one_line(error))


def _python_verdict(data: bytes, libcst_message: str) -> ParseResult:
    """Ask Python's own parser where the file is wrong; no CT000 for a file Python accepts."""
    limit = sys.getrecursionlimit()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(data)
    except SyntaxError as error:
        line = error.lineno or 1
        column = error.offset or 1
        return ParseError(line, max(column, 1), f"SyntaxError: {error.msg}")
    except (ValueError, UnicodeDecodeError) as error:
        return ParseError(1, 1, f"cannot decode or parse: {_one_line(error)}")
    except (RecursionError, MemoryError):
        return Unsupported(libcst_message)
    finally:
        sys.setrecursionlimit(limit)
    return Unsupported(libcst_message)


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def decode(data: bytes) -> Optional[str]:
    """The text of a module as Python would read it, or None if it cannot be decoded."""
    try:
        import io
        import tokenize

        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return None
