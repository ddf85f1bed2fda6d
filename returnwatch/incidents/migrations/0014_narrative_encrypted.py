"""Incident narratives encrypted at rest (FIELD_ENCRYPTION_KEY), and the staff search index
rebuilt so that it holds only keyed hashes of their words (encryption.search_tokens)."""

import returnwatch.incidents.encryption
from django.db import migrations


def encrypt_narratives(apps, schema_editor):
    from returnwatch.incidents.encryption import encrypt_column

    encrypt_column(schema_editor.connection, "incidents_incident", "narrative")
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
