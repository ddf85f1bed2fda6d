"""Vocabulary names in the plural (they were English-only: "violence type" + "s"), and French,
Portuguese and Haitian Creole labels for every vocabulary: blank labels only, so labels an
admin has written are left alone."""

from django.db import migrations


def forward(apps, schema_editor):
    from returnwatch.incidents.vocabularies.load import fill_missing_labels

    fill_missing_labels(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0009_send_back"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="documentkind",
            options={
                "ordering": ["position", "code"],
                "verbose_name": "document kind",
                "verbose_name_plural": "document kinds",
            },
        ),
        migrations.AlterModelOptions(
            name="perpetrator",
            options={
                "ordering": ["position", "code"],
                "verbose_name": "perpetrator type",
                "verbose_name_plural": "perpetrator types",
            },
        ),
        migrations.AlterModelOptions(
            name="placetype",
            options={
                "ordering": ["position", "code"],
                "verbose_name": "place type",
                "verbose_name_plural": "place types",
            },
        ),
        migrations.AlterModelOptions(
            name="program",
            options={
                "ordering": ["position", "code"],
                "verbose_name": "program",
                "verbose_name_plural": "programs",
            },
        ),
        migrations.AlterModelOptions(
            name="victimgroup",
            options={
                "ordering": ["position", "code"],
                "verbose_name": "victim group",
                "verbose_name_plural": "victim groups",
            },
        ),
        migrations.AlterModelOptions(
            name="violencetype",
            options={
                "ordering": ["position", "code"],
                "verbose_name": "violence type",
                "verbose_name_plural": "violence types",
            },
        ),
        migrations.RunPython(forward, migrations.RunPython.noop),
    ]
