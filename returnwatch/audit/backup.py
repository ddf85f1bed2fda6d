"""Backups that hold up and that the server cannot read: a consistent database snapshot, the
stored files and a manifest of hashes, in one tar encrypted to a public key (age, X25519,
through pyrage).

Taken while the site runs: SQLite's online backup API copies a consistent snapshot while
others keep writing (WAL); on PostgreSQL, pg_dump reads one snapshot in a single transaction.
Stored files are named by their hash and never changed in place, so copying them after the
snapshot gives every file the snapshot refers to (and perhaps a few newer ones, which a
restore leaves out).

What a backup leaves out: sessions, sign-in lock-out rows (django-axes) and database caches
(`excluded_tables`). The server holds only BACKUP_PUBLIC_KEY (age1…): it can write a backup,
never read one. `restore` takes the private key from a file (`--key`), kept offline. No key
of the server's (FIELD_ENCRYPTION_KEY, AUDIT_SIGNING_KEY, SECRET_KEY) is ever in a backup.
What each thief can read is in docs/operations.md, and test_backup_secrets.py checks it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pyrage
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, connections
from django.utils import timezone

from . import integrity

FORMAT = "returnwatch-backup/2"
MANIFEST = "manifest.json"
ARCHIVE = "backup.tar.age"


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


def pg_env(db: Mapping[str, Any]) -> dict[str, str]:
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


def excluded_tables() -> list[str]:
    """Tables whose rows a backup leaves out: live sessions, lock-out rows, database caches."""
    from django.apps import apps
    from django.contrib.sessions.models import Session

    tables = [Session._meta.db_table]
    if apps.is_installed("axes"):
        tables += [m._meta.db_table for m in apps.get_app_config("axes").get_models()]
    for cache in settings.CACHES.values():
        if cache["BACKEND"].endswith("DatabaseCache"):
            tables.append(cache["LOCATION"])
    return tables


def recipient_of(public_key: str) -> Any:
    if not public_key:
        raise BackupError(
            "No backup key: set BACKUP_PUBLIC_KEY (age1…; `manage.py backup_keygen` makes a "
            "pair) or pass --to. Backups are never written unencrypted."
        )
    try:
        return pyrage.x25519.Recipient.from_str(public_key.strip())
    except pyrage.RecipientError as e:
        raise BackupError(f"the backup key is not an age public key (age1…): {e}") from e


def backup(dest: Path, public_key: str = "") -> dict[str, Any]:
    """Write DEST/backup.tar.age, encrypted to BACKUP_PUBLIC_KEY (or `public_key`)."""
    recipient = recipient_of(public_key or settings.BACKUP_PUBLIC_KEY)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty")
    # The clear copy exists only in a private temporary folder, removed when done.
    with tempfile.TemporaryDirectory(prefix="returnwatch-backup-") as tmp:
        work = Path(tmp, "backup")
        manifest = _snapshot(work)
        plain = Path(tmp, "backup.tar")
        with tarfile.open(plain, "w") as tar:
            tar.add(work, arcname="backup")
        dest.mkdir(parents=True, exist_ok=True)
        pyrage.encrypt_file(str(plain), str(dest / ARCHIVE), [recipient])
    return manifest


def _snapshot(dest: Path) -> dict[str, Any]:
    dest.mkdir(parents=True)
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
            present = {r[0] for r in out.execute("SELECT name FROM sqlite_master")}
            for table in excluded_tables():
                if table in present:
                    out.execute(f'DELETE FROM "{table}"')
            out.commit()
            out.execute("VACUUM")  # no deleted row left in a free page
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
                *[f"--exclude-table-data={t}" for t in excluded_tables()],
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


def read_identities(key_file: Path) -> list[Any]:
    try:
        lines = key_file.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise BackupError(f"cannot read the key file {key_file}: {e}") from e
    try:
        identities = [
            pyrage.x25519.Identity.from_str(line.strip())
            for line in lines
            if line.strip() and not line.startswith("#")
        ]
    except pyrage.IdentityError as e:
        raise BackupError(f"{key_file} holds no age private key (AGE-SECRET-KEY-1…): {e}") from e
    if not identities:
        raise BackupError(f"{key_file} holds no age private key (AGE-SECRET-KEY-1…)")
    return identities


def restore(src: Path, key_file: Path | None = None) -> dict[str, Any]:
    """Decrypt SRC/backup.tar.age with the private key in `key_file`, restore it."""
    archive = src / ARCHIVE if src.is_dir() else src
    if not archive.is_file():
        raise BackupError(f"no {ARCHIVE} in {src}")
    if key_file is None:
        raise BackupError(
            "this backup is encrypted: give the private backup key with --key FILE "
            "(the age identity, AGE-SECRET-KEY-1…, kept away from the server)"
        )
    identities = read_identities(key_file)
    with tempfile.TemporaryDirectory(prefix="returnwatch-restore-") as tmp:
        plain = Path(tmp, "backup.tar")
        try:
            pyrage.decrypt_file(str(archive), str(plain), identities)
        except (pyrage.DecryptError, OSError) as e:  # age authenticates every chunk
            raise BackupError(
                f"the key in {key_file} does not open this backup (another key, or the "
                f"file was changed or damaged): {e}"
            ) from e
        with tarfile.open(plain) as tar:
            tar.extractall(tmp, filter="data")  # nothing outside tmp, no links or devices
        return _restore_dir(Path(tmp, "backup"))


def _restore_dir(src: Path) -> dict[str, Any]:
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
