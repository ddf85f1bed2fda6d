"""Backup while the site writes, restore into a fresh installation, same public data.

Runs the way an operator would: separate processes for the writing site, `manage.py backup`
and `manage.py restore`, on their own SQLite files (or PostgreSQL databases when the suite
runs on PostgreSQL).
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = settings.BASE_DIR


def written(progress: Path) -> int:
    """How many rows the writer reports; the file is rewritten in place, so it may be caught
    empty or half-written: then ask again."""
    for _ in range(50):
        text = progress.read_text().strip() if progress.exists() else "0"
        if text.isdecimal():
            return int(text)
        time.sleep(0.02)
    return 0


def backup_key(tmp: Path) -> tuple[str, Path]:
    """A backup key pair as `backup_keygen` makes it: (public key, private key file)."""
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    path = tmp / "backup-key.txt"
    if not path.exists():
        path.write_text(f"# test key\n{identity}\n")
    else:
        identity = pyrage.x25519.Identity.from_str(path.read_text().splitlines()[1])
    return str(identity.to_public()), path


def installation(tmp: Path, name: str) -> dict[str, str]:
    """Environment for one installation: its own database and media folder; backups are
    encrypted to a key whose private half is not in the environment."""
    env = {
        **os.environ,
        "MEDIA_ROOT": str(tmp / f"media-{name}"),
        "RETURNWATCH_VAR_DIR": str(tmp),
        "BACKUP_PUBLIC_KEY": backup_key(tmp)[0],
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if connection.vendor == "postgresql":
        base = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        env["DATABASE_URL"] = f"{base}/{name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp / name}.sqlite3"
    return env


def manage(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def worker(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "returnwatch.audit.tests.backup_worker", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result


def test_backup_while_writing_then_restore_gives_the_same_public_data(
    tmp_path: Path, pg_databases: list[str]
) -> None:
    names = pg_databases or ["src", "dst"]
    src, dst = installation(tmp_path, names[0]), installation(tmp_path, names[1])
    manage(src, "migrate", "-v0")
    worker(src, "seed", "20")

    stop, progress = tmp_path / "stop", tmp_path / "progress"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "returnwatch.audit.tests.backup_worker",
            "write",
            str(stop),
            str(progress),
            "1000",
        ],
        cwd=ROOT,
        env=src,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while written(progress) < 5:
            assert writer.poll() is None, writer.communicate()[1]
            assert time.monotonic() < deadline, "the writer never got going"
            time.sleep(0.1)
        before = written(progress)
        out = manage(src, "backup", str(tmp_path / "backup")).stdout
        assert "Backup written" in out
        time.sleep(0.3)
        during = written(progress)
    finally:
        stop.touch()
        _, err = writer.communicate(timeout=120)
    assert writer.returncode == 0, err
    assert during > before, "writes were not happening while the backup ran"

    assert [p.name for p in (tmp_path / "backup").iterdir()] == ["backup.tar.age"]
    _, key = backup_key(tmp_path)

    # A fresh installation: restore into it with the private key, and it verifies.
    if connection.vendor == "postgresql":
        manage(dst, "migrate", "-v0")  # restore also accepts a migrated, empty database
    restored = manage(dst, "restore", str(tmp_path / "backup"), "--key", str(key))
    assert "Restore complete" in restored.stdout, restored.stdout + restored.stderr
    manage(dst, "verify_integrity")
    # Restoring again over data is refused.
    again = manage(dst, "restore", str(tmp_path / "backup"), "--key", str(key), check=False)
    assert again.returncode != 0 and "not empty" in again.stderr

    src_data = json.loads(worker(src, "dump").stdout)
    dst_data = json.loads(worker(dst, "dump").stdout)
    assert src_data["source"] == dst_data["source"]
    restored_refs = [r["reference"] for r in dst_data["rows"]]
    assert len(restored_refs) >= 25  # the seed and the writes before the backup
    # The snapshot is consistent: exactly the records written before some moment, each one
    # identical in every public field to the running site's.
    last = max(restored_refs)
    expected = [r for r in src_data["rows"] if r["reference"] <= last]
    assert dst_data["rows"] == expected
    assert len(src_data["rows"]) > len(dst_data["rows"])  # writes went on after the snapshot


def test_restore_refuses_a_tampered_backup(tmp_path: Path, pg_databases: list[str]) -> None:
    names = pg_databases or ["src", "dst"]
    src, dst = installation(tmp_path, names[0]), installation(tmp_path, names[1])
    manage(src, "migrate", "-v0")
    worker(src, "seed", "2")
    manage(src, "backup", str(tmp_path / "backup"))
    archive = tmp_path / "backup" / "backup.tar.age"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, in the middle of the encrypted payload
    archive.write_bytes(bytes(data))
    result = manage(
        dst, "restore", str(tmp_path / "backup"), "--key", str(backup_key(tmp_path)[1]), check=False
    )
    assert result.returncode != 0
    assert "does not open this backup" in result.stderr
