from django.db import migrations


def forward(apps, schema_editor):
    from returnwatch.incidents.vocabularies.load import load

    load(apps)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0002_fulltext")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
