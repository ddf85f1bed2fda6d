"""The task queue's one configuration place: SQLite by default, Redis when asked for."""

from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest
from huey.contrib.djhuey import HUEY
from huey.utils import load_class

from returnwatch import taskqueue


def test_default_queue_is_a_sqlite_file_in_the_var_directory(tmp_path: Path) -> None:
    config = taskqueue.huey_settings(tmp_path, env={})
    assert config["huey_class"] == "huey.SqliteHuey"
    assert config["filename"] == str(tmp_path / "tasks.sqlite3")
    assert config["immediate"] is False  # not even with DEBUG: `make run` has a worker
    assert config["consumer"]["workers"] == 2


def test_sqlite_queue_hands_a_task_to_a_worker(tmp_path: Path) -> None:
    config = taskqueue.huey_settings(tmp_path, env={})
    huey = load_class(config["huey_class"])("t", filename=config["filename"])

    @huey.task()
    def add(a: int, b: int) -> int:
        return a + b

    add(2, 3)
    assert huey.pending_count() == 1
    assert huey.execute(huey.dequeue()) == 5  # what a worker does with it


def redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_redis_queue_when_huey_redis_url_is_set(tmp_path: Path) -> None:
    config = taskqueue.huey_settings(tmp_path, env={"HUEY_REDIS_URL": "redis://127.0.0.1:6379/13"})
    assert config["huey_class"] == "huey.RedisHuey"
    huey = load_class(config["huey_class"])(f"rw-test-{uuid.uuid4().hex[:8]}", url=config["url"])

    @huey.task()
    def double(x: int) -> int:
        return 2 * x

    try:
        double(21)
        assert huey.pending_count() == 1
        assert huey.execute(huey.dequeue()) == 42
    finally:
        huey.storage.flush_all()


def test_the_capture_task_is_registered_with_the_project_queue() -> None:
    from returnwatch.evidence import tasks

    names = set(HUEY._registry._registry)
    assert any(name.endswith("capture_page") for name in names)
    assert any(name.endswith("fixity_check") for name in names)
    import datetime as dt

    # A periodic task, which the worker's scheduler runs every night at 03:17 (UTC).
    due = {t.name for t in HUEY.read_periodic(dt.datetime(2026, 1, 5, 3, 17))}
    assert due == {"fixity_check"} and tasks.fixity_check.func.__name__ == "fixity_check"
    assert not {t.name for t in HUEY.read_periodic(dt.datetime(2026, 1, 5, 12, 0))}
