"""How far a running import has come (phase reading/checking/writing, rows done of total):
the shared job progress of returnwatch/taskqueue.py under the imports' key."""

from __future__ import annotations

from typing import Any

from returnwatch.taskqueue import TTL, Progress
from returnwatch.taskqueue import progress_store as _store

__all__ = ["KEY", "TTL", "_store", "clear", "read", "report"]

KEY = "imports:progress:{pk}"
_progress = Progress(KEY)


def report(pk: int, phase: str, done: int, total: int) -> None:
    """The job of import `pk` is in `phase` (reading, checking, writing): `done` of `total`."""
    _progress.report(pk, phase, done, total)


def read(pk: int) -> dict[str, Any] | None:
    return _progress.read(pk)


def clear(pk: int) -> None:
    _progress.clear(pk)
