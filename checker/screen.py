"""Stage 2, screen: which files need parsing at all, decided from their bytes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from checker.config import Config

# A file can only hold a task, a Celery setting, a crontab or a logging configuration when its
# bytes (lower-cased) hold one of these. Everything else is never parsed.
PREFILTER_TOKENS: tuple[bytes, ...] = (
    b"task",
    b"celery",
    b"crontab",
    b"beat_schedule",
    b"broker",
    b"pickle",
    b"result_backend",  # a config module that only sets the backend (CT404, CT501)
    b".delay(",
    b".apply_async(",
    b"delay_on_commit(",
    # a logging configuration (CT602 reads which loggers it gives handlers)
    b"dictconfig",
    b'"loggers"',
    b"'loggers'",
)


# Files that can add to the project index (a ``Celery(...)`` app or a ``Task`` subclass) are
# parsed first, in the main process.
# So are files that may define a decorator factory or an alias of a task decorator: a line that is
# not a decorator or an import naming ``shared_task`` or ``.task``.
# (``Celery(...)``, ``NotifyCelery()``, ``CeleryApp("proj")``, ``class CeleryApp(Celery):``)
_APP = re.compile(rb"Celery\w*\s*\(|\bclass\s+\w+\s*\([^)]*Celery")
_TASK_CLASS = re.compile(rb"^\s*class\s+\w+\s*\([^)]*Task\b", re.M)
_FACTORY_LINE = re.compile(rb"^[ \t]*(?!@|from\b|import\b)[^#\n]*?(?:\bshared_task\b|\.task\b)", re.M)


def indexes(data: bytes) -> bool:
    """The file may add to the project index: each pattern is searched only where the words it
    needs occur, the line patterns only from the start of the lines that hold those words."""
    return bool(
        (b"Celery" in data and _APP.search(data))
        or (b"Task" in data and _matches_a_line(_TASK_CLASS, data, (b"class",)))
        or _matches_a_line(_FACTORY_LINE, data, (b"shared_task", b".task"))
    )


def line_starts(data: bytes, needle: bytes) -> Iterator[int]:
    """Where each line holding ``needle`` starts, in order, once each."""
    position = data.find(needle)
    while position != -1:
        yield data.rfind(b"\n", 0, position) + 1
        end = data.find(b"\n", position)
        if end == -1:
            return
        position = data.find(needle, end)


def _matches_a_line(pattern: re.Pattern[bytes], data: bytes, needles: tuple[bytes, ...]) -> bool:
    """Whether ``pattern`` (anchored at a line start, ``re.M``) matches somewhere in ``data``,
    when any match must start a line that holds one of ``needles`` (or continue, through
    whitespace only, to such a line): it is tried there only, not at every position."""
    return any(pattern.match(data, start) for needle in needles for start in line_starts(data, needle))


def extra_tokens(config: Config) -> tuple[bytes, ...]:
    """What else makes a file matter: the last part of each configured task decorator."""
    return tuple(name.rpartition(".")[2].lower().encode() for name in config.task_decorators)


def may_matter(data: bytes, extra_tokens: tuple[bytes, ...] = ()) -> bool:
    lowered = data.lower()
    return any(token in lowered for token in PREFILTER_TOKENS + extra_tokens)


_WORD_BYTES = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
# Every byte that cannot be part of a word (``\w`` in a bytes pattern) becomes a space.
_WORDS_ONLY = bytes(b if b in _WORD_BYTES else 32 for b in range(256))
_DIGITS = b"0123456789"
_DOTTED = re.compile(rb"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+")
_IDENTIFIERS = re.compile(rb"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


class NameScreen:
    """Whether a file's bytes hold one of ``names`` as a whole word (a match of
    ``[A-Za-z_]\\w*``) or a whole dotted name (a match of ``[A-Za-z_]\\w*(\\.[A-Za-z_]\\w*)+``),
    or anywhere for a registered name that is not a dotted identifier (``"billing:charge"``).

    The words of a file are its runs of word bytes (a translation and a split, both in C): the
    pattern's match in such a run is the run without its leading digits. Dotted names are looked
    for with the (much slower) regular expression only in the files whose words hold their last
    part, which a dotted match always does."""

    def __init__(self, names: Iterable[bytes], pairs: Iterable[tuple[bytes, bytes]] = ()) -> None:
        listed = set(names)
        # two words that must both be there (a method and the object that has it)
        self.pairs = {(a, b) for a, b in pairs if _IDENTIFIERS.fullmatch(a) and _IDENTIFIERS.fullmatch(b)}
        self.words = {n for n in listed if _IDENTIFIERS.fullmatch(n) and b"." not in n}
        self.dotted = {n for n in listed if _IDENTIFIERS.fullmatch(n) and b"." in n}
        self.last_parts = {n.rpartition(b".")[2] for n in self.dotted}
        self.others = [n for n in listed if not _IDENTIFIERS.fullmatch(n)]

    def matches(self, data: bytes) -> bool:
        runs = set(data.translate(_WORDS_ONLY).split())
        if not self.words.isdisjoint(runs):
            return True
        if any(a in runs and b in runs for a, b in self.pairs):
            return True
        words = self.words
        if words and any(run[0] < 58 and run.lstrip(_DIGITS) in words for run in runs):
            return True
        if not self.last_parts.isdisjoint(runs) and not self.dotted.isdisjoint(_DOTTED.findall(data)):
            return True
        return any(name in data for name in self.others)
