"""Backups that hold up: a consistent database snapshot, the stored files, a manifest of hashes.

Taken while the site runs: SQLite's online backup API copies a consistent snapshot while
others keep writing (WAL); on PostgreSQL, pg_dump reads one snapshot in a single transaction.
Stored files are named by their hash and never changed in place, so copying them after the
snapshot gives every file the snapshot refers to (and perhaps a few newer ones, which a
restore leaves out).

The encryption key (FIELD_ENCRYPTION_KEY) is never written into a backup: restricted fields
stay encrypted in it, and a restore needs the key from wherever it is kept (docs/operations.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import timezone

from . import integrity

FORMAT = "returnwatch-backup/1"
MANIFEST = "manifest.json"


class BackupError(Exception):
    pass


def sha256_path(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(integrity.CHUNK):
            h.update(chunk)
    return h.hexdigest()


def engine() -> str:
    return connection.vendor  # "sqlite" or "postgresql"


def pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = {**os.environ}
    for key, var in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[var] = str(db[key])
    return env


def head_of_sqlite(path: Path) -> dict[str, Any] | None:
    with sqlite3.connect(path) as con:
        row = con.execute("SELECT seq, hash FROM audit_entry ORDER BY seq DESC LIMIT 1").fetchone()
    return {"seq": row[0], "hash": row[1]} if row else None


# ---------------------------------------------------------------------------- backup


def backup(dest: Path) -> dict[str, Any]:
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    db = settings.DATABASES["default"]
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "created_at": timezone.now().isoformat(),
        "engine": engine(),
    }
    if engine() == "sqlite":
        target = dest / "db.sqlite3"
        connection.ensure_connection()
        out = sqlite3.connect(target)
        try:
            # One step (-1): the whole database as of one moment, writers carry on meanwhile.
            connection.connection.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
            ok = out.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            out.close()
        if ok != "ok":
            raise BackupError(f"the copy failed SQLite's integrity check: {ok}")
        manifest["audit_head"] = head_of_sqlite(target)
    elif engine() == "postgresql":
        target = dest / "db.pgdump"
        # Everything up to this head is in the dump (entries are only ever appended).
        manifest["audit_head"] = (
            integrity.Entry.objects.order_by("-seq").values("seq", "hash").first()
        )
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(target),
                db["NAME"],
            ],
            env=pg_env(db),
            check=True,
            capture_output=True,
        )
    else:
        raise BackupError(f"no backup method for {engine()}")
    manifest["database"] = {
        "file": target.name,
        "sha256": sha256_path(target),
        "size": target.stat().st_size,
    }

    files = []
    for name in sorted(integrity.stored_files(default_storage)):  # local disk or object storage
        dst = dest / "media" / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as src, open(dst, "wb") as copy:
            shutil.copyfileobj(src, copy)
        files.append({"name": name, "sha256": sha256_path(dst), "size": dst.stat().st_size})
    manifest["media"] = files
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    sums = [f"{manifest['database']['sha256']}  {target.name}"]
    sums += [f"{f['sha256']}  media/{f['name']}" for f in files]
    (dest / "SHA256SUMS").write_text("\n".join(sums) + "\n", encoding="utf-8")
    return manifest


# ---------------------------------------------------------------------------- restore


def check_backup(src: Path) -> dict[str, Any]:
    """Read the manifest and make sure every file in the backup is what it says."""
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BackupError(f"no readable {MANIFEST} in {src}: {e}") from e
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    db_file = src / manifest["database"]["file"]
    if not db_file.exists() or sha256_path(db_file) != manifest["database"]["sha256"]:
        raise BackupError(f"{db_file.name} is missing or does not match the manifest")
    for f in manifest["media"]:
        path = src / "media" / f["name"]
        if not path.exists() or sha256_path(path) != f["sha256"]:
            raise BackupError(f"media/{f['name']} is missing or does not match the manifest")
    return manifest


def database_is_empty() -> bool:
    with connection.cursor() as cur:
        tables = connection.introspection.table_names(cur)
    if not tables:
        return True
    # A freshly migrated installation with nothing in it counts as empty too.
    from returnwatch.audit.models import Entry
    from returnwatch.incidents.models import Document, Incident

    names = set(tables)
    needed = {Entry._meta.db_table, Incident._meta.db_table, Document._meta.db_table}
    return (
        False
        if not needed <= names
        else not (Entry.objects.exists() or Incident.objects.exists() or Document.objects.exists())
    )


def restore(src: Path) -> dict[str, Any]:
    manifest = check_backup(src)
    if manifest["engine"] != engine():
        raise BackupError(
            f"this backup is from {manifest['engine']}, this installation uses {engine()}"
        )
    if not database_is_empty():
        raise BackupError("the database is not empty: restore only into a new installation")
    if any(True for _ in integrity.stored_files(default_storage)):
        raise BackupError("the file storage is not empty: restore only into a new installation")

    db = settings.DATABASES["default"]
    db_file = src / manifest["database"]["file"]
    if engine() == "sqlite":
        connections.close_all()
        with sqlite3.connect(db_file) as source, sqlite3.connect(db["NAME"]) as target:
            source.backup(target)
    else:
        with connection.cursor() as cur:  # tables of a migrated empty installation go first
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        connections.close_all()
        result = subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                db["NAME"],
                str(db_file),
            ],
            env=pg_env(db),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()[:2000]}")

    # Only the files the restored records name: newer ones came after the snapshot.
    known = integrity.known_names()
    copied = skipped = 0
    for f in manifest["media"]:
        if f["name"] not in known:
            skipped += 1
            continue
        with open(src / "media" / f["name"], "rb") as fh:
            stored = default_storage.save(f["name"], File(fh))
        if stored != f["name"]:
            raise BackupError(f"{f['name']} could not be restored under its own name")
        copied += 1
    return {"manifest": manifest, "copied": copied, "skipped": skipped}
