"""Followed searches: e-mail subscriptions from the public, and searches staff save.

A subscription holds its address only encrypted (the field key, incidents/encryption.py) and
as a keyed hash (so the same address and search are one row); neither is used for anything but
sending this subscription's mail. Unsubscribing deletes the row; an address that never
confirms is deleted when its confirmation link expires (subscriptions/actions.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from returnwatch.incidents.encryption import EncryptedTextField


class Subscription(models.Model):
    # Random, never derived from the address: the signed links carry it.
    key = models.CharField(max_length=43, unique=True, editable=False)
    address = EncryptedTextField()
    # HMAC-SHA256 of the folded address under a key derived from FIELD_ENCRYPTION_KEY.
    address_hash = models.CharField(max_length=43, db_index=True, editable=False)
    # The search as the site writes it ("city=tijuana&type=kidnapping"; "" for every case).
    query = models.CharField(max_length=2000, blank=True)
    language = models.CharField(max_length=8, default="en")
    created_at = models.DateTimeField(auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["address_hash", "query"], name="subscription_address_search_unique"
            )
        ]

    def __str__(self) -> str:
        return f"subscription {self.pk}"


class SentKind(models.TextChoices):
    PUBLISHED = "published", _("Published")
    RETRACTED = "retracted", _("Retracted")


class SentCase(models.Model):
    """A case a subscription was told about, and how (each at most once)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="sent")
    incident = models.ForeignKey("incidents.Incident", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=SentKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "incident", "kind"], name="sent_case_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.incident_id} to subscription {self.subscription_id}"


class SavedSearch(models.Model):
    """A staff member's search of the workspace list (/staff/?…), seen only by them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(_("name"), max_length=120)
    query = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("saved search")
        verbose_name_plural = _("saved searches")

    def __str__(self) -> str:
        return self.name
