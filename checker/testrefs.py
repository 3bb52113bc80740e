"""What a test file refers to, read with Python's own ``ast`` (much faster than libcst).

Test files only serve CT301 ("is this task tested?"): no rule judges them and no position is
needed, so the full libcst pipeline would be wasted on them.
"""

from __future__ import annotations

import ast
import warnings

from checker.module_info import resolve_relative

_LONGEST_STRING = 200


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def test_references(data: bytes, module: str, is_package: bool) -> frozenset[str]:
    """Imports, names and attribute chains (qualified through the imports) and string literals
    (registered task names, ``mock.patch`` targets). Empty when Python cannot parse the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset()
    imports: dict[str, str] = {}
    nodes = list(ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    imports[alias.asname] = alias.name
                else:
                    head = alias.name.partition(".")[0]
                    imports[head] = head
        elif isinstance(node, ast.ImportFrom):
            base = resolve_relative(module, is_package, node.level, node.module or "")
            for alias in node.names:
                if alias.name != "*":
                    imports[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name
    found = set(imports.values())
    for node in nodes:
        if isinstance(node, (ast.Name, ast.Attribute)):
            dotted = _dotted(node)
            if dotted:
                head, _, rest = dotted.partition(".")
                target = imports.get(head)
                qualified = (f"{target}.{rest}" if rest else target) if target else dotted
                if "." in qualified:
                    found.add(qualified)
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and len(node.value) < _LONGEST_STRING
        ):
            found.add(node.value)
    return frozenset(found)
