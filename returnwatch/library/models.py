"""The library: documents shown to the public as reports, investigations and lawsuits.

A library item adds to a Document (which keeps title, publisher, address, date, language,
summary and the archived copy) what the library needs: a page address, a library kind,
Spanish title and summary, programs, and for lawsuits the court, docket, parties, status
with its dated history and links to key filings. What of this the public sees is decided in
returnwatch/public.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from returnwatch.incidents.models import Document, Program
from returnwatch.incidents.search import fold


class LibraryKind(models.TextChoices):
    REPORT = "report", _("Human rights report")
    INVESTIGATION = "investigation", _("Investigation or oversight report")
    LAWSUIT = "lawsuit", _("Lawsuit")
    GOVERNMENT = "government", _("Government document")
    NEWS = "news-investigation", _("News investigation")


# The document kind a new library item's document gets when none is chosen.
DEFAULT_DOCUMENT_KIND = {
    LibraryKind.REPORT: "ngo-report",
    LibraryKind.INVESTIGATION: "ngo-report",
    LibraryKind.LAWSUIT: "court",
    LibraryKind.GOVERNMENT: "government",
    LibraryKind.NEWS: "news",
}


class LawsuitStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("lawsuit status", "Pending")
    DECIDED = "decided", pgettext_lazy("lawsuit status", "Decided")
    APPEALED = "appealed", pgettext_lazy("lawsuit status", "Appealed")
    SETTLED = "settled", pgettext_lazy("lawsuit status", "Settled")
    CLOSED = "closed", pgettext_lazy("lawsuit status", "Closed")


class LibraryItem(models.Model):
    document = models.OneToOneField(
        Document, on_delete=models.PROTECT, related_name="library_item", verbose_name=_("document")
    )
    slug = models.SlugField(
        _("page address"),
        max_length=120,
        unique=True,
        help_text=_("The item's page is /resources/<address>/. Keep it stable once published."),
    )
    kind = models.CharField(
        _("library kind"), max_length=20, choices=LibraryKind.choices, db_index=True
    )
    title_es = models.CharField(_("title in Spanish"), max_length=300, blank=True)
    summary_es = models.TextField(_("summary in Spanish"), blank=True)
    programs = models.ManyToManyField(
        Program, blank=True, related_name="library_items", verbose_name=_("programs")
    )
    listed = models.BooleanField(
        _("shown in the public library"),
        default=True,
        help_text=_("Untick to take the item off the public library without deleting it."),
    )
    # Lawsuits only.
    court = models.CharField(_("court"), max_length=200, blank=True)
    docket_number = models.CharField(_("docket number"), max_length=100, blank=True)
    parties = models.TextField(_("parties"), blank=True)
    filing_date = models.DateField(_("filing date"), null=True, blank=True)
    lawsuit_status = models.CharField(
        _("status of the lawsuit"), max_length=10, choices=LawsuitStatus.choices, blank=True
    )
    # Folded public text (titles, summaries, publisher, docket) for accent-insensitive search.
    search_text = models.TextField(blank=True, editable=False)
    is_demo = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-document__date_published", "-id"]
        verbose_name = _("library item")
        verbose_name_plural = _("library items")

    def __str__(self) -> str:
        return self.document.title

    def save(self, *args, **kwargs) -> None:
        self.refresh_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("library:detail", args=[self.slug])

    @property
    def audit_label(self) -> str:
        return self.slug

    @property
    def is_lawsuit(self) -> bool:
        return self.kind == LibraryKind.LAWSUIT

    @property
    def title(self) -> str:
        """The title in the current language (Spanish when there is one, else the original)."""
        if (translation.get_language() or "en")[:2] == "es" and self.title_es:
            return self.title_es
        return self.document.title

    def refresh_search_text(self) -> None:
        doc = self.document
        self.search_text = fold(
            " ".join(
                [
                    doc.title,
                    self.title_es,
                    doc.summary,
                    self.summary_es,
                    doc.publisher,
                    self.docket_number,
                    self.court,
                ]
            )
        )


class LawsuitStatusChange(models.Model):
    """One dated step in a lawsuit's history; the latest one sets the lawsuit's status."""

    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="status_changes")
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=LawsuitStatus.choices)
    note = models.CharField(_("what happened"), max_length=500, blank=True)
    note_es = models.CharField(_("what happened, in Spanish"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("lawsuit status change")

    def __str__(self) -> str:
        return f"{self.date} {self.get_status_display()}"

    @property
    def audit_label(self) -> str:
        return f"{self.item.slug} {self.date} {self.status}"


class KeyFiling(models.Model):
    """A key filing of a lawsuit (complaint, order, opinion): itself a Document."""

    item = models.ForeignKey(LibraryItem, on_delete=models.CASCADE, related_name="key_filings")
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="key_filing_of", verbose_name=_("document")
    )
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "document__date_published", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "document"], name="one_key_filing_per_document")
        ]
        verbose_name = _("key filing")

    def __str__(self) -> str:
        return str(self.document)

    @property
    def audit_label(self) -> str:
        return f"{self.item.slug}: {self.document.title[:150]}"


def latest_status(item: LibraryItem) -> str:
    """The status of the latest-dated change, or the item's own status when it has none."""
    last = item.status_changes.order_by("-date", "-id").values_list("status", flat=True).first()
    return last or item.lawsuit_status
