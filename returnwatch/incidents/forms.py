"""Forms of the researchers' workspace. Vocabularies are checkboxes: no JavaScript needed."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from returnwatch import access

from . import files, rules
from .models import (
    AccountabilityStep,
    Citation,
    City,
    Document,
    DocumentKind,
    Incident,
    Person,
    Reliability,
    Status,
    Tag,
    ViolenceType,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def terms(model: Any, selected: Any = ()) -> QuerySet[Any]:
    """Active vocabulary values, plus retired ones a record already uses (so none is lost)."""
    return model.objects.filter(Q(active=True) | Q(pk__in=list(selected)))


def user_label(user: Any) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return user_label(obj)


MULTI = ("violence_types", "perpetrators", "victim_groups", "nationalities")
SINGLE = ("city", "place_type", "program", "port_of_entry")


class IncidentForm(forms.ModelForm):
    tags_text = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Words separated by commas, e.g. bus-station, repeat-kidnapping."),
    )

    class Meta:
        model = Incident
        fields = [
            "title",
            "summary",
            "narrative",
            "date",
            "date_precision",
            "date_reported",
            "city",
            "place_type",
            "program",
            "violence_types",
            "perpetrators",
            "victims_count",
            "children_count",
            "gender",
            "victim_groups",
            "nationalities",
            "port_of_entry",
            "fear_expressed",
            "complaint_crcl",
            "complaint_oig",
            "lawsuit",
            "verification",
            "assignee",
            "external_id",
        ]
        widgets = {
            "date": DateInput(),
            "date_reported": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 5}),
            "narrative": forms.Textarea(attrs={"rows": 8}),
            "violence_types": forms.CheckboxSelectMultiple,
            "perpetrators": forms.CheckboxSelectMultiple,
            "victim_groups": forms.CheckboxSelectMultiple,
            "nationalities": forms.CheckboxSelectMultiple,
            "date_precision": forms.RadioSelect,
            "fear_expressed": forms.RadioSelect,
            "verification": forms.RadioSelect,
        }
        labels = {"external_id": _("Identifier in another database")}
        help_texts = {
            "date": _("Leave empty when not known; for a month or a year, pick any day in it."),
            "narrative": _("Never published. Names and details that identify people go here."),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        for name in SINGLE:
            current = [getattr(instance, f"{name}_id")] if getattr(instance, f"{name}_id") else []
            model = Incident._meta.get_field(name).related_model
            cast(forms.ModelChoiceField, self.fields[name]).queryset = terms(model, current)
        for name in MULTI:
            current = (
                list(getattr(instance, name).values_list("pk", flat=True)) if instance.pk else []
            )
            model = Incident._meta.get_field(name).related_model
            cast(forms.ModelChoiceField, self.fields[name]).queryset = terms(model, current)
        assignee = UserChoiceField(
            queryset=access.assignable_users(user),
            required=False,
            label=_("Assignee"),
            empty_label=_("Nobody"),
        )
        self.fields["assignee"] = assignee
        nationalities = cast(forms.ModelChoiceField, self.fields["nationalities"])
        assert nationalities.queryset is not None  # set by terms() above
        nationalities.queryset = nationalities.queryset.order_by("label_en")
        if instance.pk:
            self.fields["tags_text"].initial = ", ".join(t.name for t in instance.tags.all())
        self.order_fields([*self.Meta.fields[:-2], "tags_text", "assignee", "external_id"])

    def clean_tags_text(self) -> list[str]:
        from django.utils.text import slugify

        raw = self.cleaned_data.get("tags_text", "")
        names = []
        for part in raw.split(","):
            name = slugify(part.strip())[:64]
            if name and name not in names:
                names.append(name)
        return names

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The domain rules, shared with the API and the importer (incidents/rules.py).
        for name, message in rules.problems(data, self.instance).items():
            if name in self.fields and name not in self.errors:
                self.add_error(name, message)
        return data

    def changed_fields(self) -> list[str]:
        """Names of fields this submission changes, tags included (values never leave here)."""
        changed = [n for n in self.changed_data if n != "tags_text"]
        old = sorted(t.name for t in self.instance.tags.all()) if self.instance.pk else []
        if sorted(self.cleaned_data["tags_text"]) != old:
            changed.append("tags")
        return changed

    def save_tags(self, incident: Incident) -> None:
        tags = [Tag.objects.get_or_create(name=n)[0] for n in self.cleaned_data["tags_text"]]
        incident.tags.set(tags)


class IncidentFilterForm(forms.Form):
    """Filters of the workspace list; a bad value is reported beside its field and ignored."""

    q = forms.CharField(label=_("Search"), required=False)
    status = forms.MultipleChoiceField(
        label=_("Status"),
        choices=Status.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    city = forms.ModelChoiceField(
        label=_("City"), queryset=City.objects.all(), required=False, to_field_name="code"
    )
    type = forms.ModelChoiceField(
        label=_("Type"), queryset=ViolenceType.objects.all(), required=False, to_field_name="code"
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput())
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("updated", _("Last changed")),
            ("date", _("Date of the incident")),
            ("reference", _("Reference")),
        ],
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Nobody")),
        ]
        choices += [(u.username, user_label(u)) for u in access.assignable_users(user)]
        cast(forms.ChoiceField, self.fields["assignee"]).choices = choices
        cast(forms.ModelChoiceField, self.fields["city"]).empty_label = _("Any city")
        cast(forms.ModelChoiceField, self.fields["type"]).empty_label = _("Any type")

    def valid_data(self) -> dict[str, Any]:
        """Cleaned values of the fields that are valid; invalid ones are left out."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}


LANGUAGE_CHOICES = [
    ("", _("Not known")),
    ("en", _("English")),
    ("es", _("Spanish")),
    ("ht", _("Haitian Creole")),
    ("pt", _("Portuguese")),
    ("fr", _("French")),
    ("other", _("Other")),
]


class DocumentForm(forms.ModelForm):
    """Metadata of a document; the file can be given only when the document is created."""

    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    url = forms.URLField(
        label=_("Address (URL)"), max_length=1000, required=False, assume_scheme="https"
    )

    class Meta:
        model = Document
        fields = ["kind", "title", "publisher", "url", "date_published", "language", "summary"]
        widgets = {"date_published": DateInput(), "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        current = [self.instance.kind_id] if self.instance.kind_id else []
        cast(forms.ModelChoiceField, self.fields["kind"]).queryset = terms(DocumentKind, current)
        self.fields["kind"].help_text = _(
            "Interviews and information sent through this site are never shown in public."
        )
        if not self.instance.pk:
            self.fields["file"] = forms.FileField(
                label=_("Archived copy (optional)"),
                required=False,
                help_text=_(
                    "Up to %(limit)s. It is stored exactly as it is, named by its SHA-256 hash, "
                    "and can never be replaced: a different file means a new document."
                )
                % {"limit": files.human_size(settings.DOCUMENT_MAX_BYTES)},
            )
        self.inspected: files.Inspected | None = None

    def clean_file(self) -> Any:
        f = self.cleaned_data.get("file")
        if not f:
            return None
        try:
            self.inspected = files.inspect(f)
        except files.FileRefused as refused:
            raise forms.ValidationError(str(refused)) from refused
        files.refuse_if_archived(self.inspected.sha256, self.user)
        return f


class CitationForm(forms.ModelForm):
    class Meta:
        model = Citation
        fields = ["passage", "excerpt", "reliability"]
        widgets = {"excerpt": forms.Textarea(attrs={"rows": 3}), "reliability": forms.RadioSelect}
        help_texts = {"excerpt": _("A short quotation that supports the record.")}


class ChooseDocumentForm(forms.Form):
    """Which document to cite; the template lists a few found by a search, not all of them."""

    document = forms.ModelChoiceField(
        label=_("Document"),
        queryset=Document.objects.none(),
        error_messages={
            "required": _("Choose the document to cite."),
            "invalid_choice": _("Choose one of the documents listed (it may be cited already)."),
        },
    )

    def __init__(self, *args: Any, queryset: QuerySet[Document], **kw: Any) -> None:
        super().__init__(*args, **kw)
        cast(forms.ModelChoiceField, self.fields["document"]).queryset = queryset


class PersonForm(forms.ModelForm):
    class Meta:
        model = Person
        fields = ["name", "a_number", "contact", "notes"]
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "a_number": forms.TextInput(attrs={"autocomplete": "off"}),
            "contact": forms.Textarea(attrs={"rows": 2, "autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"a_number": _("The 8 or 9 digit Alien Registration Number, if known.")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not any(data.get(f) for f in self.Meta.fields):
            raise forms.ValidationError(_("Fill in at least one field."))
        return data


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("What should the researcher fix?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The researcher sees this on the record until they submit it again."),
        error_messages={"required": _("Say what the researcher should fix.")},
    )


class RetractForm(forms.Form):
    reason = forms.CharField(
        label=_("Public reason for retraction"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the public page of the incident. No names."),
        error_messages={"required": _("Say why the incident is retracted.")},
    )


class SourceForm(forms.Form):
    """One source of a new incident on the one-screen form: the document (an address, a file or
    both) and how the incident cites it. An empty row is skipped."""

    url = forms.URLField(
        label=_("Address (URL)"), max_length=1000, required=False, assume_scheme="https"
    )
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    kind = forms.ModelChoiceField(
        label=_("Kind"), queryset=DocumentKind.objects.none(), required=False, to_field_name="code"
    )
    publisher = forms.CharField(label=_("Publisher"), max_length=200, required=False)
    date_published = forms.DateField(label=_("Date published"), required=False, widget=DateInput())
    passage = forms.CharField(label=_("page or passage"), max_length=200, required=False)
    excerpt = forms.CharField(
        label=_("short excerpt"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reliability = forms.ChoiceField(
        label=_("reliability for this case"),
        choices=Reliability.choices,
        initial=Reliability.MEDIUM,
        required=False,  # an empty row sends it too; a used row without it counts as medium
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        cast(forms.ModelChoiceField, self.fields["kind"]).queryset = terms(DocumentKind, [])
        self.fields["file"] = forms.FileField(
            label=_("Archived copy"),
            required=False,
            help_text=_("If the page comes back with an error, choose the file again."),
        )
        self.inspected: files.Inspected | None = None
        self.existing: Document | None = None

    def clean_file(self) -> Any:
        f = self.cleaned_data.get("file")
        if not f:
            return None
        try:
            self.inspected = files.inspect(f)
        except files.FileRefused as refused:
            raise forms.ValidationError(str(refused)) from refused
        files.refuse_if_archived(self.inspected.sha256, self.user)
        return f

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        used = [
            k for k in ("url", "title", "publisher", "passage", "excerpt", "file") if data.get(k)
        ]
        if not used:
            return data  # an empty row
        url = data.get("url")
        if url and not data.get("file"):
            # An address already in the workspace is cited, not copied.
            self.existing = access.visible_documents(self.user).filter(url=url).first()
        if self.existing is None:
            if not url and not data.get("file"):
                self.add_error("url", _("Give the source's address or its file."))
            if not data.get("title"):
                self.add_error("title", _("Give the source's title."))
            if not data.get("kind"):
                self.add_error("kind", _("Choose what kind of source it is."))
        return data

    @property
    def is_used(self) -> bool:
        data = getattr(self, "cleaned_data", {}) or {}
        return any(data.get(k) for k in ("url", "title", "publisher", "passage", "excerpt", "file"))


SourceFormSet = forms.formset_factory(SourceForm, extra=2, max_num=10, absolute_max=10)


class AccountabilityStepForm(forms.ModelForm):
    class Meta:
        model = AccountabilityStep
        fields = ["date", "kind", "office", "reference_number", "note"]
        widgets = {"date": DateInput()}
        help_texts = {
            "reference_number": _("Kept restricted and encrypted: never shown in public."),
            "note": _("Public, e.g. “CRCL closed the complaint without a finding.” No names."),
        }

    def clean_date(self) -> Any:
        date = self.cleaned_data.get("date")
        if date and date > dt.date.today():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return date
