"""Saved column mappings, and imports: an uploaded spreadsheet and the background job that
checks and applies it (imports/jobs.py).

The tables keep the names they had when these models lived in the `exports` app
(`exports_importmapping`, `exports_importbatch`), so moving them lost no data.
"""

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
        db_table = "exports_importmapping"
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
    """An uploaded spreadsheet, from its upload through its check to its application (both
    run on the background worker). The file may hold restricted text (narratives), so it is
    deleted once applied or discarded; it is kept after a failure, so nothing is lost."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        QUEUED = "queued", _("Waiting for the worker")
        RUNNING = "running", _("Running")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")
        DISCARDED = "discarded", _("Discarded")

    class Job(models.TextChoices):
        CHECK = "check", _("Check")
        APPLY = "apply", _("Import")

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
    summary = models.JSONField(default=dict)  # counts of the last check or the application
    applied_at = models.DateTimeField(null=True, blank=True)
    # The background job: what it does, when it ran, and what it found.
    job = models.CharField(max_length=8, choices=Job.choices, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(default=dict)  # problems, bad rows, a preview of the plan
    samples = models.JSONField(default=list)  # [header, first value] per column, for mapping
    error = models.TextField(blank=True)  # why the last job failed (nothing was written)

    class Meta:
        db_table = "exports_importbatch"
        ordering = ["-created_at"]
        verbose_name = _("import")

    def __str__(self) -> str:
        return self.filename

    @property
    def audit_label(self) -> str:
        return f"import of {self.filename[:150]}"

    @property
    def busy(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def open(self) -> bool:
        """Still waiting for a decision: it may be checked again, imported or discarded."""
        return self.state in (self.State.UPLOADED, self.State.FAILED) and bool(self.file)

    @property
    def checked(self) -> bool:
        return bool(self.summary) and "errors" in self.report

    @property
    def ok(self) -> bool:
        return self.checked and not self.report.get("errors") and not self.report.get("problems")

    def headers(self) -> list[str]:
        """The file's columns in their order: from `samples`, a list (a JSON object's keys
        are not kept in order by PostgreSQL's jsonb)."""
        if self.samples:
            return [header for header, _value in self.samples]
        return list(self.columns)
