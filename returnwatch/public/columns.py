"""The public incident columns: the one registry every public surface is derived from.

A column is public only if it is listed here. The page projection (`public.project`), every
export format (CSV, JSON, GeoJSON, SQLite, the data package schema), the API serializers, the
/data/ page and the field table of docs/data.md all read this list; a test fails when the
docs and the registry disagree (print the table with
`python manage.py shell -c "from returnwatch.public import columns; print(columns.markdown_table())"`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Types, as the JSON answers give them.
TEXT, DATE, DATETIME, INTEGER, NUMBER, BOOLEAN = (
    "text",
    "date",
    "date-time",
    "integer",
    "number",
    "boolean",
)
CODES = "list of codes"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: Promise  # English, translated with gettext (Spanish in the .po files)
    hxl: str  # HXL hashtag (hxlstandard.org) for the CSV's `?hxl=1` row
    attribute: str = ""  # the model field it is read from ("" : derived, e.g. the url)
    vocabulary: str = ""  # the lookup table (/exports/vocabularies/<name>.csv) of its codes
    enum: tuple[str, ...] = ()  # the values it can take, when a fixed list
    required: bool = False  # never empty

    @property
    def multi(self) -> bool:
        """Many values per incident: a list in JSON, codes joined by ';' in flat tables."""
        return self.type == CODES

    def read(self, incident: Any) -> Any:
        """The column's value from an incident row (`public.incidents()`), as exported."""
        if self.name == "url":
            return case_url(incident.reference)
        value = getattr(incident, self.attribute)
        if self.multi:
            return [t.code for t in sorted(value.all(), key=lambda t: (t.position, t.code))]
        if self.attribute == "city" and self.name != "city":
            if value is None:
                return None
            part = {"city_name": "label_en"}.get(self.name, self.name)
            found = getattr(value, part)
            return (
                float(found) if part in ("latitude", "longitude") and found is not None else found
            )
        if self.vocabulary:
            return value.code if value is not None else None
        return value


def _c(name: str, type: str, description: Promise, hxl: str, **kw: Any) -> Column:
    kw.setdefault("attribute", name)
    return Column(name, type, description, hxl, **kw)


COLUMNS: tuple[Column, ...] = (
    _c("reference", TEXT, _("Stable public reference of the incident, e.g. RW-2019-00042."),
       "#event+id", required=True),
    _c("url", TEXT, _("Address of the incident's public page."), "#meta+url", attribute="",
       required=True),
    _c("title", TEXT, _("Public title, written for publication (no names)."),
       "#description+title", required=True),
    _c("summary", TEXT,
       _("Public summary, written for publication (nothing that identifies a person)."),
       "#description+summary"),
    _c("date", DATE,
       _("Date of the incident (see date_precision: for a month or a year, any day in it)."),
       "#date+occurred"),
    _c("date_precision", TEXT, _("How precise the date is: day, month, year or approximate."),
       "#date+precision", enum=("day", "month", "year", "approximate")),
    _c("date_reported", DATE, _("Date the incident was first reported."), "#date+reported"),
    _c("year", INTEGER, _("Year of the incident."), "#date+year"),
    _c("city", TEXT, _("City code (vocabulary cities): the finest place ever published."),
       "#adm2+code", vocabulary="cities"),
    _c("city_name", TEXT, _("City name."), "#adm2+name", attribute="city"),
    _c("state", TEXT, _("State of the city."), "#adm1+name", attribute="city"),
    _c("country", TEXT, _("Country of the city (ISO 3166-1 alpha-2)."), "#country+code",
       attribute="city"),
    _c("latitude", NUMBER, _("Latitude of the city (not of the incident)."), "#geo+lat",
       attribute="city"),
    _c("longitude", NUMBER, _("Longitude of the city (not of the incident)."), "#geo+lon",
       attribute="city"),
    _c("place_type", TEXT, _("Type of place (vocabulary place_types)."), "#loc+type",
       vocabulary="place_types"),
    _c("program", TEXT,
       _("Program under which the person was returned or waiting (vocabulary programs)."),
       "#indicator+program", vocabulary="programs"),
    _c("violence_types", CODES,
       _("Types of violence, codes joined by ';' (vocabulary violence_types)."),
       "#event+type", vocabulary="violence_types"),
    _c("perpetrators", CODES,
       _("Perpetrator types, codes joined by ';' (vocabulary perpetrators)."),
       "#group+perpetrator", vocabulary="perpetrators"),
    _c("victim_groups", CODES,
       _("Victim groups, codes joined by ';' (vocabulary victim_groups)."),
       "#affected+type", vocabulary="victim_groups"),
    _c("nationalities", CODES,
       _("Nationalities, ISO 3166-1 alpha-2 codes in lower case joined by ';'."),
       "#affected+nationality", vocabulary="nationalities"),
    _c("victims_count", INTEGER, _("Number of people harmed."), "#affected+num"),
    _c("children_count", INTEGER, _("Of whom children."), "#affected+num+children"),
    _c("gender", TEXT,
       _("Gender of the people harmed where known: women, men, mixed, other (empty: not known)."),
       "#affected+gender", enum=("", "women", "men", "mixed", "other")),
    _c("port_of_entry", TEXT,
       _("US port of entry through which the person was returned (vocabulary ports_of_entry)."),
       "#loc+port", vocabulary="ports_of_entry"),
    _c("fear_expressed", TEXT,
       _("Whether the person expressed fear of return to US officials: yes, no, unknown."),
       "#indicator+fear", enum=("yes", "no", "unknown")),
    _c("complaint_crcl", BOOLEAN, _("A complaint was filed with DHS CRCL."),
       "#indicator+complaint+crcl"),
    _c("complaint_oig", BOOLEAN, _("A complaint was filed with DHS OIG."),
       "#indicator+complaint+oig"),
    _c("lawsuit", BOOLEAN, _("A lawsuit was filed."), "#indicator+lawsuit"),
    _c("verification", TEXT,
       _("Verification: several (independent sources), one (credible source), unverified."),
       "#status+verification", enum=("several", "one", "unverified")),
    _c("published_at", DATETIME, _("When the record was first published (UTC)."),
       "#date+published"),
    _c("is_demo", BOOLEAN, _("True for fictional demonstration records."), "#meta+demo"),
)  # fmt: skip

BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}
NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
MULTI: tuple[str, ...] = tuple(c.name for c in COLUMNS if c.multi)
# Model fields read by the public projection, in column order.
ATTRIBUTES: tuple[str, ...] = tuple(dict.fromkeys(c.attribute for c in COLUMNS if c.attribute))

TYPE_LABELS: dict[str, Any] = {
    TEXT: _("text"),
    DATE: _("date"),
    DATETIME: _("date and time (UTC)"),
    INTEGER: _("whole number"),
    NUMBER: _("number"),
    BOOLEAN: _("true or false"),
    CODES: _("list of codes"),
}


def site_url() -> str:
    from django.conf import settings

    return str(settings.SITE_URL).rstrip("/")


def case_url(reference: str) -> str:
    """The `url` column: the address of an incident's public page."""
    return f"{site_url()}/incidents/{reference}/"


def english(text: Any) -> str:
    from django.utils import translation

    with translation.override("en"):
        return str(text)


def _doc_type(c: Column) -> str:
    if c.enum:
        values = " ".join(f"`{v}`" for v in c.enum if v)
        return f"{values} or empty" if "" in c.enum else values
    if c.multi:
        return f"codes (`{c.vocabulary}`)"
    if c.vocabulary:
        return f"code (`{c.vocabulary}`)"
    return english(TYPE_LABELS[c.type])


def markdown_table() -> str:
    """The field table of docs/data.md, from the registry."""
    lines = ["| field | type | meaning | HXL |", "| --- | --- | --- | --- |"]
    for c in COLUMNS:
        lines.append(f"| `{c.name}` | {_doc_type(c)} | {english(c.description)} | `{c.hxl}` |")
    return "\n".join(lines) + "\n"
