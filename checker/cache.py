"""A cache of per-file results, keyed by content, tool version, options and project index.

Entries are pickles, so each one is signed with HMAC-SHA256 under a secret key kept in the
user's cache directory (mode 0600), never in the project: a cache directory planted in a pull
request cannot make the analyser unpickle anything. A corrupt, foreign or half-written entry is
ignored and rewritten. Writes go to a temporary file renamed into place, so concurrent runs
never see a partial entry.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import pickle
import secrets
import sys
import tempfile
from pathlib import Path

from checker import __version__

DIRECTORY = ".celery-checklist-cache"
_SIGNATURE = 32  # bytes of HMAC-SHA256


def user_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME")
    if base:
        return Path(base) / "celery-checklist"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "celery-checklist"
    if os.name == "nt":
        return Path(os.environ.get("LOCALAPPDATA", Path.home())) / "celery-checklist" / "Cache"
    return Path.home() / ".cache" / "celery-checklist"


def _secret() -> bytes | None:
    """The signing key, created on first use; None when it cannot be stored (no cache then)."""
    path = user_cache_dir() / "signing-key"
    try:
        data = path.read_bytes()
        if len(data) == 32:
            return data
    except OSError:
        pass
    key = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key)
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
        return path.read_bytes() if path.stat().st_size == 32 else None
    except OSError:
        return None


@functools.cache
def _code_fingerprint() -> tuple[tuple[str, int, int], ...]:
    """The analyser's own files (name, size, mtime): results from other code are never reused,
    even when the version number did not change (a development checkout, a local patch)."""
    package = Path(__file__).resolve().parent
    found = []
    for path in sorted(package.rglob("*.py")):
        try:
            status = path.stat()
        except OSError:
            continue
        found.append((str(path.relative_to(package)), status.st_size, status.st_mtime_ns))
    return tuple(found)


def digest(*parts: object) -> str:
    hasher = hashlib.blake2b(digest_size=20)
    for part in parts:
        hasher.update(part if isinstance(part, bytes) else repr(part).encode())
        hasher.update(b"\0")
    return hasher.hexdigest()


class Cache:
    def __init__(self, directory: Path, key: bytes) -> None:
        self.directory = directory
        self.key = key
        self.namespace = digest(__version__, sys.version_info[:2], _code_fingerprint())

    @classmethod
    def open(cls, directory: Path) -> Cache | None:
        """The cache in ``directory``, or None when it cannot be used (read-only tree, ...)."""
        key = _secret()
        if key is None:
            return None
        try:
            directory.mkdir(parents=True, exist_ok=True)
            ignore = directory / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# created by celery-checklist\n*\n")
        except OSError:
            return None
        return cls(directory, key)

    def _path(self, key: str) -> Path:
        name = digest(self.namespace, key)
        return self.directory / name[:2] / name

    def get(self, key: str) -> object | None:
        try:
            blob = self._path(key).read_bytes()
        except OSError:
            return None
        signature, payload = blob[:_SIGNATURE], blob[_SIGNATURE:]
        expected = hmac.new(self.key, payload, hashlib.sha256).digest()
        if len(signature) != _SIGNATURE or not hmac.compare_digest(signature, expected):
            return None
        try:
            value: object = pickle.loads(payload)
        except Exception:  # an entry from another version of a class: treat as missing
            return None
        return value

    def put(self, key: str, value: object) -> None:
        path = self._path(key)
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            signature = hmac.new(self.key, payload, hashlib.sha256).digest()
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(signature + payload)
            os.replace(temporary, path)
        except (OSError, pickle.PicklingError, RecursionError):
            return  # a cache that cannot be written only costs speed
