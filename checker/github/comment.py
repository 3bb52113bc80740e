"""The sticky pull-request comment: find ours by a hidden marker, update it, or create it."""

from __future__ import annotations

from checker.github.api import Client, GitHubError

DEFAULT_MARKER = "<!-- celery-checklist -->"
LIMIT = 65536  # GitHub's maximum comment body, in characters


def upsert(client: Client, repository: str, number: int, body: str, marker: str = DEFAULT_MARKER) -> str:
    """Create or update the one comment holding ``marker``; returns "created" or "updated"."""
    if marker not in body:
        body = f"{marker}\n{body}"
    comments = client.paginate(f"repos/{repository}/issues/{number}/comments?per_page=100")
    ours = [c for c in comments if isinstance(c, dict) and marker in str(c.get("body", ""))]
    if ours:
        try:
            client.request("PATCH", f"repos/{repository}/issues/comments/{ours[-1]['id']}", {"body": body})
            return "updated"
        except GitHubError as error:
            if error.status != 404:  # deleted between listing and updating: create it again
                raise
    client.request("POST", f"repos/{repository}/issues/{number}/comments", {"body": body})
    return "created"


def fit(body: str, trimmed: str, limit: int = LIMIT) -> str:
    """``body`` when it fits, else ``trimmed`` (a shorter rendering), cut hard as a last resort."""
    if len(body) <= limit:
        return body
    note = "\n\n_The report was shortened to fit in a comment; the job summary has it all._\n"
    if len(trimmed) + len(note) <= limit:
        return trimmed + note
    return trimmed[: limit - len(note)] + note
