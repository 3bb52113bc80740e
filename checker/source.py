"""Reading a file's bytes into a libcst module, or a CT000 finding when that is impossible."""

from __future__ import annotations

import ast
import concurrent.futures
import dataclasses
import itertools
import os
import sys
import threading
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar, Union

import libcst as cst


@dataclasses.dataclass(frozen=True)
class ParseError:
    line: int
    column: int
    message: str


@dataclasses.dataclass(frozen=True)
class Unsupported:
    """Python accepts the file but libcst cannot parse it: no finding, a note on stderr."""

    message: str
    final: bool = False  # no point asking libcst: the tree is too deep for it (or for CPython)


if TYPE_CHECKING:
    ParseResult = Union[cst.Module, ParseError, Unsupported]


# Python's tokenizer refuses more than 200 nested brackets; well below that, libcst's native
# parser recurses deeply. Files with very deep brackets or very long lines are first checked by
# Python's own (much faster) parser, which also refuses what CPython cannot compile.
_DEEP_BRACKETS = 100
_LONG_LINE = 4000
_LARGE_FILE = 256 * 1024
# Larger files (generated code, data dumps) are checked by Python's parser only.
MAX_SIZE = 2 * 1024 * 1024
# libcst's time grows quickly with expression depth (a 100,000-term sum takes minutes): deeper
# trees than this are skipped with a note.
_MAX_TREE_DEPTH = 1000
_BRACKETS = bytes(range(256)).translate(None, b"()[]{}")
_DEPTH_STEP = {ord("("): 1, ord("["): 1, ord("{"): 1, ord(")"): -1, ord("]"): -1, ord("}"): -1}
# libcst's parser recurses on the native stack: it runs in a thread with a large one.
_STACK_SIZE = 512 * 1024 * 1024
_parser_thread: concurrent.futures.ThreadPoolExecutor | None = None


def stop_parser_thread() -> None:
    """End the parser thread (before forking worker processes: forking a threaded process is
    unsafe); the next parse starts a new one."""
    global _parser_thread
    if _parser_thread is not None:
        _parser_thread.shutdown(wait=True)
        _parser_thread = None


def _forget_parser_thread() -> None:
    """A forked child has no copy of the parser thread: it must start its own."""
    global _parser_thread
    _parser_thread = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_parser_thread)


def _suspicious(data: bytes) -> bool:
    if len(data) > _LARGE_FILE:
        return True
    if len(data) > _LONG_LINE and max(map(len, data.splitlines()), default=0) > _LONG_LINE:
        return True
    brackets = data.translate(None, _BRACKETS)
    if len(brackets) <= _DEEP_BRACKETS:
        return False
    depth = 0
    for step in itertools.accumulate(_DEPTH_STEP[b] for b in brackets):
        if step > depth:
            depth = step
            if depth > _DEEP_BRACKETS:
                return True
    return False


def _executor() -> concurrent.futures.ThreadPoolExecutor:
    global _parser_thread
    if _parser_thread is None:
        # libcst is imported lazily (``checker/__init__.py``): load it here, in the calling
        # thread, before a second thread could touch it too
        cst.Module  # noqa: B018
        previous = threading.stack_size(_STACK_SIZE)
        try:
            _parser_thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="libcst")
            _parser_thread.submit(int).result()  # start the thread while the stack size is set
        finally:
            threading.stack_size(previous)
    return _parser_thread


T = TypeVar("T")
# libcst's code generation (positions) recurses several frames per level of nesting; in the
# parser thread's large stack a high recursion limit is safe.
_RECURSION_LIMIT = 30_000


def in_parser_thread(function: Callable[..., T], *args: object) -> T:
    """Run ``function`` in the large-stack thread (with a recursion limit to match)."""
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)
    return _executor().submit(function, *args).result()


def parse(data: bytes) -> ParseResult:
    if len(data) > MAX_SIZE:  # generated code: Python's parser still says whether it is valid
        verdict = _python_verdict(data, "")
        if isinstance(verdict, ParseError):
            return verdict
        return Unsupported(f"larger than {MAX_SIZE // (1024 * 1024)} MiB, not analysed", final=True)
    if _suspicious(data):
        verdict = _python_verdict(data, "too deeply nested or too long for the analyser")
        if not isinstance(verdict, Unsupported) or verdict.final:
            return verdict
    return in_parser_thread(_parse_cst, data)


def _parse_cst(data: bytes) -> ParseResult:
    try:
        return cst.parse_module(data)
    except RecursionError:
        return _python_verdict(data, "too deeply nested for the parser")
    except Exception as error:  # libcst raises several types for bad input: all mean "no parse"
        return _python_verdict(data, f"syntax the analyser cannot read yet ({_one_line(error)})")


def _tree_depth(tree: ast.AST, limit: int) -> int:
    """The depth of an ``ast`` tree, counted iteratively, stopping once past ``limit``."""
    deepest = 0
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                break
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _python_verdict(data: bytes, libcst_message: str) -> ParseResult:
    """Ask Python's own parser where the file is wrong; no CT000 for a file Python accepts."""
    limit = sys.getrecursionlimit()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
        if _tree_depth(tree, _MAX_TREE_DEPTH) > _MAX_TREE_DEPTH:
            return Unsupported("too deeply nested for the analyser", final=True)
    except SyntaxError as error:
        line = error.lineno or 1
        column = error.offset or 1
        return ParseError(line, max(column, 1), f"SyntaxError: {error.msg}")
    except (ValueError, UnicodeDecodeError) as error:
        return ParseError(1, 1, f"cannot decode or parse: {_one_line(error)}")
    except (RecursionError, MemoryError):
        return Unsupported("too deeply nested for Python itself", final=True)
    finally:
        sys.setrecursionlimit(limit)
    return Unsupported(libcst_message)


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def decode(data: bytes) -> str | None:
    """The text of a module as Python would read it, or None if it cannot be decoded."""
    try:
        import io
        import tokenize

        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        return data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        return None
