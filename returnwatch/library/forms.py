"""Workspace forms: a library item together with its document, lawsuit steps and key filings."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from returnwatch import access
from returnwatch.incidents import files
from returnwatch.incidents.models import Document, DocumentKind, Program

from .models import DEFAULT_DOCUMENT_KIND, LawsuitStatusChange, LibraryItem, LibraryKind

LANGUAGE_CHOICES = [
    ("", _("Not known")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("ht", _("Haitian Creole")),
    ("pt", _("Portuguese")),
    ("fr", _("French")),
    ("other", _("Other")),
]
# Document fields edited on the library form (the document is the publication itself).
DOCUMENT_FIELDS = ("title", "publisher", "url", "date_published", "language", "summary")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def archive_field() -> forms.FileField:
    return forms.FileField(
        label=_("Archived copy (optional)"),
        required=False,
        help_text=_(
            "Up to %(limit)s. Stored exactly as it is and named by its SHA-256 hash; "
            "the hash is shown on the public page, the file itself is not."
        )
        % {"limit": files.human_size(settings.DOCUMENT_MAX_BYTES)},
    )


def inspect_upload(f: Any, user: Any) -> files.Inspected | None:
    """Hash and check an upload; refuse one already archived (cite that document instead)."""
    if not f:
        return None
    try:
        inspected = files.inspect(f)
    except files.FileRefused as refused:
        raise forms.ValidationError(str(refused)) from refused
    files.refuse_if_archived(inspected.sha256, user)
    return inspected


class LibraryItemForm(forms.ModelForm):
    """A library item and the document it shows, edited together.

    With `document=` an existing document (already cited by cases) becomes a library item;
    otherwise a new document is created. The archived file can be added only while the
    document has none: an archived copy is never replaced.
    """

    title = forms.CharField(label=_("Title"), max_length=300)
    publisher = forms.CharField(
        label=_("Organization or publisher"),
        max_length=200,
        required=False,
        help_text=_("For lawsuits, the organization that filed it or publishes the case page."),
    )
    url = forms.URLField(
        label=_("Address (URL)"), max_length=1000, required=False, assume_scheme="https"
    )
    date_published = forms.DateField(label=_("Date published"), required=False, widget=DateInput())
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    document_kind = forms.ModelChoiceField(
        label=_("Document kind"),
        queryset=DocumentKind.objects.none(),
        required=False,
        help_text=_("Left empty, it follows the library kind."),
    )

    class Meta:
        model = LibraryItem
        fields = [
            "kind",
            "title_es",
            "summary_es",
            "programs",
            "slug",
            "listed",
            "court",
            "docket_number",
            "parties",
            "filing_date",
            "lawsuit_status",
        ]
        widgets = {
            "summary_es": forms.Textarea(attrs={"rows": 4}),
            "parties": forms.Textarea(attrs={"rows": 3}),
            "filing_date": DateInput(),
            "programs": forms.CheckboxSelectMultiple,
        }

    field_order = [
        "kind",
        "title",
        "title_es",
        "publisher",
        "date_published",
        "url",
        "language",
        "summary",
        "summary_es",
        "programs",
        "document_kind",
        "file",
        "slug",
        "listed",
        "court",
        "docket_number",
        "parties",
        "filing_date",
        "lawsuit_status",
    ]
    LAWSUIT_FIELDS = ("court", "docket_number", "parties", "filing_date", "lawsuit_status")

    def __init__(
        self,
        *args: Any,
        document: Document | None = None,
        lock_document: bool = False,
        user: Any = None,
        **kwargs: Any,
    ) -> None:
        self.user = user
        instance = kwargs.get("instance")
        self.document = instance.document if instance is not None else document
        if self.document is not None:
            initial = kwargs.setdefault("initial", {})
            for name in DOCUMENT_FIELDS:
                initial.setdefault(name, getattr(self.document, name))
            initial.setdefault("document_kind", self.document.kind_id)
            if instance is None:
                initial.setdefault("kind", _guess_kind(self.document))
        super().__init__(*args, **kwargs)
        current = [self.document.kind_id] if self.document is not None else []
        cast(
            forms.ModelChoiceField, self.fields["document_kind"]
        ).queryset = DocumentKind.objects.filter(
            Q(public=True, active=True) | Q(pk__in=current, public=True)
        )
        cast(forms.ModelChoiceField, self.fields["programs"]).queryset = Program.objects.filter(
            active=True
        )
        self.fields["slug"].required = self.instance.pk is not None
        if self.instance.pk is None:
            self.fields["slug"].help_text = _("Left empty, it is made from the title.")
            self.fields["lawsuit_status"].label = _("Status of the lawsuit today")
        else:
            # Later changes of status go through the dated history, never straight here.
            del self.fields["lawsuit_status"]
        self.document_locked = lock_document
        if lock_document:
            # Disabled fields keep the document's values whatever is posted.
            for name in (*DOCUMENT_FIELDS, "document_kind"):
                self.fields[name].disabled = True
        elif self.document is None or not self.document.sha256:
            self.fields["file"] = archive_field()
        language = self.initial.get("language") or ""
        if language and language not in dict(LANGUAGE_CHOICES):
            cast(forms.ChoiceField, self.fields["language"]).choices = [
                *LANGUAGE_CHOICES,
                (language, language),
            ]
        self.inspected: files.Inspected | None = None
        self.order_fields(self.field_order)

    def clean_file(self) -> Any:
        f = self.cleaned_data.get("file")
        self.inspected = inspect_upload(f, self.user)
        return f

    def clean_slug(self) -> str:
        slug = self.cleaned_data.get("slug") or ""
        if slug and LibraryItem.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Another library item already has this address."))
        return slug

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == LibraryKind.LAWSUIT:
            if not data.get("court"):
                self.add_error("court", _("A lawsuit needs its court."))
        else:
            # Lawsuit details belong to lawsuits only; drop them silently for other kinds.
            for name in self.LAWSUIT_FIELDS:
                if name in self.fields:
                    data[name] = None if name == "filing_date" else ""
        if self.document is not None and not self.document.kind.public:
            raise forms.ValidationError(
                _("Interviews and information sent through this site can never be shown in public.")
            )
        return data

    def unique_slug(self) -> str:
        base = slugify(self.cleaned_data["title"])[:100].strip("-") or "item"
        slug, n = base, 2
        while LibraryItem.objects.filter(slug=slug).exclude(pk=self.instance.pk).exists():
            slug, n = f"{base}-{n}", n + 1
        return slug

    def apply_document(self, user: Any) -> tuple[Document, list[str]]:
        """Fill (or create) the document from the form; returns it unsaved with changed fields."""
        data = self.cleaned_data
        document = self.document or Document(created_by=user)
        changed = [n for n in DOCUMENT_FIELDS if getattr(document, n) != (data.get(n) or _empty(n))]
        for name in DOCUMENT_FIELDS:
            setattr(document, name, data.get(name) or _empty(name))
        kind = data.get("document_kind")
        if kind is None and document.kind_id is None:
            kind = DocumentKind.objects.get(code=DEFAULT_DOCUMENT_KIND[LibraryKind(data["kind"])])
        if kind is not None and kind.pk != document.kind_id:
            document.kind = kind
            changed.append("kind")
        upload = data.get("file")
        if upload and self.inspected:
            files.attach(document, upload, self.inspected, user)
            changed += ["sha256", "size", "media_type"]
        return document, changed


def _empty(name: str) -> Any:
    return None if name == "date_published" else ""


def _guess_kind(document: Document) -> str:
    code = document.kind.code if document.kind_id else ""
    return {
        "court": LibraryKind.LAWSUIT,
        "government": LibraryKind.GOVERNMENT,
        "news": LibraryKind.NEWS,
    }.get(code, LibraryKind.REPORT)


class StatusChangeForm(forms.ModelForm):
    class Meta:
        model = LawsuitStatusChange
        fields = ["date", "status", "note", "note_es"]
        widgets = {"date": DateInput()}
        help_texts = {"note": _("Public: e.g. “The court granted a preliminary injunction.”")}


class KeyFilingForm(forms.Form):
    """A key filing: an existing document by its number, or a new one described here."""

    existing = forms.IntegerField(
        label=_("Existing document number"),
        required=False,
        min_value=1,
        help_text=_("The number of a document already in the workspace; or describe a new one."),
    )
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    url = forms.URLField(
        label=_("Address (URL)"), max_length=1000, required=False, assume_scheme="https"
    )
    date_published = forms.DateField(label=_("Date filed"), required=False, widget=DateInput())

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["file"] = archive_field()
        self.inspected: files.Inspected | None = None

    def clean_file(self) -> Any:
        f = self.cleaned_data.get("file")
        self.inspected = inspect_upload(f, self.user)
        return f

    def clean_existing(self) -> Document | None:
        pk = self.cleaned_data.get("existing")
        if not pk:
            return None
        # Another organization's document answers like one that does not exist.
        document = access.visible_documents(self.user).select_related("kind").filter(pk=pk).first()
        if document is None:
            raise forms.ValidationError(_("There is no document with this number."))
        if not document.kind.public:
            raise forms.ValidationError(
                _("Interviews and information sent through this site can never be shown in public.")
            )
        return document

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("existing") and not data.get("title"):
            raise forms.ValidationError(_("Give an existing document's number or a new title."))
        return data
