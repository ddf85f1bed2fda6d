"""What a thief of the server, of a backup, or of both can read: the table in
docs/operations.md, checked cell by cell against real installations and real backups.

Secrets of every kind are planted the way the site writes them; then each thief's material is
searched for each secret:

- the server: its database as bytes on disk (SQLite file and WAL, or a plain pg_dump),
  everything the running code reads with the keys in its environment (`dumpdata`) and its
  stored files;
- a backup: the bytes of the backup file;
- both: the server's material, and the backup opened with any key the server holds (none);
- the holder of the private backup key (and nothing of the server's): the decrypted backup,
  its database and its files.
"""

from __future__ import annotations

import io
import re
import subprocess
import tarfile
from pathlib import Path

import pyrage
from django.conf import settings
from django.db import connection

from .test_backup import backup_key, installation, manage, worker

DOC = Path(settings.BASE_DIR, "docs", "operations.md")
COLUMNS = ["the server", "a backup", "both", "the backup key alone"]
ROWS = {
    "incident narratives": ["narrative"],
    "names and contact details of persons harmed": ["person_name", "person_contact"],
    "tip narratives and submitters' contact details": ["tip_narrative", "tip_contact"],
    "reasons for declining a tip": ["decline_reason"],
    "researchers' internal notes on tips": ["tip_note"],
    "files submitters attached to tips": ["tip_attachment"],
    "authenticator (TOTP) secrets": ["totp_seed"],
    "recovery codes": ["recovery_code"],
    "session keys": ["session_key"],
}


def doc_table() -> dict[str, dict[str, str]]:
    """The exposure table of docs/operations.md: row label -> column -> "yes"/"no"."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- exposure-table -->", 1)[1].split("\n\n", 1)[0]
    lines = [line for line in block.strip().splitlines() if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    assert header[1:] == COLUMNS, header
    table = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        table[cells[0]] = {
            col: re.sub(r"\W.*", "", cells[i + 1].lower()) for i, col in enumerate(COLUMNS)
        }
    return table


def files_under(folder: Path) -> bytes:
    """The stored files (archived documents, tip attachments) as they are on disk."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def database_text(env: dict[str, str], db_file: Path | None = None) -> bytes:
    """The database as a thief reads it off the disk."""
    if db_file is not None and db_file.suffix == ".pgdump":
        return subprocess.run(
            ["pg_restore", "--file=-", str(db_file)], capture_output=True, check=True
        ).stdout
    if db_file is not None:
        return db_file.read_bytes()
    if connection.vendor == "postgresql":
        name = env["DATABASE_URL"].rsplit("/", 1)[1]
        return subprocess.run(
            [
                "pg_dump",
                "--format=plain",
                "--dbname",
                env["DATABASE_URL"].rsplit("/", 1)[0] + "/" + name,
            ],
            capture_output=True,
            check=True,
        ).stdout
    path = Path(env["DATABASE_URL"].removeprefix("sqlite:///"))
    return b"".join(
        Path(f"{path}{s}").read_bytes() for s in ("", "-wal") if Path(f"{path}{s}").exists()
    )


def test_what_each_thief_can_read_is_what_operations_md_says(
    tmp_path: Path, pg_databases: list[str]
) -> None:
    names = pg_databases or ["src", "dst"]
    src = installation(tmp_path, names[0])
    manage(src, "migrate", "-v0")
    worker(src, "seed", "2")
    secrets = __import__("json").loads(worker(src, "plant").stdout)
    out = manage(src, "backup", str(tmp_path / "backup"))
    archive = tmp_path / "backup" / "backup.tar.age"
    public, key_file = backup_key(tmp_path)

    # The server: its disk, and what its code reads with the keys in its environment.
    server = (
        database_text(src)
        + manage(src, "dumpdata", "--indent", "0").stdout.encode()
        + files_under(Path(src["MEDIA_ROOT"]))
    )
    # Nothing on the server opens a backup: it holds only the public key.
    assert not any("AGE-SECRET-KEY" in v for v in src.values())
    assert b"AGE-SECRET-KEY" not in server
    refused = manage(src, "restore", str(tmp_path / "backup"), check=False)
    assert refused.returncode != 0 and "--key" in refused.stderr
    # A backup: its bytes.
    backup = archive.read_bytes()
    # The holder of the backup key, without the server: the decrypted archive, its database.
    identity = pyrage.x25519.Identity.from_str(key_file.read_text().splitlines()[1])
    plain = pyrage.decrypt(backup, [identity])
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        tar.extractall(tmp_path / "opened", filter="data")
    opened = tmp_path / "opened" / "backup"
    db_file = next(p for p in opened.iterdir() if p.name.startswith("db."))
    key_alone = plain + database_text(src, db_file) + files_under(opened)

    found = {
        "the server": server,
        "a backup": backup,
        "both": server,  # the backup adds nothing: nothing on the server opens it
        "the backup key alone": key_alone,
    }
    table = doc_table()
    assert set(table) == set(ROWS), sorted(table)
    wrong = []
    for row, keys in ROWS.items():
        for column in COLUMNS:
            readable = any(secrets[k].encode() in found[column] for k in keys)
            said = table[row][column]
            if said != ("yes" if readable else "no"):
                wrong.append(f"{row} / {column}: the doc says {said!r}, found readable={readable}")
    assert not wrong, "\n".join(wrong)
    assert "Backup written" in out.stdout


def test_backup_bytes_hold_no_planted_secret_and_restore_needs_the_key(
    tmp_path: Path, pg_databases: list[str]
) -> None:
    names = pg_databases or ["src", "dst"]
    src, dst = installation(tmp_path, names[0]), installation(tmp_path, names[1])
    manage(src, "migrate", "-v0")
    worker(src, "seed", "4")
    secrets = __import__("json").loads(worker(src, "plant").stdout)
    manage(src, "backup", str(tmp_path / "backup"))
    everything = b"".join(p.read_bytes() for p in (tmp_path / "backup").rglob("*") if p.is_file())
    for name, value in secrets.items():
        assert value.encode() not in everything, name
        assert value.lower().encode() not in everything.lower(), name

    # Without the key: a clear refusal, and nothing written.
    if connection.vendor == "postgresql":
        manage(dst, "migrate", "-v0")
    refused = manage(dst, "restore", str(tmp_path / "backup"), check=False)
    assert refused.returncode != 0
    assert "this backup is encrypted: give the private backup key with --key FILE" in refused.stderr
    other = tmp_path / "other-key.txt"
    other.write_text(f"{pyrage.x25519.Identity.generate()}\n")
    wrong = manage(dst, "restore", str(tmp_path / "backup"), "--key", str(other), check=False)
    assert wrong.returncode != 0 and "does not open this backup" in wrong.stderr

    # With the key: the same data, every restricted value included (sessions left out).
    restored = manage(
        dst, "restore", str(tmp_path / "backup"), "--key", str(backup_key(tmp_path)[1])
    )
    assert "Restore complete" in restored.stdout
    exclude = ["--exclude", "sessions", "--exclude", "axes", "--exclude", "contenttypes",
               "--exclude", "auth.permission"]  # fmt: skip
    before = manage(src, "dumpdata", "--indent", "1", *exclude).stdout
    after = manage(dst, "dumpdata", "--indent", "1", *exclude).stdout
    assert before == after
    assert secrets["person_name"] in after and secrets["narrative"] in after
    assert manage(dst, "dumpdata", "sessions").stdout.strip() == "[]"
