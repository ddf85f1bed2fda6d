"""After a field-key rotation: re-encrypt every encrypted value with the first key of
FIELD_ENCRYPTION_KEY and rebuild the staff search index's keyed word hashes under it.

Rotation (docs/operations.md): generate a key (`--generate`), put it FIRST in
FIELD_ENCRYPTION_KEY keeping the old key(s) after it, restart the site, run this command, then
remove the old keys. Covered:

- every model field that is an EncryptedTextField (tips and their decline reasons, follow-ups,
  notes and attachments' names, incident narratives, persons, and any other app's), found from
  the model registry rather than a list that could go stale. Values are rotated as stored
  tokens (MultiFernet.rotate): the clear text is never handled;
- TOTP secrets (their own compact column format, accounts/twofactor.py);
- the staff search index (incidents/search.py): its narrative word hashes are keyed with the
  first key, so staff search of restricted text finds nothing new until they are rebuilt.

Batches of `--batch-size` rows in primary-key order (memory stays one batch at a million rows),
each in its own transaction: a batch is written whole or not at all. A value already under the
first key, or an index entry already right, is left alone, so the command is idempotent, and
after an interruption running it again resumes: finished batches are only re-read.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, models, transaction

from returnwatch.incidents.encryption import (
    PREFIX,
    EncryptedTextField,
    current_key_decrypts,
    rotate,
    stored_batches,
)

BATCH = 500
PROGRESS_SECONDS = 5.0  # at most one progress line per step this often (and one at its end)


def encrypted_fields() -> list[tuple[type[models.Model], list[Any]]]:
    out = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            out.append((model, fields))
    return out


class Progress:
    """ "<step>: <checked> checked, <changed> <verb>" now and then, and once at the end."""

    def __init__(self, write: Callable[..., None], step: str, verb: str) -> None:
        self.write, self.step, self.verb = write, step, verb
        self.checked = self.changed = 0
        self.last = time.monotonic()

    def add(self, checked: int, changed: int) -> None:
        self.checked += checked
        self.changed += changed
        if time.monotonic() - self.last >= PROGRESS_SECONDS:
            self.last = time.monotonic()
            self.write(f"{self.step}: {self.checked} checked, {self.changed} {self.verb}…")

    def done(self) -> None:
        if self.checked:
            self.write(f"{self.step}: {self.checked} checked, {self.changed} {self.verb}")


class Command(BaseCommand):
    help = (
        "After a key rotation: re-encrypt every encrypted field with the first key of "
        "FIELD_ENCRYPTION_KEY and rebuild the staff search word index under it."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--generate", action="store_true", help="Print a new key and exit (changes nothing)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change, change nothing."
        )
        parser.add_argument(
            "--batch-size", type=int, default=BATCH, help=f"Rows per transaction ({BATCH})."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate"]:
            self.stdout.write(Fernet.generate_key().decode())
            return
        dry, batch = options["dry_run"], max(1, options["batch_size"])
        verb = "to re-encrypt" if dry else "re-encrypted"
        total = 0
        for model, fields in encrypted_fields():
            for field in fields:
                total += self.rotate_field(model, field, batch, dry, verb)

        from returnwatch.accounts.twofactor import rotate_totp_secrets

        secrets = rotate_totp_secrets(dry)  # their own column format; few (staff accounts)
        if secrets:
            self.stdout.write(f"otp_totp.TOTPDevice.key: {secrets} {verb}")
        total += secrets

        entries = self.rekey_index(batch, dry)

        from django_otp.plugins.otp_static.models import StaticToken

        codes = StaticToken.objects.count()
        if codes:
            self.stdout.write(
                f"{codes} recovery codes are keyed hashes and cannot be re-keyed: those made "
                "before the new key was put first match only while the old key is listed "
                "(their holders make new codes once it is removed)."
            )
        done = "would re-encrypt" if dry else "re-encrypted"
        self.stdout.write(
            self.style.SUCCESS(
                f"{done} {total} encrypted values; "
                f"{'would rewrite' if dry else 'rewrote'} {entries} search index entries"
            )
        )

    def rotate_field(
        self, model: type[models.Model], field: Any, batch: int, dry: bool, verb: str
    ) -> int:
        qn = connection.ops.quote_name
        table, pk, column = model._meta.db_table, str(model._meta.pk.column), field.column
        progress = Progress(self.stdout.write, f"{model._meta.label}.{field.name}", verb)
        # Raw SQL: the stored token itself, never the decrypted value.
        for rows in stored_batches(connection, table, column, pk, batch):
            stale = [
                (row_pk, token)
                for row_pk, token in rows
                if token.startswith(PREFIX) and not current_key_decrypts(token)
            ]
            changed = 0
            if stale and dry:
                changed = len(stale)
            elif stale:
                with transaction.atomic(), connection.cursor() as cur:
                    for row_pk, token in stale:
                        # Only if unchanged since read: a concurrent edit (already under the
                        # first key) is not overwritten.
                        cur.execute(
                            f"UPDATE {qn(table)} SET {qn(column)} = %s "
                            f"WHERE {qn(pk)} = %s AND {qn(column)} = %s",
                            [rotate(token), row_pk, token],
                        )
                        changed += cur.rowcount
            progress.add(len(rows), changed)
        progress.done()
        return progress.changed

    def rekey_index(self, batch: int, dry: bool) -> int:
        from returnwatch.incidents import search
        from returnwatch.incidents.models import Incident, SearchEntry

        verb = "to rewrite" if dry else "rewritten"
        progress = Progress(self.stdout.write, "staff search index", verb)
        last = 0
        while True:
            rows = list(
                Incident.objects.filter(pk__gt=last)
                .order_by("pk")
                .values_list("pk", "narrative")[:batch]
            )
            if not rows:
                break
            last = rows[-1][0]
            if dry:
                stored = {
                    pk: (public, everything)
                    for pk, public, everything in SearchEntry.objects.filter(
                        incident_id__in=[r[0] for r in rows]
                    ).values_list("incident_id", "public", "everything")
                }
                changed = sum(
                    pk not in stored or search.staff_text(stored[pk][0], text) != stored[pk][1]
                    for pk, text in rows
                )
            else:
                with transaction.atomic():
                    rewritten, created = search.rekey(rows)
                changed = rewritten + created
            progress.add(len(rows), changed)
        progress.done()
        return progress.changed
