"""Several app servers: two gunicorn instances on one PostgreSQL database and one Redis.

A change written by one process is seen at once through the other: search results, the cached
facet counts of the unfiltered list and the cached statistics. Runs on the PostgreSQL pass of
the suite (DATABASE_URL pointing at PostgreSQL) when Redis answers at 127.0.0.1:6379;
skipped otherwise. The servers use a database and a Redis key prefix of their own.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = "redis://127.0.0.1:6379/11"  # a Redis database of this test's own

# Run by `manage.py shell -c` against the servers' database, as a third process: a published
# incident with a word no generated incident has, in Tijuana, of type extortion.
PUBLISH = """
from django.utils import timezone
from returnwatch.incidents.models import City, Incident, ViolenceType
i = Incident.objects.create(title="Scaleoutword case at the bridge", summary="Seen by both.",
    status="published", published_at=timezone.now(), date=timezone.now().date(),
    city=City.objects.get(code="tijuana"), victims_count=3)
i.violence_types.set(ViolenceType.objects.filter(code="extortion"))
i.save()
print(i.reference)
"""
SETUP = """
from django.core.management import call_command
call_command("migrate", verbosity=0)
call_command("generate_incidents", count=40, seed=11, verbosity=0)
"""
RETITLE = """
from returnwatch.incidents.models import Incident
i = Incident.objects.get(reference="{ref}")
i.title = "Renamedword case at the bridge"
i.save()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def redis_client() -> Any:
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    client.ping()
    return client


@pytest.fixture
def shared_env() -> Iterator[dict[str, str]]:
    db = settings.DATABASES["default"]
    if not db["ENGINE"].endswith("postgresql"):
        pytest.skip("needs PostgreSQL (DATABASE_URL): several app servers share one database")
    try:
        r = redis_client()
    except Exception as e:  # noqa: BLE001 — any failure to reach Redis means skip
        pytest.skip(f"needs Redis at {REDIS_URL}: {e}")
    import psycopg

    name = f"rw_scaleout_{uuid.uuid4().hex[:8]}"
    params: dict[str, Any] = {
        "host": db["HOST"],
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    params = {k: v for k, v in params.items() if v is not None}
    with psycopg.connect(**params) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    prefix = f"rw-scaleout-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "scaleout-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "FIELD_ENCRYPTION_KEY": "a2V5LWZvci10aGUtZGVwbG95LXRlc3Qtb25seS0wMDA=",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}",
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        # One task queue for both servers (statistics are recomputed by its worker).
        "HUEY_REDIS_URL": REDIS_URL,
        "HUEY_NAME": prefix,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("CACHE_LOCATION", None)
    try:
        yield env
    finally:
        for key in [*r.scan_iter(match=f"{prefix}:*"), *r.scan_iter(match=f"*{prefix}*")]:
            r.delete(key)
        with psycopg.connect(**params) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def start_gunicorn(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "returnwatch.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            "-",
            "--access-logformat",
            '%(t)s "%(r)s" %(s)s',
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def get(port: int, path: str) -> str:
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=60) as r:
                assert r.status == 200
                return r.read().decode()
        except (ConnectionError, urllib.error.URLError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def city_count(page: str, code: str) -> int:
    """The count beside a city in the list's facets (the cached, unfiltered ones)."""
    found = re.search(
        rf'city={code}[^"]*"[^>]*>[^<]*</a> <span class="count">([\d,]+)</span>', page
    )
    return int(found.group(1).replace(",", "")) if found else 0


def total_cases(page: str) -> int:
    found = re.search(r'<h2 id="results-heading">([\d,]+) case', page)
    assert found, "no result count on the page"
    return int(found.group(1).replace(",", ""))


def eventually(read: Any, ok: Any, seconds: float = 30) -> Any:
    """What `read()` gives once `ok` holds for it (a background recomputation has finished)."""
    deadline = time.monotonic() + seconds
    while True:
        value = read()
        if ok(value) or time.monotonic() > deadline:
            assert ok(value), value if not isinstance(value, str) else value[:500]
            return value
        time.sleep(0.5)


def statistics(port: int) -> dict[str, Any]:
    return json.loads(get(port, "/api/v1/statistics/"))


def test_a_change_through_one_server_is_seen_at_once_through_the_other(
    shared_env: dict[str, str], tmp_path: Path
) -> None:
    a_port, b_port = free_port(), free_port()
    a = start_gunicorn(shared_env, a_port, tmp_path / "a.log")
    b = start_gunicorn(shared_env, b_port, tmp_path / "b.log")
    worker = None
    try:
        # While they boot: tables, vocabularies and 40 published incidents (one process).
        manage(shared_env, "shell", "-c", SETUP)
        # The task queue's worker (manage.py run_huey), shared by both servers through Redis.
        with (tmp_path / "worker.log").open("wb") as log:
            worker = subprocess.Popen(
                [str(BIN / "python"), "manage.py", "run_huey"],
                cwd=ROOT,
                env=shared_env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        # Both servers answer and fill the shared cache (facet counts, statistics).
        before = {}
        for port in (a_port, b_port):
            page = get(port, "/incidents/")
            before[port] = (total_cases(page), city_count(page, "tijuana"), statistics(port))
            assert "Scaleoutword" not in get(port, "/incidents/?q=scaleoutword")
        assert before[a_port][:2] == before[b_port][:2]
        assert before[a_port][2]["incidents"] == before[b_port][2]["incidents"] == 40
        cases, tijuana, stats = before[b_port]
        assert cases == 40

        # Another process publishes an incident in the same database.
        ref = manage(shared_env, "shell", "-c", PUBLISH).strip().splitlines()[-1]

        for port in (b_port, a_port):
            found = get(port, "/incidents/?q=scaleoutword")
            assert ref in found and total_cases(found) == 1
            page = get(port, "/incidents/")
            assert total_cases(page) == cases + 1
            assert city_count(page, "tijuana") == tijuana + 1
            # Statistics: recomputed by the task queue's worker after a change (the last
            # figures are served meanwhile, saying from when), so they follow within moments.
            now = eventually(
                lambda port=port: statistics(port),
                lambda s: s["incidents"] == stats["incidents"] + 1,
            )
            assert now["people"] == stats["people"] + 3
            eventually(lambda port=port: get(port, "/stats/"), lambda page: f"{cases + 1}" in page)

        # An edit made afterwards is searchable at once on both as well.
        manage(shared_env, "shell", "-c", RETITLE.format(ref=ref))
        for port in (b_port, a_port):
            assert total_cases(get(port, "/incidents/?q=scaleoutword")) == 0
            renamed = get(port, "/incidents/?q=renamedword")
            assert ref in renamed and total_cases(renamed) == 1
            eventually(
                lambda port=port: statistics(port),
                lambda s: s["incidents"] == stats["incidents"] + 1,
            )
    finally:
        procs = [p for p in (a, b, worker) if p is not None]
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)
