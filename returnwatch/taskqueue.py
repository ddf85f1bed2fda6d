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
from collections.abc import Callable
from pathlib import Path
from typing import Any


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
