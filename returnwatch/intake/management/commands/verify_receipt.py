"""Check a signed tip receipt offline: `manage.py verify_receipt receipt.pdf|receipt.txt`.

Uses only the public key (this server's, those in RECEIPT_OLD_PUBLIC_KEYS, or one given with
--public-key), never the database. `--text` and `--file` also check that a text and files are
the ones the receipt names. Exits 0 when everything checks out, 1 otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from returnwatch.intake import receipts


class Command(BaseCommand):
    help = "Check the signature of a tip receipt (PDF or text), and optionally a text and files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("receipt", help="the receipt: its PDF or its .txt ('-' reads stdin)")
        parser.add_argument("--text", help="a file holding the text that was sent")
        parser.add_argument("--file", action="append", default=[], help="a file that was sent")
        parser.add_argument(
            "--public-key", help="a PEM file with the public key to trust instead of this server's"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        import sys

        source = options["receipt"]
        data = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        try:
            receipt = receipts.read(data)
        except receipts.ReceiptError as error:
            raise CommandError(f"not a readable receipt: {error}") from error
        keys = None
        if options["public_key"]:
            key = receipts.load_public_key(Path(options["public_key"]).read_text())
            keys = {receipts.key_id(key): key}
        result = receipts.verify(receipt, keys)
        ok = result.valid
        self.stdout.write(f"Receipt code:   {receipt.code}")
        self.stdout.write(f"Received (UTC): {receipt.received:%Y-%m-%d %H:%M:%S}")
        self.stdout.write(f"Key:            {receipt.key}")
        if result.valid:
            self.stdout.write(self.style.SUCCESS("Signature:      valid"))
            if receipt.development:
                self.stdout.write(self.style.WARNING("(signed with the DEVELOPMENT key)"))
        elif result.reason == "unknown-key":
            self.stdout.write(self.style.ERROR("Signature:      signed with an unknown key"))
        else:
            self.stdout.write(self.style.ERROR("Signature:      NOT valid (changed or forged)"))
        text = Path(options["text"]).read_text(encoding="utf-8") if options["text"] else None
        files = [receipts.file_digest(Path(p).read_bytes()) for p in options["file"]]
        found = receipts.matches(receipt, text, files)
        if "text" in found:
            ok = ok and found["text"]
            self.stdout.write(f"Text:           {'matches' if found['text'] else 'DOES NOT MATCH'}")
        for (sha, _size, named), path in zip(found["files"], options["file"], strict=True):
            ok = ok and named
            self.stdout.write(f"File {path}: {'named' if named else 'NOT NAMED'} ({sha})")
        if not ok:
            raise SystemExit(1)
