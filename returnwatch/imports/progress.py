"""How far a running import has come, readable by the web servers while the worker's
transaction is still open (its own writes are invisible, and on SQLite it holds the write lock).

The shared cache when there is one (Redis, or a file cache: CACHE_LOCATION); otherwise a file
cache in VAR_DIR, which the worker and the web server on one machine share.
"""

from __future__ import annotations

import time
from functools import cache
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.cache.backends.filebased import FileBasedCache

KEY = "imports:progress:{pk}"
TTL = 7 * 24 * 3600


@cache
def _store() -> BaseCache:
    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith("LocMemCache"):
        return caches["default"]
    return FileBasedCache(str(settings.VAR_DIR / "import-progress"), {"TIMEOUT": TTL})


def report(pk: int, phase: str, done: int, total: int) -> None:
    """The job of import `pk` is in `phase` (reading, checking, writing): `done` of `total`."""
    entry = {"phase": phase, "done": done, "total": total, "at": time.time()}
    _store().set(KEY.format(pk=pk), entry, TTL)


def read(pk: int) -> dict[str, Any] | None:
    found = _store().get(KEY.format(pk=pk))
    return found if isinstance(found, dict) else None


def clear(pk: int) -> None:
    _store().delete(KEY.format(pk=pk))
