"""Incident narratives encrypted at rest (FIELD_ENCRYPTION_KEY), and the staff search index
rebuilt so that it holds only keyed hashes of their words (encryption.search_tokens)."""

import returnwatch.incidents.encryption
from django.db import migrations

BATCH = 500


def encrypt_narratives(apps, schema_editor):
    from returnwatch.incidents.encryption import PREFIX, encrypt

    qn = schema_editor.connection.ops.quote_name
    last = 0
    while True:
        with schema_editor.connection.cursor() as cur:
            cur.execute(
                f"SELECT id, narrative FROM {qn('incidents_incident')} WHERE id > %s "
                f"ORDER BY id LIMIT {BATCH}",
                [last],
            )
            rows = cur.fetchall()
            if not rows:
                break
            last = rows[-1][0]
            for pk, text in rows:
                if text and not text.startswith(PREFIX):
                    cur.execute(
                        f"UPDATE {qn('incidents_incident')} SET narrative = %s WHERE id = %s",
                        [encrypt(text), pk],
                    )
    # The index held narrative words in clear: rebuild it from the (decrypted) records.
    from returnwatch.incidents import search

    if apps.get_model("incidents", "Incident").objects.exists():
        search.rebuild()


class Migration(migrations.Migration):

    dependencies = [
        ("incidents", "0013_row_digest"),
    ]

    operations = [
        migrations.AlterField(
            model_name="incident",
            name="narrative",
            field=returnwatch.incidents.encryption.EncryptedTextField(
                blank=True, help_text="Never published.", verbose_name="restricted narrative"
            ),
        ),
        migrations.RunPython(encrypt_narratives, migrations.RunPython.noop),
    ]
