"""Captures of a document's web address, and the files each one stored.

A capture's files are written once, named by their SHA-256, and never changed; the row that
names a file is created only after the file is complete. A capture that failed keeps what it
learnt (status, headers, redirects, certificate) and the reason.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from returnwatch.incidents.models import Document


class CaptureStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


PENDING = [CaptureStatus.QUEUED, CaptureStatus.RUNNING]


class Capture(models.Model):
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="captures")
    url = models.URLField(_("address captured"), max_length=1000)
    status = models.CharField(
        max_length=8, choices=CaptureStatus.choices, default=CaptureStatus.QUEUED
    )
    reason = models.TextField(_("reason"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # What the server answered for the page itself (after redirects).
    final_url = models.URLField(max_length=1000, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    http_reason = models.CharField(max_length=200, blank=True)
    http_headers = models.JSONField(default=list, blank=True)  # [[name, value], …] as sent
    redirects = models.JSONField(default=list, blank=True)  # [{url, status, location}, …]
    server_ip = models.GenericIPAddressField(null=True, blank=True)
    tls = models.JSONField(null=True, blank=True)  # certificate PEM, subject, issuer, verified…
    # The tool: this program's capture code and the versions of what it drove.
    tool = models.CharField(max_length=200, blank=True)
    tool_versions = models.JSONField(default=dict, blank=True)
    # Extracted by trafilatura from the rendered page.
    title = models.CharField(max_length=500, blank=True)
    author = models.CharField(max_length=500, blank=True)
    date_published = models.CharField(max_length=40, blank=True)
    text = models.TextField(blank=True)
    walls = models.JSONField(default=list, blank=True)  # ["paywall", "cookie-wall", "login"]
    # The signed manifest (also stored as files): its hash and the key that signed it.
    manifest_sha256 = models.CharField(max_length=64, blank=True)
    signing_key_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("web capture")
        constraints = [
            # A double click or a second researcher never queues the same document twice.
            models.UniqueConstraint(
                fields=["document"],
                condition=Q(status__in=["queued", "running"]),
                name="one_pending_capture_per_document",
            )
        ]

    def __str__(self) -> str:
        return f"Capture #{self.pk} of {self.url}"

    @property
    def audit_label(self) -> str:
        return f"capture #{self.pk} of {self.url}"[:200]

    @property
    def pending(self) -> bool:
        return self.status in PENDING

    def file(self, kind: str) -> CaptureFile | None:
        return next((f for f in self.files.all() if f.kind == kind), None)


class FileKind(models.TextChoices):
    WACZ = "wacz", _("Web archive (WACZ)")
    SCREENSHOT = "screenshot", _("Screenshot (PNG)")
    PDF = "pdf", _("PDF print")
    TEXT = "text", _("Extracted text")
    MANIFEST = "manifest", _("Manifest")
    SIGNATURE = "signature", _("Manifest signature (Ed25519)")
    TIMESTAMP = "timestamp", _("Time stamp (RFC 3161)")


class CaptureFile(models.Model):
    capture = models.ForeignKey(Capture, on_delete=models.PROTECT, related_name="files")
    kind = models.CharField(max_length=12, choices=FileKind.choices)
    file = models.FileField(max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField()
    media_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["capture", "kind"], name="one_file_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} of capture #{self.capture_id}"


class BlockedHost(models.Model):
    """A host an admin never wants captured (and its subdomains)."""

    host = models.CharField(_("host"), max_length=253, unique=True)
    note = models.CharField(_("why"), max_length=200, blank=True)

    class Meta:
        ordering = ["host"]
        verbose_name = _("host never captured")
        verbose_name_plural = _("hosts never captured")

    def __str__(self) -> str:
        return self.host

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.host = self.host.strip().lower().rstrip(".")
        super().save(*args, **kwargs)
