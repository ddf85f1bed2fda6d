"""French, Portuguese and Haitian Creole labels for the vocabularies the tip form shows.

Only blank labels are filled, so labels an admin has edited are left alone.
"""

import csv
from pathlib import Path

from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "vocabulary_labels.csv"


def forward(apps, schema_editor):
    with open(CSV, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        model = apps.get_model("incidents", row["model"])
        term = model.objects.filter(code=row["code"]).first()
        if term is None:
            continue
        changed = []
        for lang in ("fr", "pt", "ht"):
            field = f"label_{lang}"
            if not getattr(term, field) and row[field]:
                setattr(term, field, row[field])
                changed.append(field)
        if changed:
            term.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
        ("incidents", "0003_vocabularies"),
    ]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
