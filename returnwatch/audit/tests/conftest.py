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
