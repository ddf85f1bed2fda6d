"""Number entries without gaps and put the number into the hash.

Existing entries (development data only: this precedes any deployment) are numbered in id
order and the chain is recomputed with the new payload.
"""

import hashlib
import json

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rechain(apps, schema_editor):
    Entry = apps.get_model("audit", "Entry")
    prev = "0" * 64
    for seq, entry in enumerate(Entry.objects.order_by("id"), start=1):
        entry.seq = seq
        entry.prev_hash = prev
        payload = json.dumps(
            {
                "seq": seq,
                "created_at": entry.created_at.isoformat(),
                "actor": entry.actor_id,
                "actor_name": entry.actor_name,
                "action": entry.action,
                "target_type": entry.target_type,
                "target_id": entry.target_id,
                "target_label": entry.target_label,
                "about": entry.about,
                "fields": entry.fields,
                "note": entry.note,
                "prev_hash": prev,
            },
            sort_keys=True,
            ensure_ascii=False,
        ).encode()
        # A temporary value first: hashes are unique and the new one may equal an old one later on.
        entry.hash = hashlib.sha256(payload).hexdigest()
        Entry.objects.filter(pk=entry.pk).update(seq=seq, prev_hash=prev, hash="tmp%d" % seq)
        entry.save(update_fields=["hash"])
        prev = entry.hash


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="entry",
            name="seq",
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.RunPython(rechain, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="entry",
            name="seq",
            field=models.PositiveBigIntegerField(unique=True),
        ),
        migrations.AlterField(
            model_name="entry",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterModelOptions(
            name="entry",
            options={"ordering": ["seq"], "verbose_name_plural": "entries"},
        ),
    ]
