"""The complaint letter, in CRCL's order, as one structure rendered to PDF and to plain text.

`build(answers, language)` writes the letter's words in `language` (English for CRCL, or the
person's own language for their copy); the person's answers are put in as they were typed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .forms import (
    COMPONENT_CHOICES,
    DOCUMENT_CHOICES,
    ROLE_IN_LETTER,
    YES_NO_UNKNOWN,
    Gender,
    Role,
    format_a_number,
)
from .models import Office
from .vocab import country_name, term_label

HT_MONTHS = [
    "janvye", "fevriye", "mas", "avril", "me", "jen",
    "jiyè", "out", "septanm", "oktòb", "novanm", "desanm",
]  # fmt: skip
MONTHS = {
    "en": [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ],
    "es": [
        "enero", "febrero", "marzo", "abril", "mayo", "junio",
        "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
    ],
    "pt": [
        "janeiro", "fevereiro", "março", "abril", "maio", "junho",
        "julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
    ],
    "fr": [
        "janvier", "février", "mars", "avril", "mai", "juin",
        "juillet", "août", "septembre", "octobre", "novembre", "décembre",
    ],
    "ht": HT_MONTHS,
}  # fmt: skip


def long_date(value: dt.date | None, language: str) -> str:
    """A date written out in full, the same in every language's letter (no locale surprises)."""
    if not value:
        return ""
    month = MONTHS.get(language, MONTHS["en"])[value.month - 1]
    if language == "en":
        return f"{month} {value.day}, {value.year}"
    if language in ("es", "pt"):
        return f"{value.day} de {month} de {value.year}"
    return f"{value.day} {month} {value.year}"


@dataclass
class Item:
    """One line or paragraph of a section: a labelled answer, a sub-heading, text or a list."""

    text: str = ""
    label: str = ""
    heading: str = ""
    bullets: list[str] = field(default_factory=list)
    numbered: bool = False  # the bullets are a numbered list (the enclosures)

    @property
    def one_line(self) -> bool:
        return bool(self.text) and "\n" not in self.text.strip()


@dataclass
class Section:
    number: int
    title: str
    items: list[Item] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.number}. {self.title}"


@dataclass
class Signature:
    lines: list[tuple[str, str]]  # (label, value printed after the line; "" = blank to fill in)


@dataclass
class ConsentPage:
    title: str
    paragraphs: list[str]
    signature: Signature


@dataclass
class Letter:
    language: str
    title: str
    copy_note: str
    date: str
    to_lines: list[str]
    subject: str
    salutation: str
    opening: list[str]
    sections: list[Section]
    request: str
    closing: str
    signature: Signature
    enclosures: list[str]
    consent: ConsentPage | None
    footer: str


def _choice(choices: list[tuple[str, Any]], value: str) -> str:
    return str(dict(choices).get(value, value))


def _lines(value: str) -> list[str]:
    return [line.strip() for line in (value or "").splitlines() if line.strip()]


def language_name(code: str) -> str:
    """The name of a language, in the language currently active."""
    # A context of our own: other catalogs capitalize these for menus ("Español").
    names = {
        "en": pgettext("language name in a sentence", "English"),
        "es": pgettext("language name in a sentence", "Spanish"),
        "ht": pgettext("language name in a sentence", "Haitian Creole"),
        "pt": pgettext("language name in a sentence", "Portuguese"),
        "fr": pgettext("language name in a sentence", "French"),
    }
    return str(names.get(code, code))


# Words that agree with the person harmed in Spanish, Portuguese and French ("devuelta",
# "devuelto"): one catalog entry per context; neutral wording when the person did not say.
GENDER_CONTEXT = {
    Gender.WOMAN: "complaint letter, about a woman",
    Gender.MAN: "complaint letter, about a man",
    Gender.NOT_SAID: "complaint letter, gender not given",
}


def gendered(message: str, gender: str) -> str:
    """`message` translated for the person's gender; the plain translation if there is none."""
    context = GENDER_CONTEXT.get(gender, GENDER_CONTEXT[Gender.NOT_SAID])
    translated = pgettext(context, message)
    return translated if translated != message else _(message)


def primary_office() -> Office | None:
    return Office.objects.filter(active=True, is_primary=True).first()


def build(a: dict[str, Any], language: str, today: dt.date | None = None) -> Letter:
    """The letter in `language`. `a` holds every step's cleaned answers."""
    with translation.override(language):
        return _build(a, language, today or timezone.localdate())


def _build(a: dict[str, Any], language: str, today: dt.date) -> Letter:
    for_other = a.get("filer_role") != Role.SELF
    gender = a.get("gender") or Gender.NOT_SAID
    name = a.get("full_name", "")
    rep = a.get("rep_name", "") if for_other else ""
    filer = rep or name
    not_given = pgettext("complaint", "Not given")
    program = a.get("program")
    program_text = (
        term_label(program, language)
        if program
        else _('the Migrant Protection Protocols ("Remain in Mexico")')
    )

    office = primary_office()
    to_lines = (
        office.mail_lines
        if office and office.mail_lines
        else [
            "Office for Civil Rights and Civil Liberties",
            "U.S. Department of Homeland Security",
        ]
    )
    if office and office.email:
        to_lines = [*to_lines, _("By email: %(email)s") % {"email": office.email}]

    # Opening: who files, for whom, and about what.
    if for_other:
        who = rep
        if a.get("rep_relationship"):
            who = f"{rep} ({a['rep_relationship']})"
        opening = [
            gendered(
                "I, %(filer)s, file this complaint on behalf of %(name)s, with their consent, "
                "about how officers of the U.S. Department of Homeland Security treated them and "
                "the harm they suffered after they were returned to Mexico under %(program)s.",
                gender,
            )
            % {"filer": who, "name": name, "program": program_text}
        ]
    else:
        opening = [
            gendered(
                "I, %(name)s, file this complaint about how officers of the U.S. Department of "
                "Homeland Security treated me and the harm I suffered after I was returned to "
                "Mexico under %(program)s.",
                gender,
            )
            % {"name": name, "program": program_text}
        ]
    opening.append(_("The details follow the order of the information CRCL asks for."))
    person_language = a.get("language", "en")
    if person_language != "en" or a.get("language_other"):
        spoken = language_name(person_language)
        if a.get("language_other"):
            spoken = f"{spoken}, {a['language_other']}"
        opening.append(
            _(
                "%(name)s speaks %(languages)s. Some answers may be written in that language. "
                "Please communicate with them in a language they understand."
            )
            % {"name": name, "languages": spoken}
        )

    sections: list[Section] = []

    # 1. Complainant (and representative)
    s1 = Section(1, _("The person harmed and the person filing"))
    nationality = a.get("nationality")
    s1.items += [
        Item(label=_("Full name"), text=name),
        Item(label=_("Other names used"), text=a.get("other_names", "")),
        Item(label=_("Date of birth"), text=long_date(a.get("date_of_birth"), language)),
        Item(label=pgettext("complaint", "A-number"), text=format_a_number(a.get("a_number", ""))),
        Item(label=_("Nationality"), text=country_name(nationality or "", language)),
        Item(label=_("Phone"), text=a.get("phone", "")),
        Item(label=pgettext("complaint", "Email"), text=a.get("email", "")),
        Item(label=_("Mailing address"), text=a.get("address", "")),
        Item(
            label=_("Language"),
            text=", ".join(
                x for x in (language_name(person_language), a.get("language_other", "")) if x
            ),
        ),
    ]
    if for_other:
        s1.items += [
            Item(heading=_("Filed by")),
            Item(label=_("Name"), text=rep),
            Item(label=_("Role"), text=str(ROLE_IN_LETTER.get(a.get("filer_role", ""), ""))),
            Item(label=_("Organization"), text=a.get("rep_organization", "")),
            Item(label=_("Relationship to the person harmed"), text=a.get("rep_relationship", "")),
            Item(label=_("Phone"), text=a.get("rep_phone", "")),
            Item(label=pgettext("complaint", "Email"), text=a.get("rep_email", "")),
            Item(label=_("Mailing address"), text=a.get("rep_address", "")),
        ]
    s1.items = [i for i in s1.items if i.text or i.heading]
    sections.append(s1)

    # 2. Date, time and place
    s2 = Section(2, _("Date, time and place"))
    port, ret_city = a.get("port_of_entry"), a.get("return_city")
    harm_city = a.get("incident_city") or ret_city
    s2.items += [
        Item(label=_("Program"), text=term_label(program, language) if program else not_given),
        Item(label=_("Date of return to Mexico"), text=long_date(a.get("return_date"), language)),
        Item(label=_("US port of entry"), text=term_label(port, language) if port else not_given),
        Item(label=_("City of return"), text=term_label(ret_city, language) if ret_city else ""),
        Item(
            label=_("Date of the harm"),
            text=long_date(a.get("incident_date"), language) or not_given,
        ),
        Item(label=_("Time"), text=a.get("incident_time", "")),
        Item(
            label=_("City where the harm happened"),
            text=term_label(harm_city, language) if harm_city else "",
        ),
        Item(label=_("Place"), text=a.get("incident_place", "")),
    ]
    s2.items = [i for i in s2.items if i.text]
    sections.append(s2)

    # 3. Witnesses
    s3 = Section(3, _("Witnesses"))
    s3.items.append(Item(text=a.get("witnesses") or _("No witnesses are named at this time.")))
    sections.append(s3)

    # 4. Officers and component
    s4 = Section(4, _("DHS officers and component involved"))
    s4.items.append(
        Item(
            label=_("Component"),
            bullets=[_choice(COMPONENT_CHOICES, c) for c in a.get("components", [])],
        )
    )
    s4.items.append(
        Item(
            label=_("Officers (names, badge numbers or descriptions)"),
            text=a.get("officers") or _("Not known."),
        )
    )
    sections.append(s4)

    # 5. What happened
    s5 = Section(5, pgettext("complaint", "What happened"))
    s5.items.append(Item(heading=_("Fear of return expressed to US officials")))
    s5.items.append(
        Item(
            label=_("Told US officials of fear of return to Mexico"),
            text=_choice(YES_NO_UNKNOWN, a.get("fear_expressed", "")),
        )
    )
    if a.get("what_said"):
        s5.items.append(Item(label=_("What was said"), text=a["what_said"]))
    s5.items.append(
        Item(
            label=_("Non-refoulement (fear) interview given"),
            text=_choice(YES_NO_UNKNOWN, a.get("interview", "")),
        )
    )
    if a.get("interview_details"):
        s5.items.append(Item(label=_("About the interview"), text=a["interview_details"]))
    s5.items.append(Item(heading=_("Harm suffered after return")))
    kinds = [term_label(t, language) for t in a.get("violence_types", [])]
    if kinds:
        s5.items.append(Item(label=_("Kinds of harm"), bullets=kinds))
    s5.items.append(Item(text=a.get("narrative", "")))
    if a.get("injuries"):
        s5.items.append(Item(label=_("Injuries and medical care"), text=a["injuries"]))
    sections.append(s5)

    # 6. Documents
    enclosures = [_choice(DOCUMENT_CHOICES, d) for d in a.get("documents", [])]
    enclosures += _lines(a.get("documents_other", ""))
    if for_other and a.get("consent_how") == "form":
        enclosures.append(
            _("CRCL's Complaint and Privacy Waiver Form, signed by %(name)s") % {"name": name}
        )
    s6 = Section(6, _("Documents enclosed"))
    if enclosures:
        s6.items.append(Item(text=_("Copies of these documents are enclosed:")))
        # Numbered once, by the list itself (the numbers match the list of enclosures).
        s6.items.append(Item(bullets=enclosures, numbered=True))
    else:
        s6.items.append(Item(text=_("No documents are enclosed at this time.")))
    sections.append(s6)

    # 7. Other steps
    s7 = Section(7, _("Other steps already taken"))
    if a.get("other_complaints"):
        s7.items.append(Item(label=_("Complaints made elsewhere"), text=a["other_complaints"]))
    if a.get("court_cases"):
        s7.items.append(Item(label=_("Court cases"), text=a["court_cases"]))
    if not s7.items:
        s7.items.append(Item(text=_("None so far.")))
    sections.append(s7)

    # 8. Consent, only when someone else files
    consent: ConsentPage | None = None
    if for_other:
        s8 = Section(8, _("Consent of the person harmed"))
        s8.items.append(
            Item(
                text=_(
                    "%(name)s consents to this complaint being filed on their behalf and to CRCL "
                    "sharing their information as needed to handle it. Their signed consent is "
                    "on the last page."
                )
                % {"name": name}
            )
        )
        sections.append(s8)
        by = rep + (f" ({a['rep_organization']})" if a.get("rep_organization") else "")
        blank = "________________"
        if a.get("consent_how") == "mark":
            signed = [
                (_("Mark of %(name)s") % {"name": name}, ""),
                (_("Date"), ""),
                (_("Name of the witness"), ""),
                (_("Signature of the witness"), ""),
            ]
        else:
            signed = [
                (_("Signature or mark of %(name)s") % {"name": name}, ""),
                (_("Date"), ""),
                (_("If signed with a mark, name and signature of a witness"), ""),
            ]
        consent = ConsentPage(
            title=_("Consent to file a complaint and privacy waiver"),
            paragraphs=[
                gendered(
                    "I, %(name)s, born %(dob)s, A-number %(anum)s, authorize %(by)s to file a "
                    "complaint with the Office for Civil Rights and Civil Liberties (CRCL) of the "
                    "U.S. Department of Homeland Security on my behalf, about the events "
                    "described in the attached letter.",
                    gender,
                )
                % {
                    "name": name,
                    "dob": long_date(a.get("date_of_birth"), language) or blank,
                    "anum": format_a_number(a.get("a_number", "")) or blank,
                    "by": by,
                },
                _(
                    "I consent to CRCL sharing information about me and about this complaint with "
                    "other offices of the Department of Homeland Security, and with others as "
                    "needed, to look into it and respond, and to CRCL discussing it with "
                    "%(rep)s."
                )
                % {"rep": rep},
            ],
            signature=Signature(signed),
        )

    request = a.get("request") or _(
        "I ask CRCL to investigate these events, including the return to Mexico despite the "
        "danger, to take the steps needed so that this does not happen to others, and to tell "
        "me how this complaint is handled."
    )
    if for_other and not a.get("request"):
        request = _(
            "I ask CRCL to investigate these events, including the return of %(name)s to Mexico "
            "despite the danger, to take the steps needed so that this does not happen to "
            "others, and to tell me how this complaint is handled."
        ) % {"name": name}

    signature = Signature(
        [
            (_("Signature"), ""),
            (_("Name"), filer),
            (_("Date"), ""),
        ]
    )
    if for_other:
        signature.lines.insert(2, (_("On behalf of"), name))

    subject = _("Civil rights complaint: return to Mexico and harm suffered, %(name)s") % {
        "name": name
    }
    copy_note = ""
    if language != "en":
        copy_note = _(
            "Copy in %(language)s for the person harmed. The complaint sent to CRCL is the "
            "English letter, with the same content."
        ) % {"language": language_name(language)}

    return Letter(
        language=language,
        title=_("Complaint to the DHS Office for Civil Rights and Civil Liberties"),
        copy_note=copy_note,
        date=long_date(today, language),
        to_lines=to_lines,
        subject=subject,
        salutation=_("To the Office for Civil Rights and Civil Liberties:"),
        opening=opening,
        sections=sections,
        request=request,
        closing=_("Thank you for your attention to this complaint."),
        signature=signature,
        enclosures=enclosures
        + ([_("Consent to file a complaint and privacy waiver")] if for_other else []),
        consent=consent,
        footer=_("Complaint to DHS CRCL"),
    )


def to_text(letter: Letter) -> str:
    """Plain text for pasting into an email (or the portal's description box)."""
    with translation.override(letter.language):
        return _to_text(letter)


def _to_text(letter: Letter) -> str:
    out: list[str] = []
    if letter.copy_note:
        out += [letter.copy_note, ""]
    out += [letter.date, "", *letter.to_lines, ""]
    subject = pgettext("email", "Subject")
    out += [f"{subject}: {letter.subject}", "", letter.salutation, ""]
    for p in letter.opening:
        out += [p, ""]
    for s in letter.sections:
        out += [s.heading.upper(), "-" * len(s.heading), ""]
        for item in s.items:
            if item.heading:
                if out[-1]:
                    out.append("")
                out += [item.heading, ""]
                continue
            if item.label and item.bullets:
                out.append(f"{item.label}:")
            if item.numbered:
                out += [f"  {n}. {b}" for n, b in enumerate(item.bullets, 1)]
            else:
                out += [f"  - {b}" for b in item.bullets]
            if item.text and item.label and "\n" not in item.text:
                out.append(f"{item.label}: {item.text}")
            elif item.text:
                # Multi-line answers stand apart, so pasted text stays readable.
                if out[-1]:
                    out.append("")
                if item.label:
                    out.append(f"{item.label}:")
                out += [item.text.strip(), ""]
        if out[-1]:
            out.append("")
    out += [letter.request, "", letter.closing, ""]
    for label, value in letter.signature.lines:
        out.append(f"{label}: {value or '____________________'}")
    if letter.enclosures:
        out += ["", f"{_('Enclosures')}:"]
        out += [f"  {n}. {e}" for n, e in enumerate(letter.enclosures, 1)]
    if letter.consent:
        out += ["", "=" * 60, letter.consent.title.upper(), ""]
        for p in letter.consent.paragraphs:
            out += [p, ""]
        for label, value in letter.consent.signature.lines:
            out.append(f"{label}: {value or '____________________'}")
    return "\n".join(out).rstrip() + "\n"
