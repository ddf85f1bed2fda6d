"""manage.py restore SRC --key FILE: decrypt a backup with the private backup key, restore it
into an empty installation, then verify it."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from returnwatch.audit import checkpoint, integrity
from returnwatch.audit.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup made by `backup` into an empty installation and verify it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("src", help="A directory written by `manage.py backup`.")
        parser.add_argument(
            "--key",
            type=Path,
            default=None,
            help="File holding the private backup key (AGE-SECRET-KEY-1…).",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            result = restore(Path(opts["src"]), opts["key"])
        except BackupError as e:
            raise CommandError(str(e)) from e
        manifest = result["manifest"]
        self.stdout.write(
            f"Restored the {manifest['engine']} database and {result['copied']} files "
            f"({result['skipped']} newer than the snapshot left out). Verifying…"
        )
        # The chain must be whole and reach the head recorded at backup time.
        problems, entries, last = integrity.verify_chain(manifest.get("audit_head"))
        row_problems, rows = integrity.verify_rows()
        file_problems, files = integrity.verify_files()
        problems += row_problems + file_problems
        for p in problems:
            self.stderr.write(str(p))
        if problems:
            raise CommandError(f"Restore verification FAILED: {len(problems)} problem(s).")
        if last is not None:  # this installation's checkpoint starts at the restored head
            checkpoint.write(settings.AUDIT_CHECKPOINT_FILE, last.seq, last.hash)
        self.stdout.write(
            f"Verified: {entries} audit entries, {rows} rows, {files} files. Restore complete."
        )
