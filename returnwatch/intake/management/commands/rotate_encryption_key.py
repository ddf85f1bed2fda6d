"""Re-encrypt every encrypted field with the first key of FIELD_ENCRYPTION_KEY.

Rotation: generate a key (`--generate`), put it FIRST in FIELD_ENCRYPTION_KEY keeping the old
key(s) after it, run this command, then remove the old keys. Every model field that is an
EncryptedTextField is covered (tips, follow-ups, notes, attachments' names, incidents.Person,
and any other app's), found from the model registry rather than a list that could go stale.

Values are rotated as stored tokens (MultiFernet.rotate): the clear text is never handled
here, and rows are updated in batches, each batch in its own transaction.
"""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from returnwatch.incidents.encryption import PREFIX, EncryptedTextField, fernet

BATCH = 500


def encrypted_fields() -> list[tuple[Any, list[Any]]]:
    out = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            out.append((model, fields))
    return out


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields with the first key of FIELD_ENCRYPTION_KEY."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--generate", action="store_true", help="Print a new key and exit (changes nothing)."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be rotated, change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["generate"]:
            self.stdout.write(Fernet.generate_key().decode())
            return
        multi = fernet()
        qn = connection.ops.quote_name
        total = 0
        for model, fields in encrypted_fields():
            table, pk = model._meta.db_table, model._meta.pk.column
            for field in fields:
                column = field.column
                count = 0
                last = None
                while True:
                    # Raw SQL: read the stored token itself, not the field's decrypted value.
                    with connection.cursor() as cur:
                        where = f"{qn(column)} LIKE %s" + (f" AND {qn(pk)} > %s" if last else "")
                        params: list[Any] = [PREFIX + "%"] + ([last] if last else [])
                        cur.execute(
                            f"SELECT {qn(pk)}, {qn(column)} FROM {qn(table)} WHERE {where} "
                            f"ORDER BY {qn(pk)} LIMIT {BATCH}",
                            params,
                        )
                        rows = cur.fetchall()
                    if not rows:
                        break
                    last = rows[-1][0]
                    if options["dry_run"]:
                        count += len(rows)
                        continue
                    with transaction.atomic(), connection.cursor() as cur:
                        for row_pk, token in rows:
                            new = PREFIX + multi.rotate(token[len(PREFIX) :].encode()).decode()
                            cur.execute(
                                f"UPDATE {qn(table)} SET {qn(column)} = %s "
                                f"WHERE {qn(pk)} = %s AND {qn(column)} = %s",
                                [new, row_pk, token],
                            )
                            count += cur.rowcount
                total += count
                if count:
                    self.stdout.write(f"{model._meta.label}.{field.name}: {count}")
        from returnwatch.accounts.twofactor import rotate_totp_secrets

        secrets = rotate_totp_secrets(options["dry_run"])  # their own column format
        if secrets:
            self.stdout.write(f"otp_totp.TOTPDevice.key: {secrets}")
        total += secrets
        verb = "would rotate" if options["dry_run"] else "rotated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {total} encrypted values"))
