"""What a test file refers to, and what a module imports (for CT301).

Test files only serve CT301 ("is this task tested?"): no rule judges them and no position is
needed, so the full libcst pipeline would be wasted on them. They are read with Python's own
``ast`` (much faster than libcst). A file the running Python cannot parse (newer syntax such as
Python 3.14's ``except A, B:``, or Python 2 code) is read token by token instead: its imports,
dotted names and string literals are all CT301 needs, and the tokenizer does not care about the
grammar. If even the tokenizer gives up, a regular expression reads the rest of the text.
"""

from __future__ import annotations

import ast
import io
import keyword
import re
import tokenize
import warnings
from collections.abc import Iterator
from typing import NamedTuple

from checker.module_info import resolve_relative

_LONGEST_STRING = 200
# What a test names in a GraphQL document it sends (``mutation { requestPasswordReset(...) }``):
# ``graphql:requestPasswordReset``; and a URL name it resolves (``reverse("importer-load-dump")``):
# ``url:importer-load-dump``. CT301 follows them to the mutation class or view that runs a task.
GRAPHQL = "graphql:"
URL = "url:"
_GRAPHQL_DOCUMENT = re.compile(r"^\s*(?:(?:mutation|query|subscription|fragment)\b[^{]*)?\{", re.S)
_GRAPHQL_FIELD = re.compile(r"\b([A-Za-z_]\w*)\s*(?:\(|\{)")
_URL_RESOLVERS = frozenset({"reverse", "reverse_lazy", "resolve_url", "url_for"})
_URL_NAME = re.compile(r"[A-Za-z_][\w:-]*")
# The classes and modules whose methods and functions a URL name may reach (views).
VIEW_SUFFIXES = ("View", "ViewSet", "Viewset")
VIEW_MODULES = frozenset({"views", "api", "viewsets"})


def graphql_words(text: str) -> set[str]:
    """The fields (and operation names) a GraphQL document names, as ``graphql:`` references;
    nothing for a string that is not a GraphQL document."""
    if "{" not in text or not _GRAPHQL_DOCUMENT.match(text):
        return set()
    return {GRAPHQL + word for word in _GRAPHQL_FIELD.findall(text)}


# ``mock.patch.object(module, "task")``, ``mocker.patch.object(...)``, ``monkeypatch.setattr(...)``
_ATTRIBUTE_PATCHERS = frozenset({"object", "setattr"})

AST = "ast"
TOKENS = "tokens"


class Reading(NamedTuple):
    references: frozenset[str]
    how: str  # AST, or TOKENS when Python cannot parse the file
    error: str = ""  # why Python could not parse it
    attributes: frozenset[str] = frozenset()  # attribute names used (``x.post``: ``post``)
    eager: bool = False  # the file makes Celery run tasks eagerly (see :func:`makes_eager`)


# Settings that make ``delay``/``apply_async`` run the task in the caller's process, and the
# pytest-celery fixtures that start a worker in the test process.
EAGER_SETTINGS = frozenset({"task_always_eager", "CELERY_TASK_ALWAYS_EAGER", "CELERY_ALWAYS_EAGER"})
WORKER_FIXTURES = frozenset({"celery_worker", "celery_session_worker"})
_EAGER_WORDS = (b"always_eager", b"celery_worker", b"celery_session_worker")


def eager_bytes(data: bytes) -> bool:
    """The bytes name an eager setting or a worker fixture, in any case (cheaper than a
    case-insensitive pattern over every test file)."""
    lowered = data.lower()
    return any(word in lowered for word in _EAGER_WORDS)


# How many calls away from the code a test names a task may be (test -> view -> helper -> task).
REACH_DEPTH = 3
_EAGER_TEXT = re.compile(
    r"""\b(?:task_always_eager|CELERY_TASK_ALWAYS_EAGER|CELERY_ALWAYS_EAGER)['"]?\s*[:=]\s*True\b"""
    r"|\bcelery(?:_session)?_worker\b"
)


class Imports(NamedTuple):
    """What a module binds by importing: ``{local name: qualified name}`` and star imports."""

    names: dict[str, str]
    stars: list[str]


def _parse(data: bytes) -> ast.Module | str:
    """The tree, or why Python cannot parse the file."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(data)
    except SyntaxError as error:
        return f"line {error.lineno or 1}: {error.msg}"
    except (ValueError, RecursionError, MemoryError) as error:
        return type(error).__name__


def test_references(data: bytes, module: str, is_package: bool) -> Reading:
    """Imports, names and attribute chains (qualified through the imports) and string literals
    (registered task names, ``mock.patch`` targets), plus ``patch.object(module, "name")`` as
    ``module.name``. Read token by token when Python cannot parse the file."""
    tree = _parse(data)
    if isinstance(tree, str):
        text = data.decode("utf-8", errors="replace")
        return Reading(
            _token_references(data, module, is_package),
            TOKENS,
            tree,
            frozenset(re.findall(r"\.([A-Za-z_]\w*)", text)),
            bool(_EAGER_TEXT.search(text)),
        )
    imports: dict[str, str] = {}
    stars: list[str] = []
    # Only a file whose bytes name an eager setting or a worker fixture can make tasks eager.
    may_be_eager = eager_bytes(data)
    kinds = _by_kind(tree, _KINDS if may_be_eager else _REFERENCE_KINDS)
    for node in kinds[_IMPORT]:
        assert isinstance(node, (ast.Import, ast.ImportFrom))
        _ast_import(node, module, is_package, imports, stars)
    found = set(imports.values())

    def qualify(node: ast.expr) -> str | None:
        dotted = _dotted(node)
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        target = imports.get(head)
        return (f"{target}.{rest}" if rest else target) if target else dotted

    bare: set[str] = set()
    attributes: set[str] = set()
    # An attribute chain (``a.b.c``) is qualified once, from its outermost node (which breadth
    # first comes before the inner ones): the inner nodes' names are its prefixes.
    inner: set[int] = set()
    for node in kinds[ast.Attribute]:
        assert isinstance(node, ast.Attribute)
        attributes.add(node.attr)
        if id(node) in inner:
            continue
        parts = [node.attr]
        value = node.value
        while isinstance(value, ast.Attribute):
            inner.add(id(value))
            parts.append(value.attr)
            value = value.value
        if not isinstance(value, ast.Name):
            continue
        target = imports.get(value.id)
        prefix = target if target else value.id
        for part in reversed(parts):
            prefix = f"{prefix}.{part}"
            found.add(prefix)
    # A file repeats its names and strings: each is looked at once.
    for name in {node.id for node in kinds[ast.Name]}:  # type: ignore[attr-defined]
        target = imports.get(name)
        if target is None:
            bare.add(name)
        elif "." in target:
            found.add(target)
    strings = {node.value for node in kinds[ast.Constant]}  # type: ignore[attr-defined]
    for text in strings:
        if isinstance(text, str) and text:
            if len(text) < _LONGEST_STRING:
                found.add(text)
            found |= graphql_words(text)
    for node in kinds[ast.Call]:
        assert isinstance(node, ast.Call)
        called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if (
            called in _URL_RESOLVERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and _URL_NAME.fullmatch(node.args[0].value)
        ):
            found.add(URL + node.args[0].value)
        if (
            isinstance(node.func, ast.Attribute)
            and node.func.attr in _ATTRIBUTE_PATCHERS
            and len(node.args) >= 2
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            owner = qualify(node.args[0])
            if owner:
                found.add(f"{owner}.{node.args[1].value}")
    # ``from shop.tasks import *`` then ``charge.delay()``: ``charge`` may be ``shop.tasks.charge``
    found.update(f"{star}.{name}" for star in stars for name in bare)
    eager = may_be_eager and _makes_eager([node for kind in _EAGER_KINDS for node in kinds[kind]])
    return Reading(frozenset(found), AST, attributes=frozenset(attributes), eager=eager)


# The node types a test file is read for (import statements are one kind).
_IMPORT = ast.Import
_EAGER_KINDS = (ast.Assign, ast.AnnAssign, ast.keyword, ast.Dict, ast.arg, ast.Constant)
_REFERENCE_KINDS = (_IMPORT, ast.Attribute, ast.Name, ast.Constant, ast.Call)
_KINDS = (*_REFERENCE_KINDS, *(kind for kind in _EAGER_KINDS if kind not in _REFERENCE_KINDS))
# Fields that hold names, numbers or expression contexts, never a node worth visiting.
_SKIPPED_FIELDS = frozenset({"ctx", "type_comment", "id", "attr", "arg", "name", "module", "level", "kind"})
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(kind: type) -> tuple[str, ...]:
    fields = _CHILD_FIELDS.get(kind)
    if fields is None:
        skipped = _SKIPPED_FIELDS | {"value"} if kind is ast.Constant else _SKIPPED_FIELDS
        fields = _CHILD_FIELDS[kind] = tuple(f for f in getattr(kind, "_fields", ()) if f not in skipped)
    return fields


def _by_kind(tree: ast.AST, wanted: tuple[type, ...] = _KINDS) -> dict[type, list[ast.AST]]:
    """The nodes of ``tree`` of the ``wanted`` kinds, by kind, each list in the order of
    :func:`ast.walk` (breadth first); ``ast.ImportFrom`` counts as ``ast.Import``."""
    kinds: dict[type, list[ast.AST]] = {kind: [] for kind in wanted}
    queue: list[ast.AST] = [tree]
    append = queue.append
    known = _CHILD_FIELDS
    for node in queue:  # grows while it is read: breadth first
        kind = type(node)
        bucket = kinds.get(_IMPORT if kind is ast.ImportFrom else kind)
        if bucket is not None:
            bucket.append(node)
        fields = known.get(kind)
        for field in fields if fields is not None else _child_fields(kind):
            value = getattr(node, field, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        append(item)
            elif isinstance(value, ast.AST):
                append(value)
    return kinds


def makes_eager(data: bytes) -> bool:
    """The source makes Celery run tasks eagerly (see :func:`_makes_eager`); for test settings
    modules that are analysed as code (``settings/test.py``), whose class-based settings
    (``class TestSettings(Base): CELERY_TASK_ALWAYS_EAGER = True``) have no known value."""
    if not eager_bytes(data):
        return False
    tree = _parse(data)
    if isinstance(tree, str):
        return bool(_EAGER_TEXT.search(data.decode("utf-8", errors="replace")))
    return _makes_eager(list(ast.walk(tree)))


def _makes_eager(nodes: list[ast.AST]) -> bool:
    """An eager setting given a true literal (``CELERY_TASK_ALWAYS_EAGER = True``,
    ``app.conf.task_always_eager = True``, ``override_settings(CELERY_TASK_ALWAYS_EAGER=True)``,
    ``{"task_always_eager": True}``), or a pytest-celery worker fixture used (a parameter
    ``celery_worker``, ``usefixtures("celery_session_worker")``)."""

    def true(value: ast.expr | None) -> bool:
        return isinstance(value, ast.Constant) and value.value is True

    def eager_target(target: ast.expr) -> bool:
        if isinstance(target, ast.Name):
            return target.id in EAGER_SETTINGS
        if isinstance(target, ast.Attribute):
            return target.attr in EAGER_SETTINGS
        if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
            return target.slice.value in EAGER_SETTINGS
        return False

    def makes_eager(node: ast.AST) -> bool:
        if isinstance(node, ast.Assign):
            return true(node.value) and any(eager_target(t) for t in node.targets)
        if isinstance(node, ast.AnnAssign):
            return true(node.value) and eager_target(node.target)
        if isinstance(node, ast.keyword):
            return node.arg in EAGER_SETTINGS and true(node.value)
        if isinstance(node, ast.Dict):
            return any(
                isinstance(k, ast.Constant) and k.value in EAGER_SETTINGS and true(v)
                for k, v in zip(node.keys, node.values)
            )
        if isinstance(node, ast.arg):
            return node.arg in WORKER_FIXTURES
        return isinstance(node, ast.Constant) and node.value in WORKER_FIXTURES

    return any(makes_eager(node) for node in nodes)


def module_imports(data: bytes, module: str, is_package: bool) -> Imports:
    """The names a module binds at module level by importing (``from a import b as c`` binds
    ``c`` to ``a.b``; a plain ``import a.b`` binds nothing worth recording), and its star
    imports. Read token by token when Python cannot parse the file."""
    tree = _parse(data)
    imports: dict[str, str] = {}
    stars: list[str] = []
    if isinstance(tree, str):
        for _, _, bound in _token_imports(_tokens(data)[0], module, is_package):
            _record(bound, imports, stars)
    else:
        pending: list[ast.stmt] = list(tree.body)
        while pending:
            node = pending.pop()
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                _ast_import(node, module, is_package, imports, stars)
            elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                # module-level blocks: ``try: from x import y`` / ``if TYPE_CHECKING:`` ...
                pending.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt))
    return Imports({k: v for k, v in imports.items() if v != k}, stars)


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _ast_import(
    node: ast.Import | ast.ImportFrom,
    module: str,
    is_package: bool,
    imports: dict[str, str],
    stars: list[str],
) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            _record(_Bound(alias.name, alias.asname, None), imports, stars)
    else:
        base = resolve_relative(module, is_package, node.level, node.module or "")
        for alias in node.names:
            _record(_Bound(alias.name, alias.asname, base), imports, stars)


class _Bound(NamedTuple):
    """One name of an import statement: ``import name as local`` or ``from base import name``."""

    name: str
    local: str | None
    base: str | None  # None for ``import``


def _record(bound: _Bound, imports: dict[str, str], stars: list[str]) -> None:
    if bound.base is None:
        if bound.local:
            imports[bound.local] = bound.name
        else:
            head = bound.name.partition(".")[0]
            imports[head] = head
    elif bound.name == "*":
        if bound.base:
            stars.append(bound.base)
    else:
        imports[bound.local or bound.name] = f"{bound.base}.{bound.name}" if bound.base else bound.name


# Token-level reading ---------------------------------------------------------------------------


class _Token(NamedTuple):
    kind: str  # "name", "op", "string", "fstring" (literal text of an f-string), "end" (statement)
    text: str


_STATEMENT_ENDS = frozenset({tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENDMARKER})
_SKIPPED = frozenset({tokenize.NL, tokenize.COMMENT, tokenize.ENCODING})
_FSTRING_MIDDLE = getattr(tokenize, "FSTRING_MIDDLE", -1)  # Python 3.12+
_FSTRING_BRACES = re.compile(r"\{[^{}]*\}")
_STRING_PREFIX = re.compile(r"^[A-Za-z]*")


def _tokens(data: bytes) -> tuple[list[_Token], bool]:
    """The file's tokens, and whether the tokenizer read it to the end."""
    found: list[_Token] = []
    complete = True
    try:
        for token in tokenize.tokenize(io.BytesIO(data).readline):
            if token.type in _SKIPPED:
                continue
            if token.type in _STATEMENT_ENDS:
                found.append(_Token("end", ""))
            elif token.type == tokenize.NAME:
                found.append(_Token("name", token.string))
            elif token.type == tokenize.STRING:
                found.append(_Token("string", token.string))
            elif token.type == _FSTRING_MIDDLE:
                found.append(_Token("fstring", token.string))
            elif token.type == tokenize.OP and token.string == ";":
                found.append(_Token("end", ""))
            else:
                found.append(_Token("op", token.string))
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError):
        complete = False
    return found, complete


def _string_value(text: str) -> str | None:
    """The value of a string token (None for bytes; an f-string's literal text, joined)."""
    parts = _string_parts(text)
    return "".join(parts[0]) if parts is not None else None


def _string_parts(text: str) -> tuple[list[str], list[str]] | None:
    """A string token's literal pieces and, for an f-string, the expressions between them
    (``f"a{x}b"`` gives ``["a", "b"], ["x"]``); None for bytes."""
    prefix = _STRING_PREFIX.match(text)
    letters = prefix.group(0).lower() if prefix else ""
    if "b" in letters:
        return None
    body = text[len(letters) :]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    if "f" in letters:
        return _fstring_parts(body[len(quote) : len(body) - len(quote)])
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return ([body.strip(quote)], []) if quote else None
    return ([value], []) if isinstance(value, str) else None


def _fstring_parts(body: str) -> tuple[list[str], list[str]]:
    pieces: list[str] = []
    expressions: list[str] = []
    literal: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char in "{}" and body[i : i + 2] == char * 2:
            literal.append(char)
            i += 2
        elif char == "{":
            depth, start = 1, i + 1
            while i + 1 < len(body) and depth:
                i += 1
                depth += {"{": 1, "}": -1}.get(body[i], 0)
            expressions.append(body[start:i])
            pieces.append("".join(literal))
            literal = []
            i += 1
        else:
            literal.append(char)
            i += 1
    pieces.append("".join(literal))
    return pieces, expressions


def _token_imports(tokens: list[_Token], module: str, is_package: bool) -> Iterator[tuple[int, int, _Bound]]:
    """Every name bound by an ``import`` or ``from ... import`` statement, with the statement's
    first and last token indices (``range(start, end)``)."""
    i = 0
    while i < len(tokens):
        start = i
        at_start = i == 0 or tokens[i - 1].kind == "end" or tokens[i - 1] == _Token("op", ":")
        if at_start and tokens[i] == _Token("name", "from"):
            i, bound = _token_from_import(tokens, i + 1, module, is_package)
        elif at_start and tokens[i] == _Token("name", "import"):
            i, bound = _token_import(tokens, i + 1)
        else:
            i += 1
            continue
        yield from ((start, i, b) for b in bound)
        i = max(i, start + 1)


def _dotted_at(tokens: list[_Token], i: int) -> tuple[int, str]:
    """The dotted name starting at ``i`` (possibly empty) and the index after it."""
    parts: list[str] = []
    while i < len(tokens) and tokens[i].kind == "name" and not keyword.iskeyword(tokens[i].text):
        parts.append(tokens[i].text)
        if i + 2 < len(tokens) and tokens[i + 1] == _Token("op", ".") and tokens[i + 2].kind == "name":
            i += 2
        else:
            i += 1
            break
    return i, ".".join(parts)


def _alias_at(tokens: list[_Token], i: int) -> tuple[int, str | None]:
    if i + 1 < len(tokens) and tokens[i] == _Token("name", "as") and tokens[i + 1].kind == "name":
        return i + 2, tokens[i + 1].text
    return i, None


def _token_import(tokens: list[_Token], i: int) -> tuple[int, list[_Bound]]:
    bound: list[_Bound] = []
    while i < len(tokens):
        i, name = _dotted_at(tokens, i)
        if not name:
            break
        i, local = _alias_at(tokens, i)
        bound.append(_Bound(name, local, None))
        if i < len(tokens) and tokens[i] == _Token("op", ","):
            i += 1
        else:
            break
    return i, bound


def _token_from_import(
    tokens: list[_Token], i: int, module: str, is_package: bool
) -> tuple[int, list[_Bound]]:
    level = 0
    while i < len(tokens) and tokens[i].kind == "op" and set(tokens[i].text) == {"."}:
        level += len(tokens[i].text)
        i += 1
    i, target = _dotted_at(tokens, i)
    if i >= len(tokens) or tokens[i] != _Token("name", "import"):
        return i, []
    base = resolve_relative(module, is_package, level, target)
    i += 1
    bound: list[_Bound] = []
    grouped = i < len(tokens) and tokens[i] == _Token("op", "(")
    if grouped:
        i += 1
    while i < len(tokens):
        token = tokens[i]
        if token == _Token("op", "*"):
            bound.append(_Bound("*", None, base))
            i += 1
        elif token.kind == "name":
            i, local = _alias_at(tokens, i + 1)
            bound.append(_Bound(token.text, local, base))
        elif token == _Token("op", ",") or (grouped and token.kind == "end"):
            i += 1
        else:
            break
    return i, bound


def _token_references(data: bytes, module: str, is_package: bool) -> frozenset[str]:
    tokens, complete = _tokens(data)
    imports: dict[str, str] = {}
    stars: list[str] = []
    skipped: set[int] = set()  # the tokens of import statements
    for start, end, bound in _token_imports(tokens, module, is_package):
        _record(bound, imports, stars)
        skipped.update(range(start, end))
    found = set(imports.values())

    def qualify(dotted: str) -> str:
        head, _, rest = dotted.partition(".")
        target = imports.get(head)
        return (f"{target}.{rest}" if rest else target) if target else dotted

    bare: set[str] = set()

    def name(dotted: str) -> None:
        qualified = qualify(dotted)
        if "." in qualified:
            found.add(qualified)
        head = dotted.partition(".")[0]
        if head not in imports:
            bare.add(head)

    strings: list[str] = []  # adjacent string literals, joined as Python does

    def flush() -> None:
        joined = "".join(strings)
        if joined and len(joined) < _LONGEST_STRING:
            found.add(joined)
        if joined:
            found.update(graphql_words(joined))
        strings.clear()

    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind in ("string", "fstring"):
            parts = _string_parts(token.text) if token.kind == "string" else ([token.text], [])
            if parts is not None:
                pieces, expressions = parts
                strings.append(pieces[0])
                for piece in pieces[1:]:  # an f-string's literal pieces are separate strings
                    flush()
                    strings.append(piece)
                for expression in expressions:
                    for match in _DOTTED_TEXT.finditer(expression):
                        name(match.group(0))
            i += 1
            continue
        flush()
        if i in skipped:
            i += 1
            continue
        after_dot = i > 0 and tokens[i - 1] == _Token("op", ".")
        defined = i > 0 and tokens[i - 1] in (_Token("name", "def"), _Token("name", "class"))
        if token.kind == "name" and not after_dot and not defined and not keyword.iskeyword(token.text):
            end, dotted = _dotted_at(tokens, i)
            name(dotted)
            if (
                dotted.rpartition(".")[2] in _URL_RESOLVERS
                and end + 1 < len(tokens)
                and tokens[end] == _Token("op", "(")
                and tokens[end + 1].kind == "string"
            ):
                url = _string_value(tokens[end + 1].text)
                if url and _URL_NAME.fullmatch(url):
                    found.add(URL + url)
            if (
                dotted.rpartition(".")[2] in _ATTRIBUTE_PATCHERS
                and "." in dotted
                and end + 1 < len(tokens)
                and tokens[end] == _Token("op", "(")
            ):
                # ``patch.object(module, "name")``: ``module.name``
                after, owner = _dotted_at(tokens, end + 1)
                if owner and after + 1 < len(tokens) and tokens[after] == _Token("op", ","):
                    value = (
                        _string_value(tokens[after + 1].text) if tokens[after + 1].kind == "string" else None
                    )
                    if value:
                        found.add(f"{qualify(owner)}.{value}")
            i = end
            continue
        i += 1
    flush()
    found.update(f"{star}.{name}" for star in stars for name in bare)
    if not complete:
        found.update(_text_references(data, module, is_package, imports))
    return frozenset(found)


# Text-level reading (what the tokenizer could not read) -----------------------------------------

_IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+)?import[ \t]+\(?([^#\n]+)", re.M)
_STRING = re.compile(r"""(['"])((?:(?!\1)[^\\\n])*)\1""")
_DOTTED_TEXT = re.compile(r"(?<![\w.])[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")


def _text_references(data: bytes, module: str, is_package: bool, imports: dict[str, str]) -> set[str]:
    """Imports, dotted names and one-line strings, found in the text by regular expressions."""
    text = data.decode("utf-8", errors="replace")
    found: set[str] = set()
    for match in _IMPORT_LINE.finditer(text):
        source, names = match.group(1), match.group(2)
        for part in names.replace(")", "").split(","):
            words = part.split()
            if not words:
                continue
            local = words[2] if len(words) == 3 and words[1] == "as" else None
            if source is None:
                _record(_Bound(words[0], local, None), imports, [])
            else:
                level = len(source) - len(source.lstrip("."))
                base = resolve_relative(module, is_package, level, source.lstrip("."))
                if words[0] != "*":
                    _record(_Bound(words[0], local, base), imports, [])
    found.update(imports.values())
    for match in _DOTTED_TEXT.finditer(text):
        head, _, rest = match.group(0).partition(".")
        target = imports.get(head)
        found.add(f"{target}.{rest}" if target else match.group(0))
    found.update(m.group(2) for m in _STRING.finditer(text) if len(m.group(2)) < _LONGEST_STRING)
    return found
