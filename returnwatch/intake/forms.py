"""The public tip form and the follow-up form, in five languages.

Every message a person can see is marked for translation here (Django's own messages are not
translated into Haitian Creole, so each field carries its own).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, cast

from django import forms
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from returnwatch.incidents.models import (
    City,
    PlaceType,
    PortOfEntry,
    Program,
    VictimGroup,
    ViolenceType,
)

from .files import ACCEPT_ATTRIBUTE, FileRefused, PreparedFile, prepare_all
from .models import SubmitterRole

# Nationalities most often met among people returned to Mexico, offered as tick boxes.
COMMON_NATIONALITIES = [
    ("hn", _("Honduras")),
    ("gt", _("Guatemala")),
    ("sv", _("El Salvador")),
    ("cu", _("Cuba")),
    ("ve", _("Venezuela")),
    ("ni", _("Nicaragua")),
    ("ht", _("Haiti")),
    ("ec", _("Ecuador")),
    ("co", _("Colombia")),
    ("br", _("Brazil")),
    ("pe", _("Peru")),
]
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def messages(**extra: Any) -> dict[str, Any]:
    base = {
        "required": _("Please fill in this field."),
        "invalid": _("Please check this answer."),
        "invalid_choice": _("Please choose one of the options offered."),
        "invalid_list": _("Please choose from the options offered."),
        "max_length": _("This answer is too long."),
    }
    base.update(extra)
    return base


def terms(model: Any, blank: Any = None) -> list[tuple[str, str]]:
    rows = [(t.code, t.label) for t in model.objects.filter(active=True)]
    return ([("", blank)] if blank is not None else []) + rows


def other_countries() -> list[tuple[str, str | Promise]]:
    # django-countries has no Haitian Creole names; French ones are widely read in Haiti.
    lang = translation.get_language() or "en"
    common = {code for code, _label in COMMON_NATIONALITIES}
    with translation.override("fr" if lang.startswith("ht") else lang):
        rows: list[tuple[str, str | Promise]] = [
            (c.lower(), str(n)) for c, n in countries if c.lower() not in common
        ]
    return [("", _("Another nationality (optional)"))] + rows


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [f for f in items if f]


class TipForm(forms.Form):
    submitter_role = forms.ChoiceField(
        label=_("Who is writing?"),
        choices=SubmitterRole.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages=messages(),
    )
    violence_types = forms.MultipleChoiceField(
        label=_("What happened? Tick all that apply."),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages=messages(),
    )
    narrative = forms.CharField(
        label=_("Tell us what happened, in your own words"),
        help_text=_(
            "Who was harmed, what was done, by whom, when and where. Write in any language. "
            "You do not need to give names."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=20000,
        error_messages=messages(
            required=_("Please tell us what happened: this is the only question you must answer.")
        ),
    )
    date = forms.DateField(
        label=_("When did it happen? (date)"),
        help_text=_("If you know the exact day."),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages=messages(invalid=_("Please write the date as year-month-day.")),
    )
    month = forms.CharField(
        label=_("Or the approximate month"),
        help_text=_("If you do not know the day, write the year and month, e.g. 2025-03."),
        required=False,
        max_length=7,
        widget=forms.TextInput(
            attrs={"type": "month", "placeholder": "2025-03", "pattern": r"\d{4}-\d{2}"}
        ),
        error_messages=messages(),
    )
    city = forms.ChoiceField(
        label=_("Where did it happen? (city)"), required=False, error_messages=messages()
    )
    city_other = forms.CharField(
        label=_("If another place, which one?"),
        help_text=_("A town or area is enough. Please do not give a street address."),
        required=False,
        max_length=200,
        error_messages=messages(),
    )
    place_type = forms.ChoiceField(
        label=_("What kind of place?"), required=False, error_messages=messages()
    )
    program = forms.ChoiceField(
        label=_("Under which program was the person sent back to Mexico?"),
        required=False,
        error_messages=messages(),
    )
    port_of_entry = forms.ChoiceField(
        label=_("Through which border crossing was the person sent back?"),
        required=False,
        error_messages=messages(),
    )
    fear_expressed = forms.ChoiceField(
        label=_("Did the person tell US officials they were afraid to return to Mexico?"),
        choices=[("yes", _("Yes")), ("no", _("No")), ("unknown", _("I don't know"))],
        widget=forms.RadioSelect,
        required=False,
        error_messages=messages(),
    )
    victim_groups = forms.MultipleChoiceField(
        label=_("Who was harmed? Tick all that apply."),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages=messages(),
    )
    nationalities = forms.MultipleChoiceField(
        label=_("Nationality of the people harmed"),
        choices=COMMON_NATIONALITIES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages=messages(),
    )
    other_nationality = forms.ChoiceField(
        label=_("Another nationality"), required=False, error_messages=messages()
    )
    files = MultipleFileField(  # type: ignore[assignment]  # a field: the metaclass takes it off the class
        label=_("Photos, documents, voice notes or short videos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        error_messages=messages(),
    )
    contact = forms.CharField(
        label=_("How can we reach you? (optional)"),
        help_text=_(
            "A phone number, WhatsApp, Signal or email. Only our researchers can read it. "
            "Leave it empty to stay anonymous."
        ),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=messages(),
    )
    consent_contact = forms.BooleanField(
        label=_("You may contact me about this information."), required=False
    )
    consent_publish = forms.BooleanField(
        label=_(
            "You may publish an account of what happened with no names or details that "
            "could identify anyone."
        ),
        required=False,
    )
    consent_crcl = forms.BooleanField(
        label=_(
            "You may share this information with the US Department of Homeland Security's "
            "Office for Civil Rights and Civil Liberties (CRCL)."
        ),
        required=False,
    )
    # One-time token (submissions.new_submission_token): the same form sent twice saves once.
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    # Honeypot: hidden from people (CSS and aria-hidden); automated senders fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, oversized: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.oversized = oversized or []
        self.prepared: list[PreparedFile] = []
        cast(forms.ChoiceField, self.fields["violence_types"]).choices = terms(ViolenceType)
        cast(forms.ChoiceField, self.fields["victim_groups"]).choices = terms(VictimGroup)
        cast(forms.ChoiceField, self.fields["city"]).choices = terms(City, _("Choose a city"))
        cast(forms.ChoiceField, self.fields["place_type"]).choices = terms(
            PlaceType, _("Choose (optional)")
        )
        cast(forms.ChoiceField, self.fields["program"]).choices = terms(Program, _("I don't know"))
        cast(forms.ChoiceField, self.fields["port_of_entry"]).choices = terms(
            PortOfEntry, _("I don't know")
        )
        cast(forms.ChoiceField, self.fields["other_nationality"]).choices = other_countries()
        # The browser refuses a future day before sending (the server checks it too).
        self.fields["date"].widget.attrs["max"] = dt.date.today().isoformat()

    def clean_month(self) -> str:
        value = self.cleaned_data.get("month", "").strip()
        if not value:
            return ""
        match = MONTH.match(value)
        if not match or not 1 <= int(match.group(2)) <= 12:
            raise forms.ValidationError(
                _("Please write the month as year-month, e.g. 2025-03."), code="invalid"
            )
        return value

    def clean_date(self) -> dt.date | None:
        value = self.cleaned_data.get("date")
        if value and value > dt.date.today():
            raise forms.ValidationError(_("This date is in the future."), code="future")
        return value

    def clean_files(self) -> list[Any]:
        from django.template.defaultfilters import filesizeformat

        from .files import max_file_bytes

        uploads = self.cleaned_data.get("files") or []
        errors = [
            _("“%(name)s” is too large. Each file may be at most %(limit)s.")
            % {"name": name, "limit": filesizeformat(max_file_bytes())}
            for name in self.oversized
        ]
        try:
            self.prepared = prepare_all(uploads)
        except FileRefused as refused:
            errors.append(str(refused))
        if errors:
            raise forms.ValidationError(errors)
        return uploads

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("consent_contact") and not (data.get("contact") or "").strip():
            self.add_error(
                "contact",
                _("You said we may contact you: please tell us how, or untick that box."),
            )
        return data

    def tip_data(self) -> dict[str, Any]:
        """What create_tip() takes, from the cleaned form."""
        d = self.cleaned_data
        nationalities = list(d.get("nationalities") or [])
        if d.get("other_nationality"):
            nationalities.append(d["other_nationality"])
        return {
            "submitter_role": d.get("submitter_role", ""),
            "violence_types": d.get("violence_types", []),
            "narrative": d["narrative"],
            "date": d.get("date") or d.get("month") or None,
            "city": d.get("city", ""),
            "city_other": d.get("city_other", ""),
            "place_type": d.get("place_type", ""),
            "program": d.get("program", ""),
            "port_of_entry": d.get("port_of_entry", ""),
            "fear_expressed": d.get("fear_expressed") or "unknown",
            "victim_groups": d.get("victim_groups", []),
            "nationalities": nationalities,
            "contact": d.get("contact", ""),
            "consent_contact": d.get("consent_contact", False),
            "consent_publish": d.get("consent_publish", False),
            "consent_crcl": d.get("consent_crcl", False),
            "language": (translation.get_language() or "en")[:2],
        }


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Your receipt code"),
        help_text=_("The code you received when you sent your information, e.g. ABCD-1234-…"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages=messages(required=_("Please enter your receipt code.")),
    )


class FollowUpForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=64)
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    text = forms.CharField(
        label=_("What would you like to add?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=20000,
        error_messages=messages(),
    )
    files = MultipleFileField(  # type: ignore[assignment]  # a field: the metaclass takes it off the class
        label=_("Photos, documents, voice notes or short videos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        error_messages=messages(),
    )

    def __init__(self, *args: Any, oversized: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.oversized = oversized or []
        self.prepared: list[PreparedFile] = []

    clean_files = TipForm.clean_files

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors and not (data.get("text") or "").strip() and not self.prepared:
            raise forms.ValidationError(
                _("Please write something or choose a file to add."), code="empty"
            )
        return data
