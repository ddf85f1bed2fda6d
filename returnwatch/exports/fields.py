"""What each public field means: one source for /data/, the data package and the API schema."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

DESCRIPTIONS: dict[str, Any] = {
    "reference": _("Stable public reference of the incident, e.g. RW-2019-00042."),
    "url": _("Address of the incident's public page."),
    "title": _("Public title, written for publication (no names)."),
    "summary": _("Public summary, written for publication (nothing that identifies a person)."),
    "date": _("Date of the incident (see date_precision: for a month or a year, any day in it)."),
    "date_precision": _("How precise the date is: day, month, year or approximate."),
    "date_reported": _("Date the incident was first reported."),
    "year": _("Year of the incident."),
    "city": _("City code (vocabulary cities): the finest place ever published."),
    "city_name": _("City name."),
    "state": _("State of the city."),
    "country": _("Country of the city (ISO 3166-1 alpha-2)."),
    "latitude": _("Latitude of the city (not of the incident)."),
    "longitude": _("Longitude of the city (not of the incident)."),
    "place_type": _("Type of place (vocabulary place_types)."),
    "program": _("Program under which the person was returned or waiting (vocabulary programs)."),
    "violence_types": _("Types of violence, codes joined by ';' (vocabulary violence_types)."),
    "perpetrators": _("Perpetrator types, codes joined by ';' (vocabulary perpetrators)."),
    "victim_groups": _("Victim groups, codes joined by ';' (vocabulary victim_groups)."),
    "nationalities": _("Nationalities, ISO 3166-1 alpha-2 codes in lower case joined by ';'."),
    "victims_count": _("Number of people harmed."),
    "children_count": _("Of whom children."),
    "gender": _(
        "Gender of the people harmed where known: women, men, mixed, other (empty: not known)."
    ),
    "port_of_entry": _(
        "US port of entry through which the person was returned (vocabulary ports_of_entry)."
    ),
    "fear_expressed": _(
        "Whether the person expressed fear of return to US officials: yes, no, unknown."
    ),
    "complaint_crcl": _("A complaint was filed with DHS CRCL."),
    "complaint_oig": _("A complaint was filed with DHS OIG."),
    "lawsuit": _("A lawsuit was filed."),
    "verification": _(
        "Verification: several (independent sources), one (credible source), unverified."
    ),
    "published_at": _("When the record was first published (UTC)."),
    "is_demo": _("True for fictional demonstration records."),
}

# JSON type of each field in the JSON, GeoJSON and API answers.
TYPES: dict[str, str] = {
    "date": "date",
    "date_reported": "date",
    "published_at": "date-time",
    "year": "integer",
    "victims_count": "integer",
    "children_count": "integer",
    "latitude": "number",
    "longitude": "number",
    "complaint_crcl": "boolean",
    "complaint_oig": "boolean",
    "lawsuit": "boolean",
    "is_demo": "boolean",
    "violence_types": "list of codes",
    "perpetrators": "list of codes",
    "victim_groups": "list of codes",
    "nationalities": "list of codes",
}
# The vocabulary (lookup table, /exports/vocabularies/<name>.csv) a code field refers to.
VOCABULARY_OF: dict[str, str] = {
    "city": "cities",
    "place_type": "place_types",
    "program": "programs",
    "violence_types": "violence_types",
    "perpetrators": "perpetrators",
    "victim_groups": "victim_groups",
    "nationalities": "nationalities",
    "port_of_entry": "ports_of_entry",
}


TYPE_LABELS: dict[str, Any] = {
    "text": _("text"),
    "date": _("date"),
    "date-time": _("date and time (UTC)"),
    "integer": _("whole number"),
    "number": _("number"),
    "boolean": _("true or false"),
    "list of codes": _("list of codes"),
}


def fields() -> list[dict[str, Any]]:
    from .formats import COLUMNS, HXL, MULTI

    return [
        {
            "name": name,
            "type": TYPE_LABELS[TYPES.get(name, "text")],
            "description": DESCRIPTIONS[name],
            "multi": name in MULTI,
            "vocabulary": VOCABULARY_OF.get(name, ""),
            "hxl": HXL[name],
        }
        for name in COLUMNS
    ]
