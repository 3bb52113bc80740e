"""A small GitHub REST client on the standard library: JSON, pagination, bounded retries.

It knows nothing about Celery. The token goes only into the ``Authorization`` header and never
into a message, an exception or a log line.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

DEFAULT_API_URL = "https://api.github.com"
_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="next"')
_MAX_WAIT = 60.0


class GitHubError(Exception):
    """A request that failed for good; ``status`` is the HTTP status (None for network errors)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Client:
    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        *,
        attempts: int = 4,
        timeout: float = 15.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._token = token
        self.api_url = api_url.rstrip("/")
        self.attempts = attempts
        self.timeout = timeout
        self.sleep = sleep

    def __repr__(self) -> str:  # never show the token
        return f"Client(api_url={self.api_url!r})"

    def _url(self, path: str) -> str:
        return path if path.startswith(("http://", "https://")) else f"{self.api_url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, body: object = None) -> tuple[Any, dict[str, str]]:
        """JSON response and headers; retries 5xx, rate limits and network errors, then raises."""
        url = self._url(path)
        data = json.dumps(body).encode() if body is not None else None
        last = "no attempt"
        for attempt in range(self.attempts):
            request = urllib.request.Request(url, data=data, method=method)
            request.add_header("Authorization", f"Bearer {self._token}")
            request.add_header("Accept", "application/vnd.github+json")
            request.add_header("X-GitHub-Api-Version", "2022-11-28")
            request.add_header("User-Agent", "celery-checklist")
            if data is not None:
                request.add_header("Content-Type", "application/json")
            wait = min(2.0**attempt, _MAX_WAIT)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    payload = response.read()
                    headers = {k.lower(): v for k, v in response.headers.items()}
                    try:
                        return (json.loads(payload) if payload.strip() else None), headers
                    except ValueError:
                        raise GitHubError(
                            f"{method} {_redact(url)}: the response is not JSON", response.status
                        ) from None
            except urllib.error.HTTPError as error:
                headers = {k.lower(): v for k, v in (error.headers or {}).items()}
                limited = error.code == 429 or (
                    error.code == 403 and headers.get("x-ratelimit-remaining") == "0"
                )
                if error.code < 500 and not limited:
                    raise GitHubError(
                        f"{method} {_redact(url)}: HTTP {error.code} {error.reason}", error.code
                    ) from None
                last = f"HTTP {error.code}"
                retry_after = headers.get("retry-after")
                if retry_after and retry_after.isdigit():
                    wait = min(float(retry_after), _MAX_WAIT)
            except (urllib.error.URLError, TimeoutError, OSError) as error:
                last = type(error).__name__
            if attempt + 1 < self.attempts:
                self.sleep(wait)
        raise GitHubError(f"{method} {_redact(url)}: gave up after {self.attempts} attempts ({last})")

    def paginate(self, path: str) -> Iterator[Any]:
        """Every item of a list endpoint, following ``Link: rel="next"`` to the last page."""
        url: str | None = self._url(path)
        pages = 0
        while url and pages < 100:
            items, headers = self.request("GET", url)
            pages += 1
            if not isinstance(items, list):
                raise GitHubError(f"GET {_redact(url)}: expected a list")
            yield from items
            match = _NEXT.search(headers.get("link", ""))
            url = match.group(1) if match else None


def _redact(url: str) -> str:
    """The URL without a query string (which could carry anything)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
