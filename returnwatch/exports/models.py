"""Saved column mappings and uploads for imports."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportMapping(models.Model):
    """A saved mapping of spreadsheet columns to fields, reusable for the next file."""

    name = models.CharField(_("name"), max_length=100)
    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.CASCADE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    columns = models.JSONField(default=dict)  # header -> field name ("" ignores the column)
    options = models.JSONField(default=dict)  # date_order, document_kind
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="one_mapping_name_per_org"
            )
        ]
        verbose_name = _("import mapping")

    def __str__(self) -> str:
        return self.name

    @property
    def audit_label(self) -> str:
        return f"import mapping {self.name}"


def upload_path(instance: ImportBatch, filename: str) -> str:
    # Never under a public address: MEDIA_ROOT is not served.
    return f"imports/{instance.sha256}"


class ImportBatch(models.Model):
    """An uploaded spreadsheet between its preview and its application. The file may hold
    restricted text (narratives), so it is deleted once applied or discarded."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        APPLIED = "applied", _("Applied")
        DISCARDED = "discarded", _("Discarded")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=upload_path, blank=True, max_length=200)
    columns = models.JSONField(default=dict)
    options = models.JSONField(default=dict)
    state = models.CharField(max_length=12, choices=State.choices, default=State.UPLOADED)
    summary = models.JSONField(default=dict)  # counts of the last preview or the application
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")

    def __str__(self) -> str:
        return self.filename

    @property
    def audit_label(self) -> str:
        return f"import of {self.filename[:150]}"
