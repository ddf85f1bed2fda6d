"""API tokens for partner integrations, and saved column mappings and uploads for imports."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

TOKEN_PREFIX = "rw_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A researcher's key for the write endpoints of the API. Only its SHA-256 is stored:
    the token itself is shown once, when it is made, and cannot be recovered."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses it, e.g. “partner case tracker”.")
    )
    # The first characters, so a person can tell their tokens apart; not enough to use one.
    prefix = models.CharField(max_length=12, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def audit_label(self) -> str:
        return f"API token {self.prefix}… of {self.user.get_username()}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @classmethod
    def issue(cls, user: object, name: str) -> tuple[ApiToken, str]:
        """A new token and its secret value (shown once)."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, prefix=raw[:10], key_hash=hash_token(raw))
        return token, raw

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])


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
