"""Decline reasons encrypted at rest like the rest of a tip's free text (existing ones are
encrypted here, encryption.encrypt_column), and a keyed digest on every tip, attachment,
follow-up and note row (audit/rows.py); existing rows are sealed as they stand now."""

import returnwatch.audit.rows
import returnwatch.incidents.encryption
from django.db import migrations

SEALED = ("Tip", "TipAttachment", "TipFollowUp", "TipNote")


def encrypt_and_seal(apps, schema_editor):
    from returnwatch.incidents.encryption import encrypt_column

    encrypt_column(schema_editor.connection, "intake_tip", "decline_reason")
    for name in SEALED:
        returnwatch.audit.rows.reseal_all(apps.get_model("intake", name))


def digest_field():
    return returnwatch.audit.rows.RowDigestField(
        blank=True, default="", editable=False, max_length=129
    )


class Migration(migrations.Migration):

    dependencies = [
        ("intake", "0003_follow_up_submission_token"),
    ]

    operations = [
        migrations.AlterField(
            model_name="tip",
            name="decline_reason",
            field=returnwatch.incidents.encryption.EncryptedTextField(
                blank=True, verbose_name="reason for declining"
            ),
        ),
        migrations.AlterModelOptions(
            name="tip",
            options={
                "base_manager_name": "objects",
                "ordering": ["-created_at", "-id"],
                "verbose_name": "tip",
            },
        ),
        migrations.AlterModelOptions(
            name="tipattachment",
            options={"base_manager_name": "objects", "ordering": ["id"]},
        ),
        migrations.AlterModelOptions(
            name="tipfollowup",
            options={"base_manager_name": "objects", "ordering": ["created_at", "id"]},
        ),
        migrations.AlterModelOptions(
            name="tipnote",
            options={"base_manager_name": "objects", "ordering": ["created_at", "id"]},
        ),
        migrations.AddField(model_name="tip", name="row_digest", field=digest_field()),
        migrations.AddField(model_name="tipattachment", name="row_digest", field=digest_field()),
        migrations.AddField(model_name="tipfollowup", name="row_digest", field=digest_field()),
        migrations.AddField(model_name="tipnote", name="row_digest", field=digest_field()),
        migrations.RunPython(encrypt_and_seal, migrations.RunPython.noop),
    ]
