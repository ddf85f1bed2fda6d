"""manage.py backup DEST: a consistent snapshot of the database and stored files, with hashes,
encrypted to the backup public key (the server cannot read what it wrote)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from returnwatch.audit.backup import ARCHIVE, BackupError, backup


class Command(BaseCommand):
    help = "Write an encrypted backup (database snapshot, stored files, manifest) to DEST."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dest", help="A new or empty directory.")
        parser.add_argument(
            "--to", default="", help="age public key (age1…) instead of BACKUP_PUBLIC_KEY."
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        dest = Path(opts["dest"])
        try:
            manifest = backup(dest, opts["to"])
        except BackupError as e:
            raise CommandError(str(e)) from e
        head = manifest.get("audit_head") or {}
        self.stdout.write(
            f"Backup written to {dest / ARCHIVE} (encrypted): {manifest['engine']} database "
            f"({manifest['database']['size']} bytes), {len(manifest['media'])} files, "
            f"audit head {head.get('seq', 0)} {head.get('hash', '')}."
        )
