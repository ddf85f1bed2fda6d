"""manage.py verify_integrity: re-walk the audit chain and re-hash every stored file.

Exits non-zero (status 1) when anything was changed, removed or added behind the
application's back, and prints one line per problem.
"""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from returnwatch.audit import integrity


class Command(BaseCommand):
    help = "Verify the audit log's hash chain and the SHA-256 of every stored file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoint",
            default=settings.AUDIT_CHECKPOINT_FILE,
            help="File holding the last verified head of the chain (kept outside the database); "
            "checked, then moved forward when everything is intact.",
        )
        parser.add_argument("--skip-files", action="store_true", help="Check the chain only.")

    def handle(self, *args: Any, **opts: Any) -> None:
        checkpoint = integrity.read_checkpoint(opts["checkpoint"])
        problems, entries, last = integrity.verify_chain(checkpoint)
        files = 0
        if not opts["skip_files"]:
            file_problems, files = integrity.verify_files()
            problems += file_problems
        for p in problems:
            self.stderr.write(str(p))
        summary = f"{entries} audit entries, {files} files checked"
        if problems:
            raise CommandError(f"Integrity check FAILED: {len(problems)} problem(s); {summary}.")
        integrity.write_checkpoint(opts["checkpoint"], last)
        head = f"; head {last.seq} {last.hash}" if last else ""
        self.stdout.write(f"Integrity check passed: {summary}{head}.")
