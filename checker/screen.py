"""Stage 2, screen: which files need parsing at all, decided from their bytes."""

from __future__ import annotations

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


def may_matter(data: bytes, extra_tokens: tuple[bytes, ...] = ()) -> bool:
    lowered = data.lower()
    return any(token in lowered for token in PREFILTER_TOKENS + extra_tokens)
