"""The production path: gunicorn + whitenoise with production settings, on this test run's engine.

Starts a real gunicorn process against a fresh database (a SQLite file, or a new PostgreSQL
database when the suite runs on PostgreSQL), fetches pages and a static file through it, and
checks that `check --deploy` is clean and the access log holds no IP address.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def production_env(tmp_path):
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "prod-" + uuid.uuid4().hex + uuid.uuid4().hex,
        "ALLOWED_HOSTS": "127.0.0.1",
        "RETURNWATCH_VAR_DIR": str(tmp_path / "var"),
        "FIELD_ENCRYPTION_KEY": "a2V5LWZvci10aGUtZGVwbG95LXRlc3Qtb25seS0wMDA=",
        "RECEIPT_SIGNING_KEY": "cmVjZWlwdC1rZXktZm9yLXRoZS1kZXBsb3ktdGVzdDA=",
        "SECURE_SSL_REDIRECT": "1",
        "SECURE_PROXY_SSL_HEADER": "1",
        "AUDIT_SIGNING_KEY": "a2V5LWZvci10aGUtZGVwbG95LXRlc3Qtb25seS0wMDA=",
        "AUDIT_CHECKPOINT_FILE": str(tmp_path / "audit-checkpoint.json"),
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    dropdb = None
    if db["ENGINE"].endswith("postgresql"):
        import psycopg

        name = f"rw_deploy_{uuid.uuid4().hex[:8]}"
        params: dict[str, Any] = {
            "host": db["HOST"],
            "port": db["PORT"] or 5432,
            "user": db["USER"],
            "password": db["PASSWORD"] or None,
            "dbname": "postgres",
            "autocommit": True,
        }
        with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{name}"

        def dropdb() -> None:
            with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'prod.sqlite3'}"
    yield env
    if dropdb:
        dropdb()


def manage(env, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_gunicorn_serves_the_site_with_production_settings(production_env, tmp_path):
    env = production_env
    for args in (
        ("migrate", "--noinput"),
        ("collectstatic", "--noinput"),
        ("load_demo", "--count", "5"),
    ):
        result = manage(env, *args)
        assert result.returncode == 0, result.stderr
    check = manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert check.returncode == 0, check.stdout + check.stderr

    port = free_port()
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    # As docs/deploy.md runs it: the repository's gunicorn.conf.py, bind and logs given here.
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--access-logfile",
            str(access_log),
            "--error-logfile",
            str(error_log),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=2)
            except Exception as error:  # noqa: BLE001 - waiting for the port
                if getattr(error, "code", None):
                    break
                time.sleep(0.2)
            else:
                break

        def get(path: str):
            request = urllib.request.Request(base + path, headers={"X-Forwarded-Proto": "https"})
            return urllib.request.urlopen(request, timeout=10)

        home = get("/")
        assert home.status == 200 and "ReturnWatch" in home.read().decode()
        assert "max-age" in home.headers["Strict-Transport-Security"]
        assert get("/incidents/?q=fictional").status == 200
        assert get("/es/stats/").status == 200
        css = get("/static/returnwatch/site.css")
        assert css.status == 200 and b"ReturnWatch" in css.read()
        # Compressed by collectstatic, sent compressed to browsers that accept it; pages too.
        for path in ("/static/returnwatch/site.css", "/es/report/"):
            request = urllib.request.Request(
                base + path, headers={"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
            )
            answer = urllib.request.urlopen(request, timeout=10)
            assert answer.headers["Content-Encoding"] == "gzip", path
        assert get("/favicon.ico").status == 200
        with pytest.raises(urllib.error.HTTPError) as missing:
            get("/incidents/RW-1999-00001/")
        assert missing.value.code == 404 and b"Traceback" not in missing.value.read()
        # Plain http is redirected to https in production.
        with pytest.raises(urllib.error.HTTPError) as redirected:
            urllib.request.build_opener(NoRedirect).open(base + "/incidents/", timeout=10)
        assert redirected.value.code == 301
        assert redirected.value.headers["Location"].startswith("https://")
        # A request line over gunicorn's 4,094-byte limit: refused, logged without the address.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(b"GET /" + b"a" * 5000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert b" 414 " in raw.recv(200)
    finally:
        server.terminate()
        server.wait(timeout=20)
    log = access_log.read_text()
    assert '"GET /incidents/?q=fictional' in log
    assert "127.0.0.1" not in log
    refused = [line for line in error_log.read_text().splitlines() if "Invalid request" in line]
    assert refused, error_log.read_text()
    assert not [line for line in refused if "127.0.0.1" in line or "ip=" in line], refused


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
