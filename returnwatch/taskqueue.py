"""The task queue for background work (captures now; imports, mail, statistics later): huey.

One place decides where the queue lives, from the environment:

- default: a SQLite file in VAR_DIR (`tasks.sqlite3`), so `make run` needs no other service;
- `HUEY_REDIS_URL=redis://host:6379/0`: Redis, when several servers share the work.

Tasks are plain functions in an app's `tasks.py`, decorated with `huey.contrib.djhuey.db_task`
(djhuey finds them); enqueue them with `enqueue_on_commit` so a worker never runs a task for
a row that the request's transaction has not committed yet. `manage.py run_huey` starts a
worker (docs/deploy.md).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.core.cache import BaseCache


def huey_settings(var_dir: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    """The `HUEY` setting for huey's Django integration."""
    env = dict(os.environ) if env is None else env
    workers = int(env.get("HUEY_WORKERS", "2"))
    config: dict[str, Any] = {
        "name": env.get("HUEY_NAME", "returnwatch"),
        # Never huey's default of "immediate when DEBUG": `make run` runs DEBUG with a worker.
        "immediate": env.get("HUEY_IMMEDIATE", "").lower() in {"1", "true", "yes", "on"},
        "results": False,
        "utc": True,
        # Threads: a capture mostly waits on the network and the browser.
        "consumer": {"workers": workers, "worker_type": "thread", "periodic": True},
    }
    if env.get("HUEY_REDIS_URL"):
        config |= {"huey_class": "huey.RedisHuey", "url": env["HUEY_REDIS_URL"]}
    else:
        path = env.get("HUEY_SQLITE_PATH") or str(var_dir / "tasks.sqlite3")
        config |= {"huey_class": "huey.SqliteHuey", "filename": path}
    return config


def enqueue_on_commit(task: Callable[..., Any], *args: Any) -> None:
    """Queue `task(*args)` once the current transaction commits (at once outside one)."""
    from django.db import transaction

    transaction.on_commit(lambda: task(*args))


TTL = 7 * 24 * 3600


@cache
def progress_store() -> BaseCache:
    """Where a running job says how far it has come, readable by the web servers while the
    worker's transaction is still open (its own writes are invisible, and on SQLite it holds
    the write lock): the shared cache when there is one (Redis, or a file cache:
    CACHE_LOCATION); otherwise a file cache in VAR_DIR, which the worker and the web server on
    one machine share."""
    from django.conf import settings
    from django.core.cache import caches
    from django.core.cache.backends.filebased import FileBasedCache

    backend = settings.CACHES["default"]["BACKEND"]
    if not backend.endswith("LocMemCache"):
        return caches["default"]
    return FileBasedCache(str(settings.VAR_DIR / "import-progress"), {"TIMEOUT": TTL})


class Progress:
    """How far the jobs of one kind have come, by the job's id (imports, evidence bundles):
    `Progress("imports:progress:{pk}")`."""

    def __init__(self, key: str) -> None:
        self.key = key

    def report(self, pk: int, phase: str, done: int, total: int) -> None:
        """The job `pk` is in `phase`: `done` of `total`."""
        entry = {"phase": phase, "done": done, "total": total, "at": time.time()}
        progress_store().set(self.key.format(pk=pk), entry, TTL)

    def read(self, pk: int) -> dict[str, Any] | None:
        found = progress_store().get(self.key.format(pk=pk))
        return found if isinstance(found, dict) else None

    def clear(self, pk: int) -> None:
        progress_store().delete(self.key.format(pk=pk))


def steady(write: Callable[[], Any], tries: int = 5) -> Any:
    """A short write of a job's own row, tried again while the database is busy (a locked
    SQLite database), so a job never stays "running" for want of one UPDATE."""
    from django.db import OperationalError

    for attempt in range(tries):
        try:
            return write()
        except OperationalError:
            if attempt == tries - 1:
                raise
            time.sleep(0.2 * (attempt + 1))
    return None
