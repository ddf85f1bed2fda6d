"""Information from the public (tips), their attachments, follow-ups and internal notes.

Everything the submitter writes in free text (narrative, contact, follow-ups, the "other"
city and original file names) is encrypted at rest, and so is what researchers write about a
tip (decline reasons, internal notes); only the receipt code's hash is kept. Every row carries
a keyed digest (audit/rows.py), so a direct SQL edit is named by `verify_integrity`.
Tips are never public: returnwatch/public.py exposes nothing from this module.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from returnwatch.audit.rows import RowDigestField, Sealed, SealedQuerySet
from returnwatch.incidents.encryption import EncryptedTextField
from returnwatch.incidents.models import (
    City,
    Country,
    Document,
    Incident,
    PlaceType,
    PortOfEntry,
    Program,
    VictimGroup,
    ViolenceType,
    YesNoUnknown,
)


class SubmitterRole(models.TextChoices):
    HARMED = "harmed", _("I am the person who was harmed")
    FAMILY = "family", _("A family member or friend")
    ATTORNEY = "attorney", _("An attorney or legal representative")
    RESEARCHER = "researcher", _("A researcher or human rights monitor")
    JOURNALIST = "journalist", _("A journalist")
    OTHER = "other", _("Someone else")


class TipStatus(models.TextChoices):
    NEW = "new", _("New")
    REVIEW = "review", _("In review")
    FOLLOW_UP = "follow_up", _("Needs follow-up")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    SPAM = "spam", _("Spam")


# What the submitter may learn at /report/follow-up/: received, being reviewed, closed.
PUBLIC_STAGE = {
    TipStatus.NEW: "received",
    TipStatus.REVIEW: "review",
    TipStatus.FOLLOW_UP: "review",
    TipStatus.ACCEPTED: "closed",
    TipStatus.DECLINED: "closed",
    TipStatus.SPAM: "closed",
}
OPEN_STATUSES = (TipStatus.NEW, TipStatus.REVIEW, TipStatus.FOLLOW_UP)
# Allowed moves in the triage queue; "accepted" is reached by creating or linking an incident.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    TipStatus.NEW: (TipStatus.REVIEW, TipStatus.FOLLOW_UP, TipStatus.DECLINED, TipStatus.SPAM),
    TipStatus.REVIEW: (TipStatus.FOLLOW_UP, TipStatus.DECLINED, TipStatus.SPAM, TipStatus.NEW),
    TipStatus.FOLLOW_UP: (TipStatus.REVIEW, TipStatus.DECLINED, TipStatus.SPAM),
    TipStatus.ACCEPTED: (TipStatus.REVIEW,),
    TipStatus.DECLINED: (TipStatus.REVIEW,),
    TipStatus.SPAM: (TipStatus.REVIEW,),
}


class DatePrecision(models.TextChoices):
    UNKNOWN = "", _("Not given")
    DAY = "day", _("Day")
    MONTH = "month", _("Approximate month")


class Tip(Sealed, models.Model):
    submitter_role = models.CharField(
        _("who is writing"), max_length=12, choices=SubmitterRole.choices, blank=True
    )
    violence_types = models.ManyToManyField(
        ViolenceType, blank=True, related_name="tips", verbose_name=_("what happened")
    )
    narrative = EncryptedTextField(_("what happened, in your words"))
    date = models.DateField(_("when"), null=True, blank=True, db_index=True)
    date_precision = models.CharField(
        _("date precision"), max_length=6, choices=DatePrecision.choices, blank=True
    )
    city = models.ForeignKey(
        City, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("city")
    )
    city_other = EncryptedTextField(_("other place"), blank=True)
    place_type = models.ForeignKey(
        PlaceType, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("place type")
    )
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("program")
    )
    port_of_entry = models.ForeignKey(
        PortOfEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("port of entry"),
    )
    fear_expressed = models.CharField(
        _("told US officials of fear of return"),
        max_length=8,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.UNKNOWN,
    )
    victim_groups = models.ManyToManyField(
        VictimGroup, blank=True, related_name="tips", verbose_name=_("victim groups")
    )
    nationalities = models.ManyToManyField(
        Country, blank=True, related_name="tips", verbose_name=_("nationalities")
    )
    contact = EncryptedTextField(_("contact"), blank=True)
    consent_contact = models.BooleanField(_("may contact"), default=False)
    consent_publish = models.BooleanField(_("may publish an anonymized account"), default=False)
    consent_crcl = models.BooleanField(_("may share with CRCL"), default=False)
    language = models.CharField(_("language"), max_length=8, blank=True, db_index=True)
    source = models.CharField(_("source"), max_length=20, default="form")
    receipt_hash = models.CharField(max_length=64, unique=True, editable=False)

    status = models.CharField(
        _("status"),
        max_length=10,
        choices=TipStatus.choices,
        default=TipStatus.NEW,
        db_index=True,
    )
    decline_reason = EncryptedTextField(_("reason for declining"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tips",
        verbose_name=_("assignee"),
    )
    incident = models.ForeignKey(
        Incident,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tips",
        verbose_name=_("incident"),
    )
    document = models.OneToOneField(
        Document, null=True, blank=True, on_delete=models.SET_NULL, related_name="tip"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Bumped when the submitter adds something, so the queue can show fresh activity.
    last_submitter_activity = models.DateTimeField(null=True, blank=True)
    row_digest = RowDigestField()  # last: see audit/rows.py

    objects = SealedQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"  # deletion's SET_NULL updates reseal too
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["city", "date"])]
        verbose_name = _("tip")

    def __str__(self) -> str:
        return f"Tip #{self.pk}"

    @property
    def audit_label(self) -> str:
        return f"tip #{self.pk}"

    @property
    def public_stage(self) -> str:
        return PUBLIC_STAGE[TipStatus(self.status)]


def attachment_path(instance: TipAttachment, filename: str) -> str:
    # Never the submitter's file name: it can identify them.
    return f"tips/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class TipAttachment(Sealed, models.Model):
    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="attachments")
    follow_up = models.ForeignKey(
        "TipFollowUp", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_filename = EncryptedTextField(blank=True)
    media_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10, blank=True)
    size = models.PositiveBigIntegerField()
    # Hash of the stored file, and of the bytes as they arrived (they differ for photos,
    # whose metadata is removed before storage).
    sha256 = models.CharField(max_length=64, db_index=True)
    received_sha256 = models.CharField(max_length=64)
    metadata_removed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    row_digest = RowDigestField()  # last: see audit/rows.py (a second digest for the file)

    objects = SealedQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"tip attachment #{self.pk}"

    @property
    def kind(self) -> str:
        return self.media_type.split("/")[0]


class TipFollowUp(Sealed, models.Model):
    """Information the submitter added later with the receipt code."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="follow_ups")
    text = EncryptedTextField(blank=True)
    # sha256 of the form's one-time token: sending the same form twice saves it once.
    submission_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    row_digest = RowDigestField()  # last: see audit/rows.py

    objects = SealedQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"tip follow-up #{self.pk}"


class TipNote(Sealed, models.Model):
    """A researcher's internal note on a tip."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)
    row_digest = RowDigestField()  # last: see audit/rows.py

    objects = SealedQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"  # deletion's SET_NULL (the author) reseals too
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"tip note #{self.pk}"
