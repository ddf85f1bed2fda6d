"""What must hold before an incident is published. The editor sees the list on the record's
page; `workflow.apply("publish")` enforces it, whatever the entry point.

Hard requirements (a source, a public summary, the city, the date's precision) cannot be
skipped. The detector of identifying details in the public title and summary (names of the
record's persons, A-numbers, phone numbers, e-mail and street addresses) may be overridden by
the editor with a reason, which is recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Incident

# What could identify a person or a place finer than a city, in English or Spanish text.
DETECTORS: dict[str, tuple[Promise, re.Pattern[str]]] = {
    "email": (_("an e-mail address"), re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")),
    "a_number": (
        _("an A-number"),
        re.compile(r"\bA[\s-]?(?:\d[\s-]?){8,9}\b|\b\d{3}-\d{3}-\d{3}\b", re.IGNORECASE),
    ),
    "phone": (
        _("a phone number"),
        re.compile(
            r"(?<![\w-])(?:\+?\d{1,3}[\s.-]?)?(?:\(\d{2,3}\)[\s.-]?)?\d{3,4}[\s.-]\d{3,4}(?:[\s.-]\d{2,4})?(?![\w-])"
        ),
    ),
    "street": (
        _("a street address"),
        re.compile(
            r"\b(?:calle|avenida|av\.|avda\.|boulevard|blvd\.?|callejón|carretera|km)\s+[\wÁÉÍÓÚÑáéíóúñ.]+"
            r"|\b\d{1,5}\s+(?:[A-Z][a-z]+\s){1,3}(?:street|st\.|avenue|ave\.|road|rd\.|drive|dr\.|lane)\b"
            r"|\b(?:calle|avenida|av\.)?\s*[A-ZÁÉÍÓÚÑ][\wáéíóúñ]+\s+(?:#|n[úu]m\.?|no\.)\s*\d+",
            re.IGNORECASE,
        ),
    ),
}


YEAR_RANGE = re.compile(r"^\s*(?:19|20)\d\d\s*[-–.]\s*(?:19|20)\d\d\s*$")


def _looks_like_phone(text: str) -> bool:
    """Seven digits or more, and not a span of years ("2019-2021")."""
    return sum(c.isdigit() for c in text) >= 7 and not YEAR_RANGE.match(text)


@dataclass
class Item:
    name: str
    label: Promise
    ok: bool
    overridable: bool = False
    found: list[str] = field(default_factory=list)


def identifying_details(incident: Incident) -> list[str]:
    """What the detector finds in the public title and summary, as "kind: text" lines."""
    text = f"{incident.title}\n{incident.summary}"
    found = []
    for key, (label, pattern) in DETECTORS.items():
        for match in pattern.finditer(text):
            if key == "phone" and not _looks_like_phone(match.group(0)):
                continue
            found.append(f"{label}: {match.group(0).strip()}")
    lowered = text.lower()
    for person in incident.persons.all():
        for part in (person.name or "").split():
            if len(part) >= 3 and re.search(rf"\b{re.escape(part.lower())}\b", lowered):
                found.append(f"{_('a name from the person records')}: {part}")
    return found


def items(incident: Incident) -> list[Item]:
    details = identifying_details(incident)
    return [
        Item("source", _("At least one source is cited"), incident.citations.exists()),
        Item("summary", _("The public summary is written"), bool(incident.summary.strip())),
        Item("city", _("The city is set"), incident.city_id is not None),
        Item("precision", _("The precision of the date is set"), bool(incident.date_precision)),
        Item(
            "identifying",
            _("No names, A-numbers, phone numbers, e-mail or street addresses in public text"),
            not details,
            overridable=True,
            found=details,
        ),
    ]


def blocking(incident: Incident, override_reason: str = "") -> list[Item]:
    """The items that stop publication (an overridable one only without a reason)."""
    return [i for i in items(incident) if not i.ok and not (i.overridable and override_reason)]
