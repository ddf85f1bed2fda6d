"""A keyed digest on incident, person, document and citation rows (returnwatch/audit/rows.py);
existing rows are sealed as they stand now."""

import returnwatch.audit.rows
from django.db import migrations


def seal(apps, schema_editor):
    for name in ("Incident", "Person", "Document", "Citation"):
        returnwatch.audit.rows.reseal_all(apps.get_model("incidents", name))


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0012_accountability_steps'),
    ]

    operations = [
        migrations.AddField(
            model_name='citation',
            name='row_digest',
            field=returnwatch.audit.rows.RowDigestField(blank=True, default='', editable=False, max_length=129),
        ),
        migrations.AddField(
            model_name='document',
            name='row_digest',
            field=returnwatch.audit.rows.RowDigestField(blank=True, default='', editable=False, max_length=129),
        ),
        migrations.AddField(
            model_name='incident',
            name='row_digest',
            field=returnwatch.audit.rows.RowDigestField(blank=True, default='', editable=False, max_length=129),
        ),
        migrations.AddField(
            model_name='person',
            name='row_digest',
            field=returnwatch.audit.rows.RowDigestField(blank=True, default='', editable=False, max_length=129),
        ),
        migrations.AlterModelOptions(
            name='citation',
            options={'base_manager_name': 'objects', 'ordering': ['id'], 'verbose_name': 'citation'},
        ),
        migrations.AlterModelOptions(
            name='document',
            options={'base_manager_name': 'objects', 'ordering': ['-date_published', 'title'], 'verbose_name': 'document'},
        ),
        migrations.AlterModelOptions(
            name='incident',
            options={'base_manager_name': 'objects', 'ordering': ['-date', '-id'], 'verbose_name': 'incident'},
        ),
        migrations.AlterModelOptions(
            name='person',
            options={'base_manager_name': 'objects', 'verbose_name': 'person'},
        ),
        migrations.RunPython(seal, migrations.RunPython.noop),
    ]
