"""Validating: each cell read as the value of its field (dates in the usual formats and
their precision, yes/no, whole numbers, vocabulary values by code or English or Spanish label,
web addresses), each bad cell with its reason. The domain rules shared with the workspace and
the API (incidents/rules.py) are applied in planning.py, row by row."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from returnwatch.incidents.models import DatePrecision, DocumentKind, YesNoUnknown

from .fields import (
    BOOL_FIELDS,
    CHOICE_FIELDS,
    COMBINABLE,
    DEFAULTS,
    INT_FIELDS,
    MULTI_FIELDS,
    MULTI_SEP,
    REFERENCE,
    SIMPLE,
    TERM_FIELDS,
    TEXT_FIELDS,
    Options,
    fold,
)

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
            for term in model.objects.all():  # type: ignore[attr-defined]
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


def cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def parse_row(
    cells: dict[str, list[tuple[str, Any]]], vocab: Vocabulary, options: Options
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Values of one row by field, and (column, reason) for each bad cell."""
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for target, entries in cells.items():
        for header, raw in entries:
            value = cell(raw)
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


def simple_values(values: dict[str, Any], *, new: bool) -> dict[str, Any]:
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
