"""Fixtures of the audit tests that start separate installations."""

import os
import uuid
from typing import Any

import pytest
from django.db import connection


@pytest.fixture
def pg_databases() -> Any:
    """On PostgreSQL: two fresh databases, dropped afterwards."""
    names: list[str] = []
    if connection.vendor != "postgresql":
        yield names
        return
    import psycopg

    url = os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres"  # the maintenance database
    suffix = uuid.uuid4().hex[:8]
    names += [f"rw_bk_src_{suffix}", f"rw_bk_dst_{suffix}"]
    with psycopg.connect(url, autocommit=True) as con:
        for n in names:
            con.execute(f'CREATE DATABASE "{n}"')
    yield names
    with psycopg.connect(url, autocommit=True) as con:
        for n in names:
            con.execute(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)')


@pytest.fixture
def tasks_in_memory(settings: Any, tmp_path: Any) -> Any:
    """Tasks run where they are queued, from an in-memory queue (never the dev SQLite file),
    as the imports tests do; files go to a temporary media root."""
    from huey.contrib.djhuey import HUEY

    settings.MEDIA_ROOT = str(tmp_path / "media")
    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was
