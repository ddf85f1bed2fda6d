"""Bulk import of incidents from CSV or XLSX: one engine for `manage.py import_incidents` and
the staff upload page.

1. `read_table` reads the file (CSV with `,` `;` or tab, or the first sheet of an XLSX).
2. Columns are mapped to fields (`guess_mapping` proposes one; a saved ImportMapping may be
   reused). Vocabulary values are accepted by code or by English or Spanish label, whatever
   the case and accents; several values in one cell are separated by `;`. Dates are read in
   the usual formats (see `parse_date`) and set the date precision.
3. `plan` checks every row and says what would be created, updated or left unchanged, and
   every bad row with the reason. Nothing is written.
4. `apply` writes the plan in one transaction, only if no row is bad: all or nothing.
   New incidents are drafts; each is recorded in the change history.

A row whose external ID (or ReturnWatch reference) matches a record updates it instead of
adding a duplicate. Records the public sees (published, retracted) are never changed by an
import: a row that would change one is a bad row (editors change them in the workspace).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from returnwatch import access
from returnwatch.audit import log
from returnwatch.audit.actions import Action
from returnwatch.incidents import references, rules, search
from returnwatch.incidents.models import (
    Citation,
    City,
    Country,
    DatePrecision,
    Document,
    DocumentKind,
    Gender,
    Incident,
    Perpetrator,
    PlaceType,
    PortOfEntry,
    Program,
    Status,
    Tag,
    Verification,
    VictimGroup,
    ViolenceType,
    YesNoUnknown,
)

MAX_ROWS = 200_000
MAX_ERRORS_SHOWN = 500
MULTI_SEP = re.compile(r"\s*;\s*")
REFERENCE = references.REGEX

# ---------------------------------------------------------------------------- fields

TERM_FIELDS: dict[str, type[Model]] = {
    "city": City,
    "place_type": PlaceType,
    "program": Program,
    "port_of_entry": PortOfEntry,
}
MULTI_FIELDS: dict[str, type[Model]] = {
    "violence_types": ViolenceType,
    "perpetrators": Perpetrator,
    "victim_groups": VictimGroup,
    "nationalities": Country,
}
CHOICE_FIELDS: dict[str, Any] = {
    "date_precision": DatePrecision,
    "gender": Gender,
    "fear_expressed": YesNoUnknown,
    "verification": Verification,
}
BOOL_FIELDS = ("complaint_crcl", "complaint_oig", "lawsuit")
INT_FIELDS = {"victims_count": 1, "children_count": 0}
TEXT_FIELDS = {"title": 200, "summary": None, "narrative": None, "external_id": 100}
# Fields several columns may feed (their values are added together).
COMBINABLE = {*MULTI_FIELDS, "source_urls", "tags"}

# Everything a column may be mapped to, in the order the mapping form shows them.
TARGETS: dict[str, Any] = {
    "reference": gettext_lazy("ReturnWatch reference (updates that record)"),
    "external_id": gettext_lazy("identifier in another database (updates instead of duplicating)"),
    "title": gettext_lazy("public title"),
    "summary": gettext_lazy("public summary"),
    "narrative": gettext_lazy("restricted narrative"),
    "date": gettext_lazy("date of the incident"),
    "date_precision": gettext_lazy("date precision"),
    "date_reported": gettext_lazy("date first reported"),
    "city": gettext_lazy("city"),
    "place_type": gettext_lazy("place type"),
    "program": gettext_lazy("program"),
    "violence_types": gettext_lazy("violence types"),
    "perpetrators": gettext_lazy("perpetrator types"),
    "victim_groups": gettext_lazy("victim groups"),
    "nationalities": gettext_lazy("nationalities"),
    "victims_count": gettext_lazy("number of people harmed"),
    "children_count": gettext_lazy("of whom children"),
    "gender": gettext_lazy("gender"),
    "port_of_entry": gettext_lazy("returned through port of entry"),
    "fear_expressed": gettext_lazy("expressed fear of return to US officials"),
    "complaint_crcl": gettext_lazy("complaint filed with CRCL"),
    "complaint_oig": gettext_lazy("complaint filed with OIG"),
    "lawsuit": gettext_lazy("lawsuit filed"),
    "verification": gettext_lazy("verification"),
    "tags": gettext_lazy("tags"),
    "source_urls": gettext_lazy("source addresses (URLs)"),
}
# Columns of our own exports that are derived or not importable: ignored when guessing.
IGNORED_EXPORT_COLUMNS = {
    "url", "year", "city_name", "state", "country", "latitude", "longitude", "published_at",
    "is_demo",
}  # fmt: skip
ALIASES = {
    "id": "external_id",
    "external id": "external_id",
    "case id": "external_id",
    "referencia": "reference",
    "titulo": "title",
    "resumen": "summary",
    "descripcion": "summary",
    "narrativa": "narrative",
    "relato": "narrative",
    "fecha": "date",
    "fecha del incidente": "date",
    "precision": "date_precision",
    "fecha reportada": "date_reported",
    "fecha de reporte": "date_reported",
    "ciudad": "city",
    "lugar": "place_type",
    "tipo de lugar": "place_type",
    "programa": "program",
    "tipo": "violence_types",
    "tipos": "violence_types",
    "type": "violence_types",
    "types": "violence_types",
    "tipo de violencia": "violence_types",
    "violence type": "violence_types",
    "perpetrador": "perpetrators",
    "perpetradores": "perpetrators",
    "perpetrator": "perpetrators",
    "grupo": "victim_groups",
    "grupos": "victim_groups",
    "victim group": "victim_groups",
    "nacionalidad": "nationalities",
    "nacionalidades": "nationalities",
    "nationality": "nationalities",
    "victimas": "victims_count",
    "personas": "victims_count",
    "victims": "victims_count",
    "ninos": "children_count",
    "children": "children_count",
    "genero": "gender",
    "puerto de entrada": "port_of_entry",
    "miedo": "fear_expressed",
    "verificacion": "verification",
    "etiquetas": "tags",
    "fuente": "source_urls",
    "fuentes": "source_urls",
    "source": "source_urls",
    "sources": "source_urls",
    "source url": "source_urls",
    "url de la fuente": "source_urls",
}


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    return search.fold(text)


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """A proposed mapping: field names, their labels in English and Spanish, common aliases."""
    known: dict[str, str] = {}
    for name, label in TARGETS.items():
        known[fold(name)] = name
        for lang in ("en", "es"):
            with translation.override(lang):
                known.setdefault(fold(str(label)), name)
    mapping: dict[str, str] = {}
    for header in headers:
        key = fold(header)
        if key in {fold(c) for c in IGNORED_EXPORT_COLUMNS}:
            mapping[header] = ""
            continue
        mapping[header] = known.get(key) or ALIASES.get(key, "")
        if not mapping[header] and re.match(r"^(source|fuente|url)\s*\d+$", key):
            mapping[header] = "source_urls"
    return mapping


def check_mapping(mapping: dict[str, str]) -> list[str]:
    """Problems with a mapping as a whole (before any row is read)."""
    problems = []
    used: dict[str, list[str]] = defaultdict(list)
    for header, target in mapping.items():
        if not target:
            continue
        if target not in TARGETS:
            problems.append(
                _("“%(field)s” is not a field that can be imported.") % {"field": target}
            )
            continue
        used[target].append(header)
    for target, headers in used.items():
        if len(headers) > 1 and target not in COMBINABLE:
            problems.append(
                _("Only one column can be the %(field)s; %(columns)s are all mapped to it.")
                % {"field": TARGETS[target], "columns": ", ".join(f"“{h}”" for h in headers)}
            )
    if "title" not in used:
        problems.append(_("Map a column to the public title: every incident needs one."))
    return problems


# ---------------------------------------------------------------------------- reading files


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number in the file, cells)


class ImportError_(Exception):
    """The file cannot be read at all (wrong format, no header row, too many rows)."""


def read_table(data: bytes, filename: str) -> Table:
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        return _read_xlsx(data)
    return _read_csv(data)


def _read_csv(data: bytes) -> Table:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover — cp1252 decodes almost anything
        raise ImportError_(_("The file is not text in UTF-8 or Windows-1252."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _table(enumerate(reader, start=1))


def _read_xlsx(data: bytes) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportError_(_("The file is not a readable XLSX workbook.")) from error
    try:
        sheet = workbook.worksheets[0]
        return _table(enumerate(sheet.iter_rows(values_only=True), start=1))
    finally:
        workbook.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(numbered: Iterable[tuple[int, Any]]) -> Table:
    headers: list[str] | None = None
    rows: list[tuple[int, list[Any]]] = []
    for number, cells in numbered:
        cells = list(cells)
        if all(_blank(c) for c in cells):
            continue
        if headers is None:
            headers = [str(c).strip() if c is not None else "" for c in cells]
            while headers and not headers[-1]:
                headers.pop()
            headers = [h or f"column {i + 1}" for i, h in enumerate(headers)]
            continue
        if not rows and all(_blank(c) or str(c).startswith("#") for c in cells):
            continue  # an HXL hashtag row (our own CSV with ?hxl=1)
        rows.append((number, cells[: len(headers)] + [None] * (len(headers) - len(cells))))
        if len(rows) > MAX_ROWS:
            raise ImportError_(
                _("The file has more than %(n)s rows: split it into several files.")
                % {"n": f"{MAX_ROWS:,}"}
            )
    if headers is None:
        raise ImportError_(_("The file is empty: it needs a header row and rows of data."))
    return Table(headers, rows)


# ---------------------------------------------------------------------------- values

MONTHS = {
    "january": 1, "jan": 1, "enero": 1, "ene": 1,
    "february": 2, "feb": 2, "febrero": 2,
    "march": 3, "mar": 3, "marzo": 3,
    "april": 4, "apr": 4, "abril": 4, "abr": 4,
    "may": 5, "mayo": 5,
    "june": 6, "jun": 6, "junio": 6,
    "july": 7, "jul": 7, "julio": 7,
    "august": 8, "aug": 8, "agosto": 8, "ago": 8,
    "september": 9, "sep": 9, "sept": 9, "septiembre": 9, "setiembre": 9, "set": 9,
    "october": 10, "oct": 10, "octubre": 10,
    "november": 11, "nov": 11, "noviembre": 11,
    "december": 12, "dec": 12, "diciembre": 12, "dic": 12,
}  # fmt: skip
APPROXIMATE = re.compile(
    r"^(c\.|ca\.|circa|approx\.?|approximately|about|around|aprox\.?|aproximadamente|~)\s*",
    re.IGNORECASE,
)
ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?(?:[T ][0-9:.]+Z?)?$")
NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
FILLER = {"de", "del", "of", "the", "th", "st", "nd", "rd"}


class BadValue(ValueError):
    pass


def parse_date(value: Any, order: str = "dmy") -> tuple[dt.date, str]:
    """(date, precision) from a cell: 2019-10-03, 2019-10, 2019, 03/10/2019 (day-month order
    chosen by `order`: dmy or mdy), 3 October 2019, October 3, 2019, October 2019,
    oct. 2019, 3 de octubre de 2019; "c." or "approx." before any of them: approximate."""
    if isinstance(value, dt.datetime):
        return value.date(), DatePrecision.DAY
    if isinstance(value, dt.date):
        return value, DatePrecision.DAY
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if float(value).is_integer() and 1900 <= int(value) <= 2100:
            return dt.date(int(value), 1, 1), DatePrecision.YEAR
        raise BadValue(_("“%(value)s” is not a date.") % {"value": value})
    text = str(value).strip()
    approximate = bool(APPROXIMATE.match(text))
    text = APPROXIMATE.sub("", text)
    date, precision = _parse_date_text(text, order)
    if approximate:
        precision = DatePrecision.APPROXIMATE
    return date, precision


def _make(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise BadValue(_("“%(value)s” is not a date that exists.") % {"value": text}) from None


def _parse_date_text(text: str, order: str) -> tuple[dt.date, str]:
    m = ISO.match(text)
    if m:
        year, month = int(m[1]), int(m[2])
        if m[3]:
            return _make(year, month, int(m[3]), text), DatePrecision.DAY
        return _make(year, month, 1, text), DatePrecision.MONTH
    if re.fullmatch(r"\d{4}", text):
        return _make(int(text), 1, 1, text), DatePrecision.YEAR
    m = NUMERIC.match(text)
    if m:
        a, b, year = int(m[1]), int(m[2]), int(m[3])
        if year < 100:
            year += 2000 if year <= dt.date.today().year % 100 else 1900
        day, month = (a, b) if order == "dmy" else (b, a)
        return _make(year, month, day, text), DatePrecision.DAY
    words = [w for w in fold(text).split() if w not in FILLER]
    months = [MONTHS[w] for w in words if w in MONTHS]
    numbers = [int(w) for w in words if w.isdigit()]
    years = [n for n in numbers if n >= 1900]
    days = [n for n in numbers if 1 <= n <= 31]
    if len(months) == 1 and len(years) == 1 and len(words) == len(numbers) + 1:
        if len(days) == 1 and len(numbers) == 2:
            return _make(years[0], months[0], days[0], text), DatePrecision.DAY
        if len(numbers) == 1:
            return _make(years[0], months[0], 1, text), DatePrecision.MONTH
    raise BadValue(
        _(
            "“%(value)s” is not a date in a known format (e.g. 2019-10-03, 03/10/2019, October 2019)."
        )
        % {"value": text[:40]}
    )


TRUE = {"true", "yes", "y", "si", "s", "1", "x", "verdadero", "t"}
FALSE = {"false", "no", "n", "0", "falso", "f"}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    key = fold(str(value))
    if key in TRUE:
        return True
    if key in FALSE:
        return False
    raise BadValue(_("“%(value)s” is not yes or no.") % {"value": str(value)[:40]})


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise BadValue(_("“%(value)s” is not a whole number.") % {"value": value})
    try:
        number = float(str(value).strip().replace(",", ""))
    except ValueError:
        raise BadValue(
            _("“%(value)s” is not a whole number.") % {"value": str(value)[:40]}
        ) from None
    if not number.is_integer() or number < 0:
        raise BadValue(_("“%(value)s” is not a whole number.") % {"value": str(value)[:40]})
    return int(number)


class Vocabulary:
    """Codes and English and Spanish labels of every vocabulary, folded, for lookups."""

    def __init__(self) -> None:
        self.terms: dict[str, dict[str, Any]] = {}
        for name, model in {**TERM_FIELDS, **MULTI_FIELDS}.items():
            index: dict[str, Any] = {}
            for term in model.objects.all():  # type: ignore[attr-defined]  # a vocabulary model
                for key in (term.label_es, term.label_en, term.code):
                    if key:
                        index[fold(key)] = term
            self.terms[name] = index
        self.choices: dict[str, dict[str, str]] = {}
        for name, choices in CHOICE_FIELDS.items():
            index = {}
            for value, label in choices.choices:
                for lang in ("es", "en"):
                    with translation.override(lang):
                        index[fold(str(label))] = value
                index[fold(value)] = value
            self.choices[name] = index
        for word in TRUE:
            self.choices["fear_expressed"].setdefault(word, YesNoUnknown.YES)
        for word in FALSE:
            self.choices["fear_expressed"].setdefault(word, YesNoUnknown.NO)
        self.kinds = {k.code: k for k in DocumentKind.objects.all()}

    def term(self, name: str, value: str) -> Any:
        found = self.terms[name].get(fold(value))
        if found is None:
            raise BadValue(
                _(
                    "“%(value)s” is not a known %(vocabulary)s (by code or English or Spanish label)."
                )
                % {
                    "value": value[:60],
                    "vocabulary": (MULTI_FIELDS.get(name) or TERM_FIELDS[name])._meta.verbose_name,
                }
            )
        return found

    def choice(self, name: str, value: str) -> str:
        found = self.choices[name].get(fold(value))
        if found is None:
            allowed = ", ".join(v for v, _label in CHOICE_FIELDS[name].choices if v)
            raise BadValue(
                _("“%(value)s” is not one of: %(allowed)s.")
                % {"value": value[:40], "allowed": allowed}
            )
        return found


_url = URLValidator(schemes=["http", "https"])


def parse_urls(value: str) -> list[str]:
    urls = [u for u in re.split(r"[;\s]+", value.strip()) if u]
    for u in urls:
        try:
            _url(u)
        except ValidationError:
            shown = u if len(urls) > 1 and u.startswith("http") else value.strip()
            raise BadValue(_("“%(value)s” is not a web address.") % {"value": shown[:80]}) from None
        if len(u) > 1000:
            raise BadValue(_("A web address is longer than 1,000 characters."))
    return urls


# ---------------------------------------------------------------------------- planning


@dataclass
class Options:
    date_order: str = "dmy"  # or "mdy": how to read 03/10/2019
    document_kind: str = "news"  # kind of documents made from source URLs

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Options:
        return cls(
            date_order="mdy" if data.get("date_order") == "mdy" else "dmy",
            document_kind=str(data.get("document_kind") or "news"),
        )

    def as_dict(self) -> dict[str, str]:
        return {"date_order": self.date_order, "document_kind": self.document_kind}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class RowPlan:
    row: int
    action: str  # create, update, unchanged
    values: dict[str, Any]  # simple fields (city etc. as Term objects)
    multi: dict[str, list[Any]]
    tags: list[str] | None
    sources: list[str]
    incident_id: int | None = None
    reference: str = ""
    changed: list[str] = field(default_factory=list)


@dataclass
class Report:
    rows: int = 0
    plans: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the file or mapping as a whole
    applied: bool = False

    def count(self, action: str) -> int:
        return sum(1 for p in self.plans if p.action == action)

    @property
    def creates(self) -> int:
        return self.count("create")

    @property
    def updates(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors and not self.problems

    def summary(self) -> dict[str, int]:
        return {
            "rows": self.rows,
            "create": self.creates,
            "update": self.updates,
            "unchanged": self.unchanged,
            "bad_rows": self.bad_rows,
        }

    def describe(self) -> str:
        """A plain-text report (for the command line)."""
        lines = [
            _(
                "%(rows)s rows: %(create)s to create, %(update)s to update, "
                "%(unchanged)s unchanged, %(bad_rows)s bad."
            )
            % self.summary()
        ]
        lines += [f"! {p}" for p in self.problems]
        for e in self.errors[:MAX_ERRORS_SHOWN]:
            lines.append(
                _("row %(row)s, %(column)s: %(message)s")
                % {"row": e.row, "column": e.column, "message": e.message}
            )
        if len(self.errors) > MAX_ERRORS_SHOWN:
            lines.append(_("… and %(n)s more.") % {"n": len(self.errors) - MAX_ERRORS_SHOWN})
        return "\n".join(lines)


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _parse_row(
    cells: dict[str, list[tuple[str, Any]]], vocab: Vocabulary, options: Options
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Values of one row by field, and (column, reason) for each bad cell."""
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for target, entries in cells.items():
        for header, raw in entries:
            value = _cell(raw)
            try:
                if target in COMBINABLE:
                    parsed = _parse_combinable(target, value, vocab)
                    values.setdefault(target, [])
                    values[target] += [v for v in parsed if v not in values[target]]
                elif value is None:
                    values[target] = None
                elif target in TEXT_FIELDS:
                    text = str(value)
                    limit = TEXT_FIELDS[target]
                    if limit and len(text) > limit:
                        raise BadValue(
                            _("Longer than %(n)s characters (%(m)s).")
                            % {"n": limit, "m": len(text)}
                        )
                    values[target] = text
                elif target == "reference":
                    if not REFERENCE.match(str(value)):
                        raise BadValue(
                            _("“%(value)s” is not a reference like RW-2019-00042.")
                            % {"value": str(value)[:40]}
                        )
                    values[target] = str(value)
                elif target == "date":
                    values["date"], values["_precision"] = parse_date(value, options.date_order)
                elif target == "date_reported":
                    values[target] = parse_date(value, options.date_order)[0]
                elif target in TERM_FIELDS:
                    values[target] = vocab.term(target, str(value))
                elif target in CHOICE_FIELDS:
                    values[target] = vocab.choice(target, str(value))
                elif target in BOOL_FIELDS:
                    values[target] = parse_bool(value)
                elif target in INT_FIELDS:
                    values[target] = parse_int(value)
            except BadValue as error:
                errors.append((header, str(error)))
    return values, errors


def _parse_combinable(target: str, value: Any, vocab: Vocabulary) -> list[Any]:
    if value is None:
        return []
    text = str(value)
    if target == "source_urls":
        return parse_urls(text)
    parts = [p for p in MULTI_SEP.split(text.strip().strip(";")) if p]
    if target == "tags":
        return [t for t in (slugify(p)[:64] for p in re.split(r"[;,]", text)) if t]
    out = []
    bad = []
    for part in parts:
        try:
            out.append(vocab.term(target, part))
        except BadValue as error:
            bad.append(str(error))
    if bad:
        raise BadValue(" ".join(bad))
    return out


SIMPLE = (
    "title", "summary", "narrative", "date", "date_precision", "date_reported", "city",
    "place_type", "program", "victims_count", "children_count", "gender", "port_of_entry",
    "fear_expressed", "complaint_crcl", "complaint_oig", "lawsuit", "verification", "external_id",
)  # fmt: skip
DEFAULTS: dict[str, Any] = {
    "summary": "",
    "narrative": "",
    "date": None,
    "date_precision": DatePrecision.DAY,
    "date_reported": None,
    "city": None,
    "place_type": None,
    "program": None,
    "victims_count": 1,
    "children_count": 0,
    "gender": "",
    "port_of_entry": None,
    "fear_expressed": YesNoUnknown.UNKNOWN,
    "complaint_crcl": False,
    "complaint_oig": False,
    "lawsuit": False,
    "verification": Verification.UNVERIFIED,
    "external_id": "",
}


def _simple_values(values: dict[str, Any], *, new: bool) -> dict[str, Any]:
    """Model field values from a parsed row: a blank cell means the default (or, for an
    update, clears the field to it); an unmapped field is left as it is on update."""
    out: dict[str, Any] = {}
    for name in SIMPLE:
        if name not in values:
            if new:
                out[name] = DEFAULTS.get(name)
            continue
        value = values[name]
        out[name] = DEFAULTS.get(name) if value is None else value
    if "date" in values:
        explicit = values.get("date_precision")
        if values["date"] is None:
            out["date_precision"] = explicit or DatePrecision.DAY
        else:
            out["date_precision"] = explicit or values.get("_precision", DatePrecision.DAY)
    return out


def plan(
    table: Table, mapping: dict[str, str], user: Any, options: Options | None = None
) -> Report:
    """Check every row; say what would be created, updated or left alone. Writes nothing."""
    options = options or Options()
    report = Report(rows=len(table.rows))
    mapping = {h: t for h, t in mapping.items() if h in table.headers}
    report.problems = check_mapping(mapping)
    if options.document_kind not in {k.code for k in DocumentKind.objects.all()}:
        report.problems.append(
            _("“%(kind)s” is not a document kind.") % {"kind": options.document_kind}
        )
    if report.problems:
        return report
    vocab = Vocabulary()
    columns = [(i, h, mapping[h]) for i, h in enumerate(table.headers) if mapping.get(h)]
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, row in table.rows:
        cells: dict[str, list[tuple[str, Any]]] = defaultdict(list)
        for i, header, target in columns:
            cells[target].append((header, row[i]))
        values, errors = _parse_row(cells, vocab, options)
        if not values.get("title"):
            errors.append((_header_of(mapping, "title"), _("The public title is empty.")))
        # The domain rules, shared with the workspace and the API (incidents/rules.py).
        for name, message in rules.problems(values).items():
            errors.append((_header_of(mapping, name), message))
        for column, message in errors:
            report.errors.append(RowError(number, column, message))
        if not errors:
            parsed.append((number, values))
    _match(parsed, mapping, user, report)
    return report


def _header_of(mapping: dict[str, str], target: str) -> str:
    return next((h for h, t in mapping.items() if t == target), target)


def _match(
    parsed: list[tuple[int, dict[str, Any]]], mapping: dict[str, str], user: Any, report: Report
) -> None:
    """Find the existing record of each row (by external ID, else by reference)."""
    keys_ext = {v["external_id"] for _n, v in parsed if v.get("external_id")}
    refs = {v["reference"] for _n, v in parsed if v.get("reference")}
    # Rows match only records the user's organization holds (access.py): an import never
    # changes another organization's record, nor says whether its identifier exists.
    visible = access.restricted_incidents(user)
    by_ext: dict[str, list[int]] = defaultdict(list)
    for chunk in _chunks(sorted(keys_ext | refs), 500):
        for found_pk, found_ext in visible.filter(external_id__in=chunk).values_list(
            "pk", "external_id"
        ):
            by_ext[found_ext].append(found_pk)
    by_ref: dict[str, int] = {}
    hidden: set[str] = set()
    for chunk in _chunks(sorted(refs), 500):
        found = dict(Incident.objects.filter(reference__in=chunk).values_list("reference", "pk"))
        seen = set(visible.filter(pk__in=found.values()).values_list("pk", flat=True))
        for found_ref, found_pk in found.items():
            (by_ref.__setitem__(found_ref, found_pk) if found_pk in seen else hidden.add(found_ref))
    first_row: dict[int | str, int] = {}
    matched: list[tuple[int, dict[str, Any], int | None]] = []
    ext_column, ref_column = _header_of(mapping, "external_id"), _header_of(mapping, "reference")
    for number, values in parsed:
        ext, ref = values.get("external_id"), values.get("reference")
        pk: int | None = None
        column = ext_column
        if ext:
            candidates = by_ext.get(ext, [])
            if len(candidates) > 1:
                report.errors.append(
                    RowError(
                        number,
                        column,
                        _("Several records have the identifier “%(id)s”.") % {"id": ext},
                    )
                )
                continue
            pk = candidates[0] if candidates else None
        elif ref:
            column = ref_column
            if ref in hidden:
                report.errors.append(
                    RowError(
                        number, column, _("%(ref)s is not a record you may change.") % {"ref": ref}
                    )
                )
                continue
            pk = by_ref.get(ref)
            if pk is None:
                # A reference from another ReturnWatch: keep it as the external ID, so
                # importing the same file again updates these records.
                values["external_id"] = ref
                candidates = by_ext.get(ref, [])
                pk = candidates[0] if len(candidates) == 1 else None
        key: int | str | None = pk if pk is not None else (ext or ref or None)
        if key is not None:
            if key in first_row:
                report.errors.append(
                    RowError(
                        number,
                        column,
                        _("The same record is already in row %(row)s.") % {"row": first_row[key]},
                    )
                )
                continue
            first_row[key] = number
        matched.append((number, values, pk))
    existing = _load_existing([pk for _n, _v, pk in matched if pk is not None])
    for number, values, pk in matched:
        tags = values.get("tags") if "tags" in values else None
        multi = {name: values[name] for name in MULTI_FIELDS if name in values}
        sources = values.get("source_urls", [])
        if pk is None:
            report.plans.append(
                RowPlan(number, "create", _simple_values(values, new=True), multi, tags, sources)
            )
            continue
        current = existing[pk]
        simple = _simple_values(values, new=False)
        changed = [
            n for n, v in simple.items() if _comparable(current["simple"][n]) != _comparable(v)
        ]
        changed += [
            n for n, terms in multi.items() if sorted(t.pk for t in terms) != current["multi"][n]
        ]
        if tags is not None and sorted(tags) != current["tags"]:
            changed.append("tags")
        new_sources = [u for u in sources if u not in current["sources"]]
        if new_sources:
            changed.append("citations")
        action = "update" if changed else "unchanged"
        if changed and current["status"] in (Status.PUBLISHED, Status.RETRACTED):
            report.errors.append(
                RowError(
                    number,
                    ref_column if values.get("reference") else ext_column,
                    _(
                        "%(ref)s is public (%(status)s): an import never changes what the public "
                        "sees. Change it in the workspace; it would change: %(fields)s."
                    )
                    % {
                        "ref": current["reference"],
                        "status": current["status"],
                        "fields": ", ".join(changed),
                    },
                )
            )
            continue
        report.plans.append(
            RowPlan(
                number,
                action,
                simple,
                multi,
                tags,
                new_sources,
                incident_id=pk,
                reference=current["reference"],
                changed=changed,
            )
        )


def _comparable(value: Any) -> Any:
    return value.pk if isinstance(value, Model) else value


def _load_existing(ids: list[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids, 500):
        rows = Incident.objects.filter(pk__in=chunk).values(
            "pk", "reference", "status", *[f"{n}_id" if n in TERM_FIELDS else n for n in SIMPLE]
        )
        for r in rows:
            simple = {n: r[f"{n}_id"] if n in TERM_FIELDS else r[n] for n in SIMPLE}
            out[r["pk"]] = {
                "reference": r["reference"],
                "status": r["status"],
                "simple": simple,
                "multi": {n: [] for n in MULTI_FIELDS},
                "tags": [],
                "sources": set(),
            }
        for name, model in MULTI_FIELDS.items():
            through = getattr(Incident, name).through
            column = f"{model._meta.model_name}_id"
            for incident_id, term_id in through.objects.filter(incident_id__in=chunk).values_list(
                "incident_id", column
            ):
                out[incident_id]["multi"][name].append(term_id)
        for incident_id, tag in Incident.tags.through.objects.filter(
            incident_id__in=chunk
        ).values_list("incident_id", "tag__name"):
            out[incident_id]["tags"].append(tag)
        for incident_id, url in Citation.objects.filter(incident_id__in=chunk).values_list(
            "incident_id", "document__url"
        ):
            out[incident_id]["sources"].add(url)
    for item in out.values():
        for lst in item["multi"].values():
            lst.sort()
        item["tags"].sort()
    return out


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# ---------------------------------------------------------------------------- applying


class NotApplied(Exception):
    """The plan has bad rows: nothing was written."""


BATCH = 2000


def apply(report: Report, user: Any, options: Options | None = None, note: str = "") -> Report:
    """Write the plan in one transaction: every row or none. New incidents are drafts."""
    options = options or Options()
    if not report.ok:
        raise NotApplied(report.describe())
    if report.creates and not access.may(user, "create", Incident):
        raise PermissionDenied(_("Your account has no organization: an admin gives it one."))
    kind = DocumentKind.objects.get(code=options.document_kind)
    creates = [p for p in report.plans if p.action == "create"]
    updates = [p for p in report.plans if p.action == "update"]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One import at a time: new references are numbered in memory.
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(7242006)")
        documents = _documents_for(
            {u for p in report.plans if p.action != "unchanged" for u in p.sources}, kind, user
        )
        numbers = _next_numbers(creates)
        for batch in _chunks(creates, BATCH):
            _create(batch, user, numbers, documents, note)
        for p in updates:
            _update(p, user, documents, note)
    report.applied = True
    return report


def _next_numbers(plans: list[RowPlan]) -> dict[int, int]:
    """Reserve a reference number for each new record (incidents/references.py)."""
    today = timezone.now().date()
    return references.reserve((p.values["date"] or today).year for p in plans)


def _documents_for(urls: set[str], kind: DocumentKind, user: Any) -> dict[str, Document]:
    """Documents for source URLs: the existing one with that address, else a new one."""
    found: dict[str, Document] = {}
    for chunk in _chunks(sorted(urls), 500):
        # Only documents the user may see are reused: another organization's document with
        # the same address must not become citable (or readable) through an import.
        for doc in access.visible_documents(user).filter(url__in=chunk).order_by("pk"):
            found.setdefault(doc.url, doc)
    # New documents have no library item yet, so no save signal has work to do: one insert.
    new = Document.objects.bulk_create(
        [
            Document(kind=kind, title=url[:300], url=url, created_by=user, summary="")
            for url in sorted(urls - set(found))
        ],
        batch_size=1000,
    )
    _record_many(
        user, [(Action.CREATE, doc, ["kind", "title", "url"], doc) for doc in new], "import"
    )
    found.update({doc.url: doc for doc in new})
    return found


def _record_many(user: Any, items: Sequence[tuple[str, Any, list[str], Any]], note: str) -> None:
    """Append many entries to the change history (`audit.log.chain`) in one statement.
    Items are (action, target, fields, about)."""
    if items:
        _insert(log.chain(user, items, note))


def _create(
    batch: list[RowPlan],
    user: Any,
    numbers: dict[int, int],
    documents: dict[str, Document],
    note: str,
) -> None:
    today = timezone.now().date()
    objects = []
    for p in batch:
        v = p.values
        year = (v["date"] or today).year
        numbers[year] += 1
        incident = Incident(
            reference=references.format_reference(year, numbers[year]),
            status=Status.DRAFT,
            created_by=user,
            organization=getattr(user, "organization", None),
            year=v["date"].year if v["date"] else None,
            month=v["date"].replace(day=1) if v["date"] else None,
            **v,
        )
        objects.append(incident)
    # One prepared statement instead of bulk_create's per-value SQL; the new ids are read
    # back by reference (unique, and numbered here under the import's lock).
    _insert(objects)
    ids = dict(
        Incident.objects.filter(reference__in=[o.reference for o in objects]).values_list(
            "reference", "pk"
        )
    )
    for incident in objects:
        incident.pk = ids[incident.reference]
        incident._state.adding = False
        incident._state.db = connection.alias
    created = objects
    links: dict[str, list[tuple[int, int]]] = defaultdict(list)
    tag_names = {t for p in batch for t in (p.tags or [])}
    tags = _tags(tag_names)
    citations = []
    for incident, p in zip(created, batch, strict=True):
        p.incident_id, p.reference = incident.pk, incident.reference
        for name, terms in p.multi.items():
            links[name] += [(incident.pk, term.pk) for term in terms]
        links["tags"] += [(incident.pk, tags[t].pk) for t in p.tags or []]
        for url in p.sources:
            citations.append(Citation(incident=incident, document=documents[url]))
    for name, pairs in links.items():
        _link(name, pairs)
    _insert(citations)
    # The search index, as search.bulk_index writes it, from what is in memory (the terms
    # are loaded already) instead of reading the new rows back.
    from returnwatch.incidents.models import SearchEntry

    entries_for_search = []
    for incident, p in zip(created, batch, strict=True):
        public, everything = search.texts(_Indexable(incident, p.multi))  # type: ignore[arg-type]  # reads like an Incident
        entries_for_search.append(
            SearchEntry(incident_id=incident.pk, public=public, everything=everything)
        )
    _insert(entries_for_search)
    entries = []
    for incident, p in zip(created, batch, strict=True):
        fields = [n for n, v in p.values.items() if v not in (None, "", DEFAULTS.get(n))]
        fields += [n for n, terms in p.multi.items() if terms]
        if p.tags:
            fields.append("tags")
        if p.sources:
            fields.append("citations")
        entries.append((Action.CREATE, incident, fields, incident))
    _record_many(user, entries, note or "import")


def _link(name: str, pairs: list[tuple[int, int]]) -> None:
    """Rows of a many-to-many table of Incident, in one prepared statement."""
    if not pairs:
        return
    through = getattr(Incident, name).through
    target = Incident._meta.get_field(name).related_model
    q = connection.ops.quote_name
    columns = (
        q(through._meta.get_field("incident").column),
        q(through._meta.get_field(target._meta.model_name).column),  # type: ignore[union-attr]  # a related field has its model
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {q(through._meta.db_table)} ({columns[0]}, {columns[1]}) VALUES (%s, %s)",
            pairs,
        )


def _insert(objects: list[Any]) -> None:
    """Insert new model instances whose ids nobody needs back, in one prepared statement.

    What `bulk_create` writes (every concrete field, prepared by the field itself, auto_now
    included), without the per-value SQL compilation that makes it slow at 100,000 rows.
    """
    if not objects:
        return
    from django.db.models import AutoField, BigAutoField, SmallAutoField

    model = type(objects[0])
    fields = [
        f
        for f in model._meta.concrete_fields
        if not isinstance(f, AutoField | BigAutoField | SmallAutoField)
    ]
    q = connection.ops.quote_name
    sql = (
        f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    rows = [[f.get_db_prep_save(f.pre_save(o, True), connection) for f in fields] for o in objects]
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, 5000):
            cursor.executemany(sql, chunk)


class _Terms(list):
    def all(self) -> list[Any]:
        return self


class _Indexable:
    """A new incident as `search.texts` reads it: its fields, and its many-valued
    vocabularies from the parsed row (a related manager would query the database)."""

    def __init__(self, incident: Incident, multi: dict[str, list[Any]]) -> None:
        self._incident = incident
        self._multi = multi

    def __getattr__(self, name: str) -> Any:
        if name in MULTI_FIELDS:
            return _Terms(self._multi.get(name, []))
        return getattr(self._incident, name)


def _tags(names: set[str]) -> dict[str, Tag]:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in sorted(names - set(existing))]
    if missing:
        Tag.objects.bulk_create(missing)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    return existing


def _update(p: RowPlan, user: Any, documents: dict[str, Document], note: str) -> None:
    assert p.incident_id is not None  # an update plan names its record
    incident = Incident.objects.select_for_update().get(pk=p.incident_id)
    if incident.status in (Status.PUBLISHED, Status.RETRACTED):
        raise NotApplied(_("%(ref)s was published meanwhile.") % {"ref": incident.reference})
    for name in p.changed:
        if name in p.values:
            setattr(incident, name, p.values[name])
    incident.save()
    for name, terms in p.multi.items():
        if name in p.changed:
            getattr(incident, name).set(terms)
    if p.tags is not None and "tags" in p.changed:
        incident.tags.set(list(_tags(set(p.tags)).values()))
    for url in p.sources:
        Citation.objects.get_or_create(incident=incident, document=documents[url])
    search.index([incident.pk])
    log.record(user, Action.UPDATE, incident, p.changed, note=note or "import", about=incident)
