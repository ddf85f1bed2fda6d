"""The steps of the complaint assistant, in CRCL's order.

Each step is a plain Django form. Nothing here touches the database except to read the
vocabularies (cities, ports, programs, kinds of harm, countries) the choices come from.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils import timezone, translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from returnwatch.incidents.models import City, PortOfEntry, Program, ViolenceType

from .routing import CONCERN_CHOICES
from .vocab import country_choices, term_label

ASSISTANT_LANGUAGES = ["en", "es", "ht", "pt", "fr"]
NARRATIVE_MAX = 60_000  # generous: a long account must still fit; the PDF flows over pages
TEXT_MAX = 10_000
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]


class Role:
    SELF = "self"
    FAMILY = "family"
    ATTORNEY = "attorney"
    OTHER = "other"


ROLE_CHOICES = [
    (Role.SELF, pgettext_lazy("complaint", "I am the person who was harmed")),
    (Role.FAMILY, _("I am a family member of the person who was harmed")),
    (Role.ATTORNEY, _("I am an attorney or accredited representative")),
    (Role.OTHER, _("I am helping in another way (friend, advocate, organization)")),
]
# How the letter names the filer's role (the form's choices speak in the first person).
ROLE_IN_LETTER = {
    Role.FAMILY: _("Family member"),
    Role.ATTORNEY: _("Attorney or accredited representative"),
    Role.OTHER: _("Helper (friend, advocate or organization)"),
}


class Gender:
    WOMAN = "woman"
    MAN = "man"
    NOT_SAID = ""


# Only for grammar: Spanish, Portuguese and French letters agree words with the person.
GENDER_CHOICES = [
    (Gender.WOMAN, _("A woman (the letter says “she”)")),
    (Gender.MAN, _("A man (the letter says “he”)")),
    (Gender.NOT_SAID, _("I prefer not to say (the letter uses neutral wording)")),
]
CONSENT_HOW_CHOICES = [
    ("sign", _("They will sign the consent page at the end of the letter")),
    ("mark", _("They cannot sign: they will make a mark in front of a witness")),
    (
        "form",
        _("They have signed CRCL's own “Complaint and Privacy Waiver Form”; I will enclose it"),
    ),
]
YES_NO_UNKNOWN = [
    ("yes", _("Yes")),
    ("no", _("No")),
    ("unknown", _("I don't know")),
]
COMPONENT_CHOICES = [
    ("cbp-ofo", _("CBP, Office of Field Operations (officers at the port of entry)")),
    ("border-patrol", _("CBP, Border Patrol")),
    ("ice", _("ICE (Immigration and Customs Enforcement)")),
    ("uscis", _("USCIS (asylum officers)")),
    ("other", _("Another part of DHS")),
    ("unknown", _("I don't know")),
]
DOCUMENT_CHOICES = [
    ("nta", _("Notice to Appear")),
    ("mpp", _("MPP papers (hearing notices, the sheet given on return)")),
    ("medical", _("Medical records")),
    ("police", _("Police report or report to Mexican authorities")),
    ("photos", _("Photos or videos of injuries or places")),
    ("statements", _("Written statements of witnesses")),
    ("identity", _("Identity documents")),
]
SHARE_CHOICES = [
    ("when-where", _("When and where: the date, the city and the program")),
    ("types", _("The kinds of harm")),
    ("fear", _("Whether you told US officials you were afraid")),
    ("nationality", _("Your nationality")),
    ("narrative", _("Your description of what happened (take names out first)")),
    ("contact", _("Your phone or email, so ReturnWatch can contact you (kept encrypted)")),
]


def language_choices() -> list[tuple[str, str]]:
    return [
        (code, translation.get_language_info(code)["name_local"]) for code in ASSISTANT_LANGUAGES
    ]


def normalize_a_number(value: str) -> str:
    """'A 123-456-789' -> '123456789'; the letter prints it back as A123-456-789."""
    return re.sub(r"[\s\-.]", "", value.strip()).removeprefix("A").removeprefix("a")


def format_a_number(digits: str) -> str:
    if not digits:
        return ""
    padded = digits.zfill(9)
    return f"A{padded[:3]}-{padded[3:6]}-{padded[6:]}"


def not_in_future(value: dt.date | None) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future. Please check it."))


class DateField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    default_error_messages = {
        "invalid": _("Enter a date like 2019-10-31 (year-month-day)."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        kwargs.setdefault("validators", [not_in_future])
        super().__init__(**kwargs)


def text(label: Any, required: bool = False, max_length: int = 300, **kw: Any) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length, **kw)


def area(label: Any, required: bool = False, max_length: int = TEXT_MAX, **kw: Any) -> Any:
    rows = kw.pop("rows", 4)
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kw,
    )


class CodeChoiceField(forms.ModelChoiceField):
    """A vocabulary choice by stable code, labelled in the visitor's language."""

    def __init__(self, queryset: Any, **kwargs: Any) -> None:
        super().__init__(queryset=queryset, to_field_name="code", **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return term_label(obj)


class CodeMultipleChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, queryset: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        super().__init__(queryset=queryset, to_field_name="code", **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return term_label(obj)


class StepForm(forms.Form):
    """A step; `role` (who is filing) and earlier answers let later steps adapt."""

    required_css_class = "required"

    def __init__(
        self,
        *args: Any,
        role: str = Role.SELF,
        earlier: dict[str, list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        self.role = role
        self.earlier = earlier or {}  # raw answers of earlier steps, by field name
        self.warnings: list[str] = []
        self.warning_codes = ""
        super().__init__(*args, **kwargs)


# ----------------------------------------------------------------------------- the steps


class FilerForm(StepForm):
    filer_role = forms.ChoiceField(
        label=_("Who is filing this complaint?"),
        choices=ROLE_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose who is filing.")},
    )
    rep_name = text(_("Your full name (the person filing)"))
    rep_organization = text(_("Organization or law firm, if any"))
    rep_relationship = text(
        _("Your relationship to the person harmed"),
        help_text=_("For example: mother, brother, attorney, legal representative."),
    )
    rep_phone = text(_("Your phone"), max_length=60)
    rep_email = forms.EmailField(
        label=_("Your email"),
        required=False,
        error_messages={"invalid": _("Enter an email address like name@example.org.")},
    )
    rep_address = area(_("Your mailing address"), max_length=1000, rows=3)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("filer_role") and data["filer_role"] != Role.SELF:
            if not data.get("rep_name"):
                self.add_error("rep_name", _("Please give your name: you are filing."))
            if not (data.get("rep_phone") or data.get("rep_email") or data.get("rep_address")):
                self.add_error(
                    "rep_phone", _("Give at least one way to reach you: phone, email or address.")
                )
        return data


class PersonForm(StepForm):
    full_name = text(
        _("Full name of the person harmed"),
        required=True,
        max_length=200,
        error_messages={"required": _("Please give the full name of the person harmed.")},
    )
    other_names = text(_("Other names used, if any"), max_length=200)
    date_of_birth = DateField(label=_("Date of birth"), required=False)
    a_number = forms.CharField(
        label=_("A-number (Alien Registration Number), if any"),
        required=False,
        max_length=20,
        help_text=_("8 or 9 digits, on US immigration papers. Leave empty if none."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    nationality = forms.ChoiceField(
        label=_("Nationality"),
        required=False,
        choices=lambda: [("", pgettext_lazy("complaint", "Not given")), *country_choices()],
    )
    phone = text(_("Phone (with WhatsApp if possible)"), max_length=60)
    email = forms.EmailField(
        label=pgettext_lazy("complaint", "Email"),
        required=False,
        error_messages={"invalid": _("Enter an email address like name@example.org.")},
    )
    address = area(
        _("Mailing address"),
        max_length=1000,
        rows=3,
        help_text=_("Where mail can reach the person now. It can be in Mexico or the US."),
    )
    gender = forms.ChoiceField(
        label=_("Is the person harmed a woman or a man?"),
        choices=GENDER_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "Only so the copy in Spanish, Portuguese or French uses the right words "
            "(“devuelta” or “devuelto”). You do not have to say."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language of the person harmed"),
        choices=language_choices,
        help_text=_("You will also get a copy of the complaint in this language."),
    )
    language_other = text(
        _("Other language spoken, if any"),
        max_length=100,
        help_text=_("For example an Indigenous language, so CRCL can offer an interpreter."),
    )

    def clean_a_number(self) -> str:
        digits = normalize_a_number(self.cleaned_data.get("a_number", ""))
        if digits and not (digits.isdigit() and len(digits) in (8, 9)):
            raise forms.ValidationError(_("An A-number has 8 or 9 digits, for example A123456789."))
        return digits

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.role == Role.SELF and not (
            data.get("phone") or data.get("email") or data.get("address")
        ):
            self.add_error(
                "phone", _("Give at least one way CRCL can reach you: phone, email or address.")
            )
        return data


class ConsentForm(StepForm):
    """Only when someone else files: the person's consent, which CRCL needs in writing."""

    consent_file = forms.BooleanField(
        label=_("%(name)s agrees that I file this complaint on their behalf."),
        error_messages={"required": _("CRCL needs this consent when someone else files.")},
    )
    consent_share = forms.BooleanField(
        label=_(
            "%(name)s agrees that CRCL may share their information with other parts of DHS "
            "and others as needed to handle the complaint, and may discuss it with me "
            "(the privacy waiver)."
        ),
        error_messages={
            "required": _("Without this waiver CRCL cannot discuss the case with you.")
        },
    )
    consent_how = forms.ChoiceField(
        label=_("How will %(name)s sign?"),
        choices=CONSENT_HOW_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose how the consent will be signed.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name = (self.earlier.get("full_name") or [""])[0].strip()
        name = name or str(_("The person harmed"))
        for field_name in ("consent_file", "consent_share", "consent_how"):
            field = self.fields[field_name]
            field.label = str(field.label) % {"name": name}


def contradictions(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Answers about program, dates and place that do not fit together: (code, message).

    They are warnings, not errors: the person may know better (a date remembered wrong, a
    program that ran longer in their city), so they can correct the answer or keep it.
    """
    found: list[tuple[str, str]] = []
    program, returned = data.get("program"), data.get("return_date")
    if program and returned:
        start, end = getattr(program, "start", None), getattr(program, "end", None)
        if (start and returned < start) or (end and returned > end):
            found.append(
                (
                    "program-dates",
                    _("%(program)s ran from %(start)s to %(end)s, but the return date is %(date)s.")
                    % {
                        "program": term_label(program),
                        "start": start.isoformat() if start else "…",
                        "end": end.isoformat() if end else _("today"),
                        "date": returned.isoformat(),
                    },
                )
            )
    harmed = data.get("incident_date")
    if harmed and returned and harmed < returned:
        found.append(
            (
                "harm-before-return",
                _("The harm is dated %(harm)s, before the return to Mexico on %(date)s.")
                % {"harm": harmed.isoformat(), "date": returned.isoformat()},
            )
        )
    port, city = data.get("port_of_entry"), data.get("return_city")
    city_port = getattr(city, "port_of_entry", None) if city else None
    if port and city_port and city_port.pk != port.pk:
        found.append(
            (
                "port-city",
                _(
                    "People returned through %(port)s usually arrive in another city than "
                    "%(city)s (its port is %(city_port)s)."
                )
                % {
                    "port": term_label(port),
                    "city": term_label(city),
                    "city_port": term_label(city_port),
                },
            )
        )
    return found


class ReturnForm(StepForm):
    return_date = DateField(
        label=_("Date of the return to Mexico"),
        help_text=_("If you are not sure of the day, give the closest date you remember."),
        error_messages={"required": _("Please give the date of the return (approximate is fine).")},
    )
    port_of_entry = CodeChoiceField(
        PortOfEntry.objects.filter(active=True),
        label=_("US port of entry you were returned through"),
        required=False,
        empty_label=_("I don't know"),
    )
    return_city = CodeChoiceField(
        City.objects.filter(active=True),
        label=_("City in Mexico you were returned to"),
        error_messages={"required": _("Please choose the city (or 'Other or unknown').")},
    )
    program = CodeChoiceField(
        Program.objects.filter(active=True),
        label=_("Program"),
        required=False,
        empty_label=_("I don't know"),
    )
    incident_date = DateField(
        label=_("Date the harm happened"),
        required=False,
        help_text=_("If it happened more than once, give the first date and explain in step 6."),
    )
    incident_time = text(_("Time it happened, if known"), max_length=100)
    incident_city = CodeChoiceField(
        City.objects.filter(active=True),
        label=_("City where the harm happened"),
        required=False,
        empty_label=_("Same city as the return"),
    )
    incident_place = text(
        _("Place (street, neighborhood, bus station, shelter…)"),
        max_length=300,
        help_text=_("This goes only into your letter. ReturnWatch never publishes places."),
    )
    # The codes of the warnings the person chose to keep (set by the "keep" button).
    keep = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        found = contradictions(data)
        # The hidden field (kept before) and the "keep" button may both arrive.
        kept = set(" ".join(cast(MultiValueDict, self.data).getlist("keep")).split())
        if found and not {code for code, _m in found} <= kept:
            self.warnings = [message for _code, message in found]
            self.warning_codes = " ".join(code for code, _m in found)
            # Not an error in a field: the step shows the warnings with a "keep" button.
            raise forms.ValidationError(_("Please check these answers."), code="contradiction")
        return data


class OfficialsForm(StepForm):
    fear_expressed = forms.ChoiceField(
        label=_("Did you tell US officials that you were afraid to be returned to Mexico?"),
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please answer this question (or choose 'I don't know').")},
    )
    what_said = area(
        _("What did you say, and what did the officials answer?"),
        rows=5,
        help_text=_("Their words as closely as you remember them, and in what language."),
    )
    interview = forms.ChoiceField(
        label=_("Were you given an interview about your fear (a 'non-refoulement' interview)?"),
        choices=YES_NO_UNKNOWN,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please answer this question (or choose 'I don't know').")},
    )
    interview_details = area(
        _("About the interview"),
        help_text=_("When, how long, by phone or in person, interpreter, lawyer present, result."),
    )


class OfficersForm(StepForm):
    components = forms.MultipleChoiceField(
        label=_("Which US agency were the officers from?"),
        choices=COMPONENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one (or 'I don't know').")},
    )
    officers = area(
        _("Names, badge numbers or descriptions of the officers"),
        rows=4,
        help_text=_("Uniform, appearance, what each one did. Anything helps."),
    )


class HarmForm(StepForm):
    violence_types = CodeMultipleChoiceField(
        ViolenceType.objects.filter(active=True),
        label=_("What happened? Choose all that apply"),
        required=False,
    )
    narrative = area(
        _("Describe what happened after the return, in your own words"),
        required=True,
        max_length=NARRATIVE_MAX,
        rows=12,
        help_text=_("When and where, who did it, what they did, and the harm you suffered."),
        error_messages={"required": _("Please describe what happened.")},
    )
    injuries = area(_("Injuries, medical care, and how this affects you now"), rows=4)


class WitnessesForm(StepForm):
    witnesses = area(
        _("Witnesses: names and how to reach them"),
        rows=5,
        help_text=_("Only people who agreed to be named. Leave empty if there are none."),
    )


class DocumentsForm(StepForm):
    documents = forms.MultipleChoiceField(
        label=_("Documents you will send with the complaint"),
        choices=DOCUMENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Send copies. Keep the originals."),
    )
    documents_other = area(
        _("Other documents, one per line"),
        rows=3,
        help_text=_("For example: letter from a shelter."),
    )


class StepsTakenForm(StepForm):
    other_complaints = area(
        _("Complaints already made elsewhere"),
        help_text=_(
            "To the Inspector General, the agency, Mexican authorities or a human rights "
            "commission, with dates and reference numbers."
        ),
    )
    court_cases = area(
        _("Court cases"), help_text=_("Immigration court or other courts, with case numbers.")
    )
    request = area(
        _("What do you ask CRCL to do?"),
        help_text=_("If you leave this empty, the letter asks CRCL to investigate."),
    )


class OfficeForm(StepForm):
    concerns = forms.MultipleChoiceField(
        label=_("What is the complaint about? Choose all that apply"),
        choices=CONCERN_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The summary then shows which offices handle it, and how to reach them."),
    )


class ShareForm(StepForm):
    share = forms.BooleanField(
        label=_("Also share an anonymized account with ReturnWatch"), required=False
    )
    share_fields = forms.MultipleChoiceField(
        label=_("What to share"),
        choices=SHARE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Your name, A-number and the names in your letter are never shared."),
    )
    consent_publish = forms.BooleanField(
        label=_("ReturnWatch may publish an anonymized summary (no names, city only)"),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("share") and not data.get("share_fields"):
            self.add_error("share_fields", _("Choose at least one thing to share."))
        return data


@dataclass(frozen=True)
class Step:
    slug: str
    title: Any
    form_class: type[StepForm]
    intro: Any = ""
    only_for_someone_else: bool = False


STEPS: list[Step] = [
    Step(
        "filer",
        _("Who is filing"),
        FilerForm,
        _("You can file for yourself, or for someone else with their consent."),
    ),
    Step(
        "person",
        _("The person harmed"),
        PersonForm,
        _("CRCL uses these details to find the case. Filing for someone else? Answer for them."),
    ),
    Step(
        "consent",
        _("Consent of the person harmed"),
        ConsentForm,
        _(
            "CRCL can only act on a complaint filed for someone else, and tell you about it, "
            "with that person's written consent. They sign the consent page of the letter."
        ),
        only_for_someone_else=True,
    ),
    Step(
        "return",
        pgettext_lazy("complaint", "Return to Mexico"),
        ReturnForm,
        _("When and where the return happened, and where the harm happened."),
    ),
    Step(
        "officials",
        _("What was said to US officials"),
        OfficialsForm,
        _("Under MPP, a person who says they fear return should be asked about it."),
    ),
    Step("officers", _("Officers and agency"), OfficersForm),
    Step(
        "harm",
        _("What happened after the return"),
        HarmForm,
        _("Take your time. You can go back to earlier steps without losing anything."),
    ),
    Step("witnesses", _("Witnesses"), WitnessesForm),
    Step("documents", _("Documents"), DocumentsForm),
    Step("steps", _("Steps already taken"), StepsTakenForm),
    Step(
        "office",
        _("Which office?"),
        OfficeForm,
        _(
            "CRCL is not the right office for everything. Say what happened, and the summary "
            "shows which offices handle it."
        ),
    ),
    Step(
        "share",
        _("Share with ReturnWatch (optional)"),
        ShareForm,
        _(
            "ReturnWatch records attacks on people returned to Mexico. Sharing is optional and "
            "does not change your complaint."
        ),
    ),
]
STEP_SLUGS = [s.slug for s in STEPS]
STEP_BY_SLUG = {s.slug: s for s in STEPS}


def steps_for(role: str) -> list[Step]:
    """The steps a filer goes through: the consent step only when filing for someone else."""
    return [s for s in STEPS if role != Role.SELF or not s.only_for_someone_else]


def initial_language() -> str:
    lang = (translation.get_language() or settings.LANGUAGE_CODE)[:2]
    return lang if lang in ASSISTANT_LANGUAGES else "en"
