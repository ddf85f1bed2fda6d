"""Writers for the public data: CSV (with an optional HXL row), JSON, GeoJSON, SQLite and a
Frictionless data package. All read `public.export_rows` a chunk at a time, so memory stays
flat however many rows there are; the text formats are generators for StreamingHttpResponse.

Multi-valued fields (violence types, perpetrators, victim groups, nationalities) are lists of
vocabulary codes in vocabulary order: in CSV and in the SQLite flat table they are joined by
`;` (MULTI_SEPARATOR), in JSON and GeoJSON they are arrays. docs/data.md says the same.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import sqlite3
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from returnwatch import public
from returnwatch.incidents import references
from returnwatch.incidents.models import (
    City,
    Country,
    Incident,
    Perpetrator,
    PlaceType,
    PortOfEntry,
    Program,
    VictimGroup,
    ViolenceType,
)
from returnwatch.public.columns import BOOLEAN, english
from returnwatch.public.columns import COLUMNS as REGISTRY

MULTI_SEPARATOR = public.MULTI_SEPARATOR
# The columns of every format, from the registry (returnwatch/public/columns.py).
COLUMNS: tuple[str, ...] = public.columns.NAMES
MULTI = set(public.INCIDENT_MULTI)
DESCRIPTIONS = {c.name: c.description for c in REGISTRY}
# HXL hashtags (hxlstandard.org) for `?hxl=1`: a second header row humanitarian tools read.
HXL = {c.name: c.hxl for c in REGISTRY}

# Vocabularies as published lookup tables: (name, model, extra columns).
VOCABULARIES: tuple[tuple[str, Any, tuple[str, ...]], ...] = (
    ("violence_types", ViolenceType, ("huridocs_term",)),
    ("perpetrators", Perpetrator, ()),
    ("victim_groups", VictimGroup, ()),
    ("nationalities", Country, ()),
    ("cities", City, ("state", "country", "latitude", "longitude")),
    ("place_types", PlaceType, ()),
    ("programs", Program, ("start", "end")),
    ("ports_of_entry", PortOfEntry, ()),
)
VOCABULARY_NAMES = tuple(v[0] for v in VOCABULARIES)
LABEL_LANGUAGES = ("en", "es", "fr", "pt", "ht")
# Which lookup table each code column of the flat table refers to.
FOREIGN_KEYS = {c.name: c.vocabulary for c in REGISTRY if c.vocabulary and not c.multi}

LICENSES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC-BY-SA-4.0": (
        "Creative Commons Attribution-ShareAlike 4.0",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC0-1.0": ("CC0 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    "ODbL-1.0": ("Open Data Commons Open Database License 1.0", "https://opendatacommons.org/licenses/odbl/1-0/"),
}  # fmt: skip


# ---------------------------------------------------------------------------- values


site_url = public.site_url
case_url = public.case_url


def license_info() -> dict[str, str]:
    name = settings.DATA_LICENSE
    title, path = LICENSES.get(name, (name, ""))
    info = {"name": name, "title": title}
    if path:
        info["path"] = path
    return info


def citation(today: dt.date | None = None) -> str:
    """How to cite the data (also on /data/ and in every package)."""
    today = today or timezone.now().date()
    return (
        f"ReturnWatch: database of attacks on asylum seekers returned to Mexico. "
        f"{site_url()}/data/ (data downloaded {today.isoformat()}). "
        f"Licence: {settings.DATA_LICENSE}."
    )


def json_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def flat_value(value: Any) -> Any:
    """A value for a flat table (CSV, SQLite): lists joined, booleans as true/false."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, list):
        return MULTI_SEPARATOR.join(value)
    return json_value(value)


def record(row: dict[str, Any]) -> dict[str, Any]:
    """One exported incident as JSON (the API uses the same shape)."""
    out = {"reference": row["reference"], "url": case_url(row["reference"])}
    for name in public.EXPORT_COLUMNS[1:]:
        out[name] = json_value(row[name])
    return out


def rows(qs: QuerySet[Incident]) -> Iterator[list[dict[str, Any]]]:
    return public.export_rows(qs)


# ---------------------------------------------------------------------------- CSV


class _Buffer(io.StringIO):
    def take(self) -> str:
        value = self.getvalue()
        self.seek(0)
        self.truncate()
        return value


# U+FEFF first: Excel on Windows then reads the file as UTF-8 (accents intact); other tools
# mostly read it as a stray character, so it is only written on request (`?bom=1`).
BOM = "\ufeff"


def csv_chunks(qs: QuerySet[Incident], *, hxl: bool = False, bom: bool = False) -> Iterator[str]:
    """The CSV, a piece per chunk of rows (the fast path: tuples straight to the writer)."""
    buffer = _Buffer()
    if bom:
        buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    if hxl:
        writer.writerow([HXL[c] for c in COLUMNS])
    yield buffer.take()
    base = f"{site_url()}/incidents/"
    # The url follows the reference (COLUMNS); booleans come as the text CSV has.
    for chunk in public.export_chunks(qs, booleans=("false", "true")):
        writer.writerows((r[0], f"{base}{r[0]}/", *r[1:]) for r in chunk)
        yield buffer.take()


# ---------------------------------------------------------------------------- JSON, GeoJSON


def _meta(parameters: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        "source": f"{site_url()}/data/",
        "license": license_info(),
        "citation": citation(),
        "generated_at": json_value(timezone.now().replace(microsecond=0)),
        "parameters": [list(p) for p in parameters],
        "multi_valued_fields": sorted(MULTI),
        "note": "Published incidents only: counts of public reports; the true number is higher.",
    }


def json_chunks(qs: QuerySet[Incident], parameters: list[tuple[str, str]]) -> Iterator[str]:
    head = json.dumps(_meta(parameters), ensure_ascii=False)
    yield head[:-1] + ', "incidents": ['
    first = True
    for chunk in rows(qs):
        body = ",\n".join(json.dumps(record(r), ensure_ascii=False) for r in chunk)
        yield ("\n" if first else ",\n") + body
        first = False
    yield "\n]}\n"


def feature(row: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON feature at the city's coordinates (never finer); no city, no geometry."""
    props = record(row)
    geometry = None
    if row["latitude"] is not None and row["longitude"] is not None:
        geometry = {
            "type": "Point",
            "coordinates": [float(row["longitude"]), float(row["latitude"])],
        }
    return {"type": "Feature", "id": row["reference"], "geometry": geometry, "properties": props}


def geojson_chunks(qs: QuerySet[Incident], parameters: list[tuple[str, str]]) -> Iterator[str]:
    head = json.dumps(
        {"type": "FeatureCollection", "metadata": _meta(parameters)}, ensure_ascii=False
    )
    yield head[:-1] + ', "features": ['
    first = True
    for chunk in rows(qs):
        body = ",\n".join(json.dumps(feature(r), ensure_ascii=False) for r in chunk)
        yield ("\n" if first else ",\n") + body
        first = False
    yield "\n]}\n"


# ---------------------------------------------------------------------------- vocabularies


def vocabulary_columns(name: str) -> list[str]:
    _name, _model, extra = next(v for v in VOCABULARIES if v[0] == name)
    return ["code", *(f"label_{lang}" for lang in LABEL_LANGUAGES), *extra]


def vocabulary_rows(name: str) -> list[list[Any]]:
    _name, model, extra = next(v for v in VOCABULARIES if v[0] == name)
    columns = ["code", *(f"label_{lang}" for lang in LABEL_LANGUAGES), *extra]
    return [[json_value(v) for v in row] for row in model.objects.values_list(*columns)]


def vocabulary_csv(name: str) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(vocabulary_columns(name))
    writer.writerows([flat_value(v) for v in row] for row in vocabulary_rows(name))
    return buffer.getvalue()


# ---------------------------------------------------------------------------- SQLite

_SQLITE = {"integer": "INTEGER", "boolean": "INTEGER", "number": "REAL"}
SQLITE_TYPES = {c.name: _SQLITE[c.type] for c in REGISTRY if c.type in _SQLITE}
# One link table per multi-valued field, named for one of its values.
_SINGULAR = {"nationalities": "nationality"}
MULTI_TABLES = {n: _SINGULAR.get(n, n.removesuffix("s")) for n in public.INCIDENT_MULTI}


def _sqlite_value(name: str, value: Any) -> Any:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, list):
        return MULTI_SEPARATOR.join(value)
    if isinstance(value, Decimal):
        return float(value)
    return json_value(value)


def build_sqlite(qs: QuerySet[Incident], path: str) -> int:
    """Write the public data to a new SQLite file that opens as it is in Datasette.

    `incidents`: one flat row per incident (multi-valued fields `;`-joined) with a
    full-text index on title and summary (`incidents_fts`, the way Datasette looks for it);
    one link table per multi-valued field (`incident_violence_types`…) for joins and facets;
    one lookup table per vocabulary with `name` (the English label, which Datasette shows
    beside a code) and the other labels.
    """
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        for name, model, extra in VOCABULARIES:
            cols = ", ".join(
                ["code TEXT PRIMARY KEY", "name TEXT"]
                + [f"label_{lang} TEXT" for lang in LABEL_LANGUAGES[1:]]
                + [f"{c} {'REAL' if c in ('latitude', 'longitude') else 'TEXT'}" for c in extra]
            )
            db.execute(f"CREATE TABLE {name} ({cols})")
            values = list(
                model.objects.values_list(
                    "code", *(f"label_{lang}" for lang in LABEL_LANGUAGES), *extra
                )
            )
            marks = ", ".join("?" * (1 + len(LABEL_LANGUAGES) + len(extra)))
            db.executemany(
                f"INSERT INTO {name} VALUES ({marks})",
                [[_sqlite_value("", v) for v in row] for row in values],
            )
        columns = []
        for c in COLUMNS:
            decl = f"{c} {SQLITE_TYPES.get(c, 'TEXT')}"
            if c == "reference":
                decl += " PRIMARY KEY"
            elif c in FOREIGN_KEYS:
                decl += f" REFERENCES {FOREIGN_KEYS[c]}(code)"
            columns.append(decl)
        # A rowid table (no WITHOUT ROWID): the full-text index refers to rows by rowid.
        db.execute(f"CREATE TABLE incidents ({', '.join(columns)})")
        for field, single in MULTI_TABLES.items():
            db.execute(
                f"CREATE TABLE incident_{field} (reference TEXT NOT NULL REFERENCES incidents(reference),"
                f" {single} TEXT NOT NULL REFERENCES {field}(code), PRIMARY KEY (reference, {single}))"
            )
        insert = f"INSERT INTO incidents VALUES ({', '.join('?' * len(COLUMNS))})"
        positions = [(field, public.EXPORT_COLUMNS.index(field)) for field in MULTI_TABLES]
        count = 0
        for chunk in public.export_chunks(qs, booleans=(0, 1)):
            db.executemany(insert, ((r[0], case_url(r[0]), *r[1:]) for r in chunk))
            for field, i in positions:
                db.executemany(
                    f"INSERT INTO incident_{field} VALUES (?, ?)",
                    ((r[0], code) for r in chunk if r[i] for code in r[i].split(MULTI_SEPARATOR)),
                )
            count += len(chunk)
        for field, single in MULTI_TABLES.items():
            db.execute(f"CREATE INDEX incident_{field}_{single} ON incident_{field}({single})")
        for c in ("date", "year", "city", "program"):
            db.execute(f"CREATE INDEX incidents_{c} ON incidents({c})")
        db.execute(
            'CREATE VIRTUAL TABLE incidents_fts USING fts5(title, summary, content="incidents")'
        )
        db.execute("INSERT INTO incidents_fts(incidents_fts) VALUES ('rebuild')")
        db.execute("CREATE TABLE _metadata (key TEXT PRIMARY KEY, value TEXT)")
        db.executemany(
            "INSERT INTO _metadata VALUES (?, ?)",
            [
                ("source", f"{site_url()}/data/"),
                ("license", settings.DATA_LICENSE),
                ("citation", citation()),
                ("generated_at", json_value(timezone.now().replace(microsecond=0))),
                ("multi_valued_separator", MULTI_SEPARATOR),
            ],
        )
        db.commit()
        return count
    finally:
        db.close()


# ---------------------------------------------------------------------------- data package

_FRICTIONLESS = {"date": "date", "date-time": "datetime", "integer": "integer"}
_FRICTIONLESS |= {"number": "number", BOOLEAN: "boolean"}
FRICTIONLESS_TYPES = {c.name: _FRICTIONLESS[c.type] for c in REGISTRY if c.type in _FRICTIONLESS}
ENUMS = {c.name: list(c.enum) for c in REGISTRY if c.enum}
_english = english


def table_schema() -> dict[str, Any]:
    fields = []
    for c in COLUMNS:
        f: dict[str, Any] = {
            "name": c,
            "type": FRICTIONLESS_TYPES.get(c, "string"),
            "description": _english(DESCRIPTIONS[c]),
        }
        if c == "reference":
            f["constraints"] = {"required": True, "unique": True, "pattern": references.PATTERN}
        elif public.columns.BY_NAME[c].required:
            f["constraints"] = {"required": True}
        elif c in ENUMS:
            f["constraints"] = {"enum": ENUMS[c]}
        elif c in MULTI:
            # Codes are lower-case letters, digits and hyphens.
            f["constraints"] = {"pattern": "([a-z0-9-]+(;[a-z0-9-]+)*)?"}
        elif c == "published_at":
            f["format"] = "%Y-%m-%dT%H:%M:%SZ"
        fields.append(f)
    return {
        "fields": fields,
        "primaryKey": ["reference"],
        "missingValues": [""],
        "foreignKeys": [
            {"fields": [col], "reference": {"resource": table, "fields": ["code"]}}
            for col, table in FOREIGN_KEYS.items()
        ],
    }


def descriptor(parameters: list[tuple[str, str]]) -> dict[str, Any]:
    resources: list[dict[str, Any]] = [
        {
            "name": "incidents",
            "path": "incidents.csv",
            "profile": "tabular-data-resource",
            "title": "Published incidents",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "schema": table_schema(),
        }
    ]
    for name, _model, _extra in VOCABULARIES:
        resources.append(
            {
                "name": name,
                "path": f"vocabularies/{name}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {"name": c, "type": _vocab_type(c)} for c in vocabulary_columns(name)
                    ],
                    "primaryKey": ["code"],
                    "missingValues": [""],
                },
            }
        )
    lic = license_info()
    return {
        "profile": "tabular-data-package",
        "name": "returnwatch-incidents",
        "title": "ReturnWatch: attacks on asylum seekers returned to Mexico",
        "description": (
            "Published incidents of violence against people forced to wait or return to "
            "danger, from public reports. Counts are of public reports; the true number is "
            "higher. Multi-valued fields hold vocabulary codes joined by ';'."
        ),
        "homepage": f"{site_url()}/data/",
        "created": json_value(timezone.now().replace(microsecond=0)),
        "licenses": [lic],
        "citation": citation(),
        "sources": [{"title": "ReturnWatch", "path": f"{site_url()}/data/"}],
        "x_search_parameters": [list(p) for p in parameters],
        "resources": resources,
    }


def _vocab_type(column: str) -> str:
    if column in ("latitude", "longitude"):
        return "number"
    if column in ("start", "end"):
        return "date"
    return "string"


class _Sink:
    """A write-only file for ZipFile that hands out what was written (streaming zip)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts = []
        return data


def datapackage_chunks(
    qs: QuerySet[Incident], parameters: list[tuple[str, str]]
) -> Iterator[bytes]:
    """A zip (written as it streams: no seeking, so entries carry data descriptors)."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as zf:  # type: ignore[call-overload]  # a write-only sink
        zf.writestr(
            "datapackage.json", json.dumps(descriptor(parameters), indent=2, ensure_ascii=False)
        )
        for name in VOCABULARY_NAMES:
            zf.writestr(f"vocabularies/{name}.csv", vocabulary_csv(name))
        yield sink.take()
        info = zipfile.ZipInfo("incidents.csv", _zip_time())
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as entry:
            for text in csv_chunks(qs):
                entry.write(text.encode("utf-8"))
                yield sink.take()
        zf.writestr("README.txt", _readme())
    yield sink.take()


def _zip_time() -> tuple[int, int, int, int, int, int]:
    now = timezone.now()
    return (now.year, now.month, now.day, now.hour, now.minute, now.second)


def _readme() -> str:
    return (
        "ReturnWatch public data\n\n"
        "incidents.csv: published incidents, one per row; vocabularies/*.csv: the codes.\n"
        "Multi-valued fields hold codes joined by ';'. Field descriptions: datapackage.json\n"
        f"and {site_url()}/data/\n\nHow to cite: {citation()}\n"
    )
