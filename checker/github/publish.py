"""Posting the report as a sticky pull-request comment from a GitHub Actions run.

Everything comes from the runner's environment: ``GITHUB_EVENT_NAME``, ``GITHUB_EVENT_PATH``,
``GITHUB_REPOSITORY``, ``GITHUB_SERVER_URL``, ``GITHUB_API_URL`` and the token in
``GITHUB_TOKEN`` (never a command-line argument, where other processes could read it).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Mapping

from checker.github.api import DEFAULT_API_URL, Client, GitHubError
from checker.github.comment import DEFAULT_MARKER, fit, upsert

PULL_REQUEST_EVENTS = frozenset({"pull_request", "pull_request_target"})


@dataclasses.dataclass(frozen=True)
class PullRequest:
    repository: str
    number: int
    head_sha: str
    server_url: str
    api_url: str


def pull_request(environ: Mapping[str, str]) -> PullRequest | None:
    """The pull request this run is for, or None (another event, or no event file)."""
    if environ.get("GITHUB_EVENT_NAME") not in PULL_REQUEST_EVENTS:
        return None
    try:
        with open(environ["GITHUB_EVENT_PATH"], encoding="utf-8") as handle:
            event = json.load(handle)
        pr = event["pull_request"]
        number = int(pr["number"])
        sha = str(pr.get("head", {}).get("sha") or environ.get("GITHUB_SHA", ""))
    except (KeyError, OSError, ValueError, TypeError, AttributeError):
        return None
    return PullRequest(
        repository=environ.get("GITHUB_REPOSITORY", ""),
        number=number,
        head_sha=sha,
        server_url=environ.get("GITHUB_SERVER_URL", "https://github.com"),
        api_url=environ.get("GITHUB_API_URL", DEFAULT_API_URL),
    )


def post(
    render: Callable[[PullRequest, bool], str],
    environ: Mapping[str, str] = os.environ,
    marker: str = DEFAULT_MARKER,
    client_factory: Callable[[str, str], Client] = Client,
) -> str:
    """Create or update the comment; returns one line saying what happened (or why not).

    ``render(pr, detailed)`` makes the body; a shorter one (``detailed=False``) is used when the
    full one does not fit. Failures (a fork's read-only token, network errors) never raise.
    """
    pr = pull_request(environ)
    if pr is None:
        return "no pull request in this run: comment skipped"
    token = environ.get("GITHUB_TOKEN", "")
    if not token or not pr.repository:
        return "no GITHUB_TOKEN or GITHUB_REPOSITORY: comment skipped"
    body = fit(render(pr, True), render(pr, False))
    try:
        action = upsert(client_factory(token, pr.api_url), pr.repository, pr.number, body, marker)
    except GitHubError as error:
        hint = ""
        if error.status in (401, 403, 404):
            hint = " (a pull request from a fork gets a read-only token)"
        return f"warning: could not post the pull-request comment: {error}{hint}"
    return f"pull-request comment {action}"
