"""Ed25519 signatures on audit entries (returnwatch/audit/signing.py). Entries written before
are signed now: from here on a rewrite of them is caught."""

from django.db import migrations, models


def sign_existing(apps, schema_editor):
    from returnwatch.audit import checkpoint, signing

    Entry = apps.get_model("audit", "Entry")
    batch = []
    for entry in Entry.objects.order_by("seq").iterator(chunk_size=2000):
        entry.signature = signing.sign(b"returnwatch audit entry\n" + entry.hash.encode())
        batch.append(entry)
        if len(batch) == 2000:
            Entry.objects.bulk_update(batch, ["signature"])
            batch = []
    Entry.objects.bulk_update(batch, ["signature"])
    checkpoint.export()


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_entry_seq'),
    ]

    operations = [
        migrations.AddField(
            model_name='entry',
            name='signature',
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.RunPython(sign_existing, migrations.RunPython.noop),
    ]
