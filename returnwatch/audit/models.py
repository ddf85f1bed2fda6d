from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """The change history is never updated or deleted through the application."""


class EntryQuerySet(models.QuerySet["Entry"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("audit entries cannot be changed")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries cannot be deleted")


class Entry(models.Model):
    """One append-only entry of the change history, chained to the one before by its hash.

    Holds who, when, which record and which fields — never the values of restricted fields.
    `seq` numbers entries without gaps, so a removed entry is named by its number.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField()
    # PROTECT: a user who acted is deactivated, never deleted (SET_NULL would rewrite history).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=64)
    target_label = models.CharField(max_length=200, blank=True)
    # The record this change belongs to, e.g. the incident a citation hangs on ("incidents.incident:42").
    about = models.CharField(max_length=100, blank=True, db_index=True)
    fields = models.JSONField(default=list)
    note = models.CharField(max_length=500, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # Ed25519 over the hash ("key id:base64"), by the key in AUDIT_SIGNING_KEY (audit/signing.py):
    # a chain rewritten and rehashed in the database no longer verifies. Entries appended
    # together (a bulk import) sign only the last: its hash covers the ones before it.
    signature = models.CharField(max_length=120, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["target_type", "target_id"])]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"{self.seq} {self.action} {self.target_type}:{self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit entries cannot be deleted")

    def payload(self) -> bytes:
        return json.dumps(
            {
                "seq": self.seq,
                "created_at": self.created_at.isoformat(),
                "actor": self.actor_id,
                "actor_name": self.actor_name,
                "action": self.action,
                "target_type": self.target_type,
                "target_id": self.target_id,
                "target_label": self.target_label,
                "about": self.about,
                "fields": self.fields,
                "note": self.note,
                "prev_hash": self.prev_hash,
            },
            sort_keys=True,
            ensure_ascii=False,
        ).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.payload()).hexdigest()

    def signed_bytes(self) -> bytes:
        return b"returnwatch audit entry\n" + self.hash.encode()


def bundle_path(job: BundleJob, filename: str) -> str:
    # Under MEDIA_ROOT, which is never served: the zip leaves only through the download view.
    return f"bundles/{job.pk or 'new'}-{uuid.uuid4().hex}.zip"


class BundleJob(models.Model):
    """An incident's evidence bundle built on the background worker for one researcher
    (audit/bundles.py): its state, and when done the stored zip (default_storage)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    BUSY = (Status.QUEUED, Status.RUNNING)

    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="bundle_jobs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bundle_jobs"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to=bundle_path, blank=True, max_length=200)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    files_total = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One bundle under way per researcher and incident: a double click queues once.
            models.UniqueConstraint(
                fields=["incident", "requested_by"],
                condition=models.Q(status__in=["queued", "running"]),
                name="one_bundle_under_way",
            )
        ]

    def __str__(self) -> str:
        return f"bundle {self.pk} of incident {self.incident_id} ({self.status})"

    @property
    def busy(self) -> bool:
        return self.status in self.BUSY
