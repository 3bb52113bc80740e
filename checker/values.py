"""Static evaluation of expressions: literals, references to names, or "set, value unknown"."""

from __future__ import annotations

import ast
import dataclasses
import functools
import operator
from collections.abc import Callable

import libcst as cst


class _Unknown:
    """A value that is set but cannot be known without running code."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


@dataclasses.dataclass(frozen=True)
class Ref:
    """A reference to a name, such as ``Exception`` or ``requests.RequestException``."""

    dotted: str

    @property
    def last(self) -> str:
        return self.dotted.rpartition(".")[2]


Value = object  # a Python literal, a Ref, a container of those, or UNKNOWN


def dotted_name(node: cst.BaseExpression) -> str | None:
    """``a.b.c`` for a chain of names and attributes, else None."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Name):
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


def string_value(node: cst.BaseExpression) -> str | None:
    """The value of a plain (non-f) string literal, including implicit concatenation."""
    if isinstance(node, cst.SimpleString):
        try:
            value = node.evaluated_value
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left = string_value(node.left)
        right = string_value(node.right)
        if left is None or right is None:
            return None
        return left + right
    return None


@functools.cache
def _number_ops() -> dict[type[cst.BaseBinaryOp], Callable[[float, float], float]]:
    """(Built on first use: libcst is imported lazily, see ``checker/__init__.py``.)"""
    return {
        cst.Add: operator.add,
        cst.Subtract: operator.sub,
        cst.Multiply: operator.mul,
        cst.Divide: operator.truediv,
        cst.FloorDivide: operator.floordiv,
    }


# Deeper literals (a 1,000-term sum, nested tuples) are "set, value unknown".
MAX_DEPTH = 50


def evaluate(node: cst.BaseExpression | None, depth: int = 0) -> Value:
    """Evaluate ``node`` without running code.

    Returns Python literals (numbers, strings, booleans, None, and lists, tuples, sets and dicts
    of them), :class:`Ref` for names and attributes, and :data:`UNKNOWN` for anything else.
    Simple arithmetic on numbers (``60 * 5``) is evaluated because time limits are often
    written that way.
    """
    if node is None or depth > MAX_DEPTH:
        return UNKNOWN
    depth += 1
    if isinstance(node, cst.Name):
        if node.value in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.value]
        return Ref(node.value)
    if isinstance(node, cst.Attribute):
        dotted = dotted_name(node)
        return Ref(dotted) if dotted else UNKNOWN
    if isinstance(node, (cst.Integer, cst.Float)):
        try:
            return ast.literal_eval(node.value)
        except (ValueError, SyntaxError):
            return UNKNOWN
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        text = string_value(node)
        return UNKNOWN if text is None else text
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = evaluate(node.expression, depth)
        if isinstance(inner, (int, float)) and not isinstance(inner, bool):
            return -inner
        return UNKNOWN
    if isinstance(node, cst.BinaryOperation):
        op = _number_ops().get(type(node.operator))
        left, right = evaluate(node.left, depth), evaluate(node.right, depth)
        if (
            op is not None
            and isinstance(left, (int, float))
            and isinstance(right, (int, float))
            and not isinstance(left, bool)
            and not isinstance(right, bool)
        ):
            try:
                return op(left, right)
            except (ZeroDivisionError, OverflowError):
                return UNKNOWN
        return UNKNOWN
    if isinstance(node, (cst.Tuple, cst.List, cst.Set)):
        items: list[Value] = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                return UNKNOWN
            items.append(evaluate(element.value, depth))
        if isinstance(node, cst.Tuple):
            return tuple(items)
        if isinstance(node, cst.List):
            return items
        return frozenset(items) if all(_hashable(i) for i in items) else UNKNOWN
    if isinstance(node, cst.Dict):
        result: dict[object, Value] = {}
        for dict_element in node.elements:
            if not isinstance(dict_element, cst.DictElement):
                return UNKNOWN
            key = evaluate(dict_element.key, depth)
            if key is UNKNOWN or not _hashable(key):
                return UNKNOWN
            result[key] = evaluate(dict_element.value, depth)
        return result
    return UNKNOWN


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def is_number(value: Value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def iter_items(value: Value) -> list[Value]:
    """The members of a literal container, or ``[value]`` for a single item."""
    if isinstance(value, (tuple, list, frozenset, set)):
        return list(value)
    return [value]
