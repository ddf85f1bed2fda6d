"""The import models move here from the `exports` app: in Django's state only. Their tables
keep their names (`exports_importmapping`, `exports_importbatch`), so no row moves and no data
is lost; the content types follow, so permissions and admin history stay attached."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import returnwatch.imports.models


def rename_content_types(apps, schema_editor):  # type: ignore[no-untyped-def]
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("importmapping", "importbatch"):
        if not ContentType.objects.filter(app_label="imports", model=model).exists():
            ContentType.objects.filter(app_label="exports", model=model).update(
                app_label="imports"
            )


def back(apps, schema_editor):  # type: ignore[no-untyped-def]
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(
        app_label="imports", model__in=["importmapping", "importbatch"]
    ).update(app_label="exports")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("exports", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="ImportBatch",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("filename", models.CharField(max_length=255)),
                        ("sha256", models.CharField(max_length=64)),
                        ("file", models.FileField(blank=True, max_length=200, upload_to=returnwatch.imports.models.upload_path)),
                        ("columns", models.JSONField(default=dict)),
                        ("options", models.JSONField(default=dict)),
                        ("state", models.CharField(choices=[("uploaded", "Uploaded"), ("applied", "Applied"), ("discarded", "Discarded")], default="uploaded", max_length=12)),
                        ("summary", models.JSONField(default=dict)),
                        ("applied_at", models.DateTimeField(blank=True, null=True)),
                        ("created_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "import",
                        "ordering": ["-created_at"],
                        "db_table": "exports_importbatch",
                    },
                ),
                migrations.CreateModel(
                    name="ImportMapping",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=100, verbose_name="name")),
                        ("columns", models.JSONField(default=dict)),
                        ("options", models.JSONField(default=dict)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                        ("organization", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, to="accounts.organization")),
                    ],
                    options={
                        "verbose_name": "import mapping",
                        "ordering": ["name"],
                        "db_table": "exports_importmapping",
                        "constraints": [models.UniqueConstraint(fields=("organization", "name"), name="one_mapping_name_per_org")],
                    },
                ),
            ],
        ),
        migrations.RunPython(rename_content_types, back),
    ]
