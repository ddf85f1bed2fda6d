"""manage.py verify_integrity: the audit chain, its signatures and checkpoint, every sealed
row and every stored file.

Prints one line per problem, named by kind (see returnwatch/audit/integrity.py), and exits
non-zero (status 1) when anything was changed, removed or added behind the application's back.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from returnwatch.audit import checkpoint, integrity


class Command(BaseCommand):
    help = "Verify the audit log (hashes, signatures, checkpoint), row digests and stored files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            default=settings.AUDIT_CHECKPOINT_FILE,
            help="The signed head of the chain, kept outside the database "
            "(default AUDIT_CHECKPOINT_FILE); moved forward when everything is intact.",
        )
        parser.add_argument(
            "--new-checkpoint",
            action="store_true",
            help="Start the checkpoint file when it is first configured (otherwise a missing "
            "checkpoint is a problem).",
        )
        parser.add_argument("--skip-files", action="store_true", help="Do not re-hash files.")

    def handle(self, *args: Any, **opts: Any) -> None:
        path = opts["checkpoint"]
        head, problems = integrity.load_checkpoint(path)
        if opts["new_checkpoint"]:
            problems = [p for p in problems if p.kind != "checkpoint-missing"]
        chain_problems, entries, last = integrity.verify_chain(head)
        problems += chain_problems
        row_problems, row_count = integrity.verify_rows()
        problems += row_problems
        files = 0
        if not opts["skip_files"]:
            file_problems, files = integrity.verify_files()
            problems += file_problems
        for p in problems:
            self.stderr.write(str(p))
        summary = f"{entries} audit entries, {row_count} rows, {files} files checked"
        if problems:
            raise CommandError(f"Integrity check FAILED: {len(problems)} problem(s); {summary}.")
        if path and last is not None:
            checkpoint.write(path, last.seq, last.hash)
        head_text = f"; head {last.seq} {last.hash}" if last else ""
        self.stdout.write(f"Integrity check passed: {summary}{head_text}.")
