"""The REST client and the sticky comment, against a local stand-in for the GitHub API."""

from __future__ import annotations

import pytest

from checker.github.api import Client, GitHubError
from checker.github.comment import DEFAULT_MARKER, fit, upsert
from tests.fake_github import FakeGitHub

TOKEN = "ghs_secretTOKEN123"


def _client(server: FakeGitHub, waits: list[float] | None = None) -> Client:
    return Client(TOKEN, server.url, sleep=(waits.append if waits is not None else lambda _: None))


def test_upsert_follows_pagination_and_updates_the_one_comment() -> None:
    with FakeGitHub() as server:
        server.comments = [{"id": i, "body": f"someone else {i}"} for i in range(1, 6)]
        assert upsert(_client(server), "o/r", 7, "first") == "created"
        assert upsert(_client(server), "o/r", 7, "second") == "updated"
        ours = [c for c in server.comments if DEFAULT_MARKER in c["body"]]
        assert len(ours) == 1 and ours[0]["body"].endswith("second")
        pages = [p for m, p, _, _ in server.requests if m == "GET"]
        assert any("page=3" in p for p in pages)  # followed Link to the last page
        assert all(h.get("Authorization") == f"Bearer {TOKEN}" for _, _, h, _ in server.requests)
        assert all(TOKEN not in path and TOKEN.encode() not in body for _, path, _, body in server.requests)


def test_separate_markers_keep_separate_comments() -> None:
    with FakeGitHub() as server:
        upsert(_client(server), "o/r", 7, "a", marker="<!-- job-a -->")
        upsert(_client(server), "o/r", 7, "b", marker="<!-- job-b -->")
        upsert(_client(server), "o/r", 7, "a2", marker="<!-- job-a -->")
        assert sorted(c["body"].split("\n")[-1] for c in server.comments) == ["a2", "b"]


def test_a_comment_deleted_between_listing_and_updating_is_created_again() -> None:
    with FakeGitHub() as server:
        server.comments = [{"id": 1, "body": f"{DEFAULT_MARKER}\nold"}]
        # the listing succeeds, then the PATCH finds nothing
        server.failures = [(200, {}, b'[{"id": 1, "body": "<!-- celery-checklist -->"}]'), (404, {}, b"")]
        server.comments = []
        assert upsert(_client(server), "o/r", 7, "new") == "created"
        assert len(server.comments) == 1


def test_server_errors_and_rate_limits_are_retried_with_bounded_waits() -> None:
    with FakeGitHub() as server:
        waits: list[float] = []
        server.failures = [
            (502, {}, b""),
            (429, {"Retry-After": "3"}, b""),
            (403, {"X-RateLimit-Remaining": "0"}, b""),
        ]
        assert _client(server, waits).request("GET", "repos/o/r/issues/1/comments")[0] == []
        assert waits == [1.0, 3.0, 4.0]
        server.failures = [(503, {"Retry-After": "9999"}, b"")] * 4
        waits.clear()
        with pytest.raises(GitHubError, match="gave up after 4 attempts") as error:
            _client(server, waits).request("GET", "repos/o/r/issues/1/comments")
        assert max(waits) <= 60 and TOKEN not in str(error.value)


@pytest.mark.parametrize("status", [401, 403, 404, 422])
def test_client_errors_are_not_retried_and_never_show_the_token(status: int) -> None:
    with FakeGitHub() as server:
        server.failures = [(status, {}, b"")]
        with pytest.raises(GitHubError) as error:
            _client(server).request("POST", "repos/o/r/issues/1/comments", {"body": "x"})
        assert error.value.status == status and TOKEN not in str(error.value)
        assert len(server.requests) == 1
        assert TOKEN not in repr(_client(server))


def test_malformed_json_and_network_failures() -> None:
    with FakeGitHub() as server:
        server.failures = [(200, {}, b"{not json")]
        with pytest.raises(GitHubError, match="not JSON"):
            _client(server).request("GET", "repos/o/r/issues/1/comments")
        url = server.url
    with pytest.raises(GitHubError, match="gave up"):
        Client(TOKEN, url, attempts=2, timeout=2, sleep=lambda _: None).request("GET", "x")


def test_fit_trims_long_bodies() -> None:
    assert fit("short", "s") == "short"
    trimmed = fit("x" * 70000, "y" * 100)
    assert trimmed.startswith("y" * 100) and "shortened" in trimmed and len(trimmed) <= 65536
    assert len(fit("x" * 70000, "y" * 70000)) <= 65536
