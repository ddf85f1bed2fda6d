"""The record, after the HURIDOCS Events Standard Formats: who did what to whom.

Which of these fields the public may see is decided in one place: returnwatch/public.py.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from returnwatch.audit.rows import RowDigestField, Sealed, SealedQuerySet

from .encryption import EncryptedTextField

# ---------------------------------------------------------------------------- vocabularies


class Term(models.Model):
    """A controlled-vocabulary value: a stable code and translatable labels (data, not code)."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    label_en = models.CharField(_("label (English)"), max_length=200)
    label_es = models.CharField(_("label (Spanish)"), max_length=200, blank=True)
    label_fr = models.CharField(_("label (French)"), max_length=200, blank=True)
    label_pt = models.CharField(_("label (Portuguese)"), max_length=200, blank=True)
    label_ht = models.CharField(_("label (Haitian Creole)"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.label_for(translation.get_language() or "en")

    def label_for(self, language: str) -> str:
        return getattr(self, f"label_{language[:2]}", "") or self.label_en


class ViolenceType(Term):
    huridocs_term = models.CharField(max_length=200, blank=True)

    class Meta(Term.Meta):
        verbose_name = _("violence type")
        verbose_name_plural = _("violence types")


class Perpetrator(Term):
    class Meta(Term.Meta):
        verbose_name = _("perpetrator type")
        verbose_name_plural = _("perpetrator types")


class VictimGroup(Term):
    class Meta(Term.Meta):
        verbose_name = _("victim group")
        verbose_name_plural = _("victim groups")


class PlaceType(Term):
    class Meta(Term.Meta):
        verbose_name = _("place type")
        verbose_name_plural = _("place types")


class Program(Term):
    start = models.DateField(null=True, blank=True)
    end = models.DateField(null=True, blank=True)

    class Meta(Term.Meta):
        verbose_name = _("program")
        verbose_name_plural = _("programs")


class DocumentKind(Term):
    # Kinds that may name or identify people (interviews, tips) are never shown in public.
    public = models.BooleanField(_("shown in public"), default=True)

    class Meta(Term.Meta):
        verbose_name = _("document kind")
        verbose_name_plural = _("document kinds")


class PortOfEntry(Term):
    class Meta(Term.Meta):
        verbose_name = _("port of entry")
        verbose_name_plural = _("ports of entry")


class City(Term):
    """Publication never goes finer than a city: these coordinates are the finest there is."""

    state = models.CharField(max_length=100, blank=True)
    country = models.CharField(max_length=2, default="MX")
    latitude = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)
    port_of_entry = models.ForeignKey(PortOfEntry, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta(Term.Meta):
        verbose_name = _("city")
        verbose_name_plural = _("cities")


class Country(Term):
    """Nationalities, by ISO 3166-1 alpha-2 code in lower case."""

    class Meta(Term.Meta):
        ordering = ["label_en"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")


class Tag(models.Model):
    name = models.SlugField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# ---------------------------------------------------------------------------- incidents


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    RETRACTED = "retracted", _("Retracted")


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")
    APPROXIMATE = "approximate", _("Approximate")


class Gender(models.TextChoices):
    UNKNOWN = "", _("Not known")
    WOMEN = "women", _("Women or girls")
    MEN = "men", _("Men or boys")
    MIXED = "mixed", _("Mixed")
    OTHER = "other", _("Non-binary or other")


class YesNoUnknown(models.TextChoices):
    UNKNOWN = "unknown", _("Unknown")
    YES = "yes", _("Yes")
    NO = "no", _("No")


class Verification(models.TextChoices):
    SEVERAL = "several", _("Several independent sources")
    ONE = "one", _("One credible source")
    UNVERIFIED = "unverified", _("Unverified")


def public_q(prefix: str = "") -> models.Q:
    """Published and not merged into another record: the one rule for what the public sees
    (`prefix` reaches it through a relation, e.g. "document__citations__incident__")."""
    return models.Q(**{f"{prefix}status": Status.PUBLISHED, f"{prefix}merged_into__isnull": True})


class IncidentQuerySet(SealedQuerySet):
    def public(self) -> IncidentQuerySet:
        """Published incidents not merged into another (see `public_q`)."""
        return self.filter(public_q())


class Incident(Sealed, models.Model):
    reference = models.CharField(_("reference"), max_length=20, unique=True, editable=False)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    title = models.CharField(
        _("public title"), max_length=200, help_text=_("Written for publication: no names.")
    )
    summary = models.TextField(
        _("public summary"),
        help_text=_("Written for publication: no names, nothing that identifies a person."),
    )
    # Encrypted at rest like person records; the staff search index keeps keyed word hashes.
    narrative = EncryptedTextField(
        _("restricted narrative"), blank=True, help_text=_("Never published.")
    )
    date = models.DateField(_("date of the incident"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"), max_length=12, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    date_reported = models.DateField(_("date first reported"), null=True, blank=True)
    # Derived from `date` on save, for fast facets and monthly statistics.
    year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False, db_index=True)
    month = models.DateField(null=True, blank=True, editable=False)

    city = models.ForeignKey(
        City, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("city")
    )
    place_type = models.ForeignKey(
        PlaceType, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("place type")
    )
    program = models.ForeignKey(
        Program, null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("program")
    )
    violence_types = models.ManyToManyField(
        ViolenceType, blank=True, related_name="incidents", verbose_name=_("violence types")
    )
    perpetrators = models.ManyToManyField(
        Perpetrator, blank=True, related_name="incidents", verbose_name=_("perpetrator types")
    )
    victim_groups = models.ManyToManyField(
        VictimGroup, blank=True, related_name="incidents", verbose_name=_("victim groups")
    )
    nationalities = models.ManyToManyField(
        Country, blank=True, related_name="incidents", verbose_name=_("nationalities")
    )
    victims_count = models.PositiveIntegerField(_("number of people harmed"), default=1)
    children_count = models.PositiveIntegerField(_("of whom children"), default=0)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)

    port_of_entry = models.ForeignKey(
        PortOfEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        verbose_name=_("returned through port of entry"),
    )
    fear_expressed = models.CharField(
        _("expressed fear of return to US officials"),
        max_length=8,
        choices=YesNoUnknown.choices,
        default=YesNoUnknown.UNKNOWN,
    )
    complaint_crcl = models.BooleanField(_("complaint filed with CRCL"), default=False)
    complaint_oig = models.BooleanField(_("complaint filed with OIG"), default=False)
    lawsuit = models.BooleanField(_("lawsuit filed"), default=False)
    verification = models.CharField(
        _("verification"),
        max_length=12,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
    )
    tags = models.ManyToManyField(Tag, blank=True, verbose_name=_("tags"))
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged",
        verbose_name=_("merged into"),
    )
    retraction_reason = models.TextField(_("public reason for retraction"), blank=True)
    # An editor sent the record back to draft: why, when and who (shown to the researcher).
    sent_back_reason = models.TextField(_("why it was sent back"), blank=True)
    sent_back_at = models.DateTimeField(_("sent back at"), null=True, blank=True)
    sent_back_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("sent back by"),
    )

    organization = models.ForeignKey(
        "accounts.Organization", null=True, blank=True, on_delete=models.PROTECT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_incidents",
        verbose_name=_("assignee"),
    )
    external_id = models.CharField(max_length=100, blank=True, db_index=True)
    is_demo = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True, editable=False, db_index=True)
    retracted_at = models.DateTimeField(null=True, blank=True, editable=False)
    row_digest = RowDigestField()  # last: see audit/rows.py

    # Sealed writes (audit/rows.py) and the one "public" rule.
    objects = IncidentQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"  # deletion's SET_NULL updates reseal too
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["status", "date"]),
            models.Index(fields=["status", "city"]),
            models.Index(fields=["status", "year"]),
            models.Index(fields=["status", "month"]),
            # The workspace lists every record by last change or by date (staff_views.home).
            models.Index(fields=["updated_at"], name="incident_updated_idx"),
            models.Index(fields=["date", "id"], name="incident_date_id_idx"),
            # "Latest cases" on the home page and the feed: newest publication first.
            models.Index(fields=["status", "published_at", "id"], name="incident_published_idx"),
        ]
        verbose_name = _("incident")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def save(self, *args, **kwargs) -> None:
        self.derive()
        if not self.reference:
            self.reference = next_reference(self.date)
        super().save(*args, **kwargs)

    def derive(self) -> None:
        """The fields derived from others, as every write sets them (save() and the bulk
        writer, incidents/bulkwrite.py): year and month from the date."""
        if self.date:
            self.year = self.date.year
            self.month = self.date.replace(day=1)
        else:
            self.year = self.month = None

    @property
    def audit_label(self) -> str:
        return self.reference


def next_reference(date: dt.date | None) -> str:
    from .references import next_reference as allocate

    return allocate(date)


class ReferenceCounter(models.Model):
    """The last reference number given out in a year (incidents/references.py)."""

    year = models.PositiveIntegerField(primary_key=True)
    last = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Person(Sealed, models.Model):
    """A restricted record of a person harmed: encrypted at rest, never public."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="persons")
    name = EncryptedTextField(_("name"), blank=True)
    a_number = EncryptedTextField(_("A-number"), blank=True)
    contact = EncryptedTextField(_("contact"), blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    row_digest = RowDigestField()  # last: see audit/rows.py

    objects = SealedQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"  # deletion's SET_NULL updates reseal too
        verbose_name = _("person")

    def __str__(self) -> str:
        # Never the name: this string shows in admin lists and logs.
        return f"person #{self.pk}"

    @property
    def audit_label(self) -> str:
        return f"person #{self.pk}"


# ---------------------------------------------------------------------------- evidence


def archive_path(instance: Document, filename: str) -> str:
    # Files are named by their hash: a new file never replaces an old one.
    return f"archive/{instance.sha256[:2]}/{instance.sha256}"


class Document(Sealed, models.Model):
    kind = models.ForeignKey(DocumentKind, on_delete=models.PROTECT, verbose_name=_("kind"))
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    url = models.URLField(_("address (URL)"), max_length=1000, blank=True)
    date_published = models.DateField(_("date published"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    # The archived copy, kept as it arrived.
    file = models.FileField(_("archived copy"), upload_to=archive_path, blank=True, max_length=200)
    original_filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    media_type = models.CharField(max_length=100, blank=True)
    captured_at = models.DateTimeField(null=True, blank=True)
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    row_digest = RowDigestField()  # last: see audit/rows.py

    objects = SealedQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"  # deletion's SET_NULL updates reseal too
        ordering = ["-date_published", "title"]
        verbose_name = _("document")

    def __str__(self) -> str:
        return self.title

    @property
    def audit_label(self) -> str:
        return self.title[:200]


class Reliability(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Citation(Sealed, models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="citations")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="citations")
    passage = models.CharField(_("page or passage"), max_length=200, blank=True)
    excerpt = models.TextField(_("short excerpt"), blank=True)
    reliability = models.CharField(
        _("reliability for this case"),
        max_length=8,
        choices=Reliability.choices,
        default=Reliability.MEDIUM,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Set on a citation a merge copied from the duplicate, so undoing the merge removes it.
    merged_from = models.ForeignKey(
        Incident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    row_digest = RowDigestField()  # last: see audit/rows.py

    objects = SealedQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"  # deletion's SET_NULL updates reseal too
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "document"], name="one_citation_per_document"
            )
        ]
        verbose_name = _("citation")

    def __str__(self) -> str:
        return f"citation #{self.pk}"

    @property
    def audit_label(self) -> str:
        return f"citation #{self.pk}"


# ---------------------------------------------------------------------------- search


class SearchEntry(models.Model):
    """Text the full-text index reads, folded to lower case without accents.

    `public` holds public fields only (public search); `everything` is the public text followed
    by restricted text (staff search). On SQLite an FTS5 table mirrors this one through
    triggers; on PostgreSQL stored to_tsvector('simple', …) columns of the public text and of
    what follows it, with GIN indexes, serve the same queries (migrations 0006 and 0020,
    search.py).
    """

    incident = models.OneToOneField(
        Incident, primary_key=True, on_delete=models.CASCADE, related_name="search"
    )
    public = models.TextField()
    everything = models.TextField()

    def __str__(self) -> str:
        return f"search entry of incident {self.incident_id}"


class BulkChange(models.Model):
    """One bulk action on several incidents, kept so it can be undone as one step
    (incidents/bulk.py). `changes` holds, per incident, the field's value before and after
    (codes and ids only: never restricted text)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=30)
    value = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"bulk change #{self.pk} ({self.action})"


class AccountabilityStep(models.Model):
    """A dated step in what happened after an incident (public/accountability.py says what is public):
    a complaint filed and its answer, a lawsuit and its status. The office's reference
    number is restricted (encrypted at rest, never public); the rest is public once the
    incident is published."""

    class Kind(models.TextChoices):
        FILED = "filed", _("complaint filed")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        INVESTIGATING = "investigating", _("investigation opened")
        CLOSED_FINDING = "closed-finding", _("closed with a finding")
        CLOSED_NO_FINDING = "closed-no-finding", _("closed without a finding")
        NO_ANSWER = "no-answer", _("no answer")
        LAWSUIT_FILED = "lawsuit-filed", _("lawsuit filed")
        LAWSUIT_STATUS = "lawsuit-status", _("lawsuit status")

    class Office(models.TextChoices):
        CRCL = "crcl", _("DHS Office for Civil Rights and Civil Liberties (CRCL)")
        OIG = "oig", _("DHS Office of Inspector General (OIG)")
        OTHER = "other", _("another office")
        COURT = "court", _("a court")

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="accountability_steps"
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("step"), max_length=20, choices=Kind.choices)
    office = models.CharField(_("office"), max_length=10, choices=Office.choices)
    reference_number = EncryptedTextField(_("office's reference number (restricted)"), blank=True)
    lawsuit = models.ForeignKey(
        "library.LibraryItem",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("lawsuit in the library"),
    )
    note = models.CharField(_("public note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("accountability step")

    def __str__(self) -> str:
        return f"accountability step #{self.pk}"


# Short office names for the public facet ("CRCL: complaint filed").
OFFICE_SHORT = {
    "crcl": _("CRCL"),
    "oig": _("OIG"),
    "other": _("another office"),
    "court": _("a court"),
}


class AccountabilityStatus(models.Model):
    """Where an incident's accountability stands: the office and kind of its latest step, a
    value of the public facet `accountability` (rows made by migration 0017, one per pair).
    No reference number: public/accountability.py says what is public."""

    code = models.SlugField(max_length=40, unique=True)
    office = models.CharField(max_length=10, choices=AccountabilityStep.Office.choices)
    kind = models.CharField(max_length=20, choices=AccountabilityStep.Kind.choices)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("accountability status")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _("%(office)s: %(step)s") % {
            "office": OFFICE_SHORT.get(self.office, self.office),
            "step": self.get_kind_display(),
        }


class LatestAccountability(models.Model):
    """The latest step of each incident that has one, as its status (a database view,
    migration 0017): the link table of the `accountability` facet, read only."""

    id = models.BigIntegerField(primary_key=True)  # the step's id
    incident = models.ForeignKey(
        Incident, on_delete=models.DO_NOTHING, related_name="latest_accountability"
    )
    accountabilitystatus = models.ForeignKey(
        AccountabilityStatus, on_delete=models.DO_NOTHING, related_name="+"
    )

    class Meta:
        managed = False
        db_table = "incidents_latestaccountability"

    def __str__(self) -> str:
        return f"latest accountability step #{self.pk}"
