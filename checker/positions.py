"""Node positions from one code generation of a module, faster than libcst's provider.

It computes exactly what ``MetadataWrapper.resolve(PositionProvider)`` does, but skips the
wrapper's extra (empty) batched visit of the whole tree, counts columns without a regular
expression for tokens that hold no newline, and records each node's syntactic position with a
small context-manager object instead of a generator. Profiling showed positions to be most of
the analysis time; this makes them several times cheaper. Positions are plain tuples.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import libcst as cst

if TYPE_CHECKING:
    from libcst.metadata import CodeRange


class _Syntactic:
    __slots__ = ("end_node", "node", "start", "start_node", "state")

    def __init__(self, state: Any, node: cst.CSTNode, start_node: Any, end_node: Any) -> None:
        self.state, self.node, self.start_node, self.end_node = state, node, start_node, end_node

    def __enter__(self) -> None:
        self.start = (self.state.line, self.state.column)

    def __exit__(self, *exc: object) -> None:
        computed = self.state.provider._computed
        start = computed[self.start_node][:2] if self.start_node is not None else self.start
        end = (
            computed[self.end_node][2:] if self.end_node is not None else (self.state.line, self.state.column)
        )
        computed[self.node] = (*start, *end)


@functools.cache
def _fast_state() -> type | None:
    """The faster codegen state (libcst's metadata module is imported here, on first use: a run
    that parses nothing never loads libcst, see ``checker/__init__.py``)."""
    try:  # internals, stable for years; the public (slower) path is the fallback
        from libcst.metadata.position_provider import PositionProvidingCodegenState
    except ImportError:  # pragma: no cover
        return None

    class _FastState(PositionProvidingCodegenState):
        def add_token(self, value: str) -> None:
            self.tokens.append(value)
            if "\n" in value or "\r" in value:
                self._update_position(value)
            else:
                self.column += len(value)

        def add_indent_tokens(self) -> None:
            for token in self.indent_tokens:
                self.add_token(token)

        def before_codegen(self, node: cst.CSTNode) -> None:
            stack: list[Any] = self._stack  # holds (line, column) tuples here
            stack.append((self.line, self.column))

        def after_codegen(self, node: cst.CSTNode) -> None:
            start: tuple[int, int] = self._stack.pop()  # type: ignore[assignment]
            computed = self.provider._computed
            if node not in computed:
                computed[node] = (start[0], start[1], self.line, self.column)

        def record_syntactic_position(  # type: ignore[override]
            self, node: cst.CSTNode, *, start_node: Any = None, end_node: Any = None
        ) -> _Syntactic:
            return _Syntactic(self, node, start_node, end_node)

    return _FastState


Position = tuple[int, int, int, int]  # start line, start column, end line, end column (libcst's)


def _codegen(self: cst.CSTNode, state: Any, **kwargs: Any) -> None:
    """libcst's ``CSTNode._codegen``, calling ``_codegen_impl`` without ``**kwargs`` when there
    are none. On Python 3.12 a call with ``**kwargs`` is not inlined by the interpreter: each
    level of nesting then costs C stack, which 3.12 caps at a fixed depth regardless of
    ``sys.setrecursionlimit`` (3.11 and 3.13 do not), so a 900-term sum in a decorator made the
    file "too complex to analyse" on 3.12 only. Same output, same order of calls."""
    state.before_codegen(self)
    if kwargs:
        self._codegen_impl(state, **kwargs)
    else:
        self._codegen_impl(state)
    state.after_codegen(self)


def positions_of(module: cst.Module) -> Mapping[cst.CSTNode, Position]:
    """Every node's position as libcst's ``PositionProvider`` defines it (lines 1-based,
    columns 0-based, end exclusive), as plain tuples."""
    from libcst.metadata import MetadataWrapper, PositionProvider

    fast_state = _fast_state()
    if fast_state is not None:
        try:
            provider = PositionProvider()
            provider._computed = {}
            state = fast_state(
                default_indent=module.default_indent,
                default_newline=module.default_newline,
                provider=provider,
            )
            original = cst.CSTNode._codegen
            cst.CSTNode._codegen = _codegen  # type: ignore[method-assign]
            try:
                module._codegen(state)
            finally:
                cst.CSTNode._codegen = original  # type: ignore[method-assign]
            computed: dict[cst.CSTNode, Position] = provider._computed  # type: ignore[assignment]
            return computed
        except (AttributeError, TypeError):  # pragma: no cover - a libcst whose internals moved
            pass
    ranges = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    return {node: _tuple(r) for node, r in ranges.items()}


def _tuple(code_range: CodeRange) -> Position:
    return (code_range.start.line, code_range.start.column, code_range.end.line, code_range.end.column)
