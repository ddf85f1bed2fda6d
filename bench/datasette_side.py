"""Datasette (0.65.5, a dev dependency) beside ReturnWatch on the same rows, in the same run.

`flat_export` writes the published incidents of the benchmark's database to one flat SQLite
table (`bench/out/flat.sqlite3`): vocabularies as codes, many-valued fields as JSON arrays
(Datasette's `_facet_array`), and the same folded public search text ReturnWatch matches
(incidents_searchentry.public) in an FTS5 table, so `_search` with a raw prefix query matches
exactly what `q=` matches. `Side.time` runs a table query through Datasette's own in-process
client (`datasette.client`: routing, SQL, facets and JSON, no network), as ReturnWatch is
timed through Django's test client.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FACETS = "&".join(
    [
        *(f"_facet={c}" for c in ("city", "program", "place", "year")),
        *(f"_facet_array={c}" for c in ("types", "perpetrators", "groups", "nationalities")),
    ]
)
MULTI = {
    "types": ("violence_types", "violencetype"),
    "perpetrators": ("perpetrators", "perpetrator"),
    "groups": ("victim_groups", "victimgroup"),
    "nationalities": ("nationalities", "country"),
}


def _chunks(ids: list[int], size: int = 5000) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def flat_export(path: Path) -> int:
    """The published incidents as one flat table with FTS5; returns the number of rows."""
    from returnwatch import public
    from returnwatch.incidents.models import Incident, SearchEntry

    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE incidents (id INTEGER PRIMARY KEY, reference TEXT, date TEXT, year INTEGER,"
        " city TEXT, program TEXT, place TEXT, types TEXT, perpetrators TEXT, groups TEXT,"
        " nationalities TEXT, title TEXT, summary TEXT, text TEXT)"
    )
    ids = list(public.incident_ids().order_by("pk").values_list("pk", flat=True))
    for chunk in _chunks(ids):
        rows = Incident.objects.filter(pk__in=chunk).values_list(
            "pk",
            "reference",
            "date",
            "year",
            "city__code",
            "program__code",
            "place_type__code",
            "title",
            "summary",
        )
        multi: dict[str, dict[int, list[str]]] = {}
        for column, (field, model) in MULTI.items():
            through = getattr(Incident, field).through
            found: dict[int, list[str]] = {}
            for pk, code in through.objects.filter(incident_id__in=chunk).values_list(
                "incident_id", f"{model}__code"
            ):
                found.setdefault(pk, []).append(code)
            multi[column] = found
        text = dict(
            SearchEntry.objects.filter(incident_id__in=chunk).values_list("incident_id", "public")
        )
        db.executemany(
            "INSERT INTO incidents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    pk,
                    ref,
                    date.isoformat() if date else None,
                    year,
                    city,
                    program,
                    place,
                    *(json.dumps(sorted(multi[c].get(pk, []))) for c in MULTI),
                    title,
                    summary,
                    text.get(pk, ""),
                )
                for pk, ref, date, year, city, program, place, title, summary in rows
            ],
        )
    db.execute(
        "CREATE VIRTUAL TABLE incidents_fts USING fts5 (text, content='incidents', "
        "content_rowid='id')"
    )
    db.execute("INSERT INTO incidents_fts (rowid, text) SELECT id, text FROM incidents")
    for column in ("city", "program", "place", "year", "date"):
        db.execute(f"CREATE INDEX incidents_{column} ON incidents ({column})")
    db.commit()
    db.close()
    return len(ids)


class Side:
    """Datasette serving the flat export, driven in process."""

    def __init__(self, path: Path) -> None:
        from datasette.app import Datasette

        self.loop = asyncio.new_event_loop()
        self.ds = Datasette(
            [str(path)],
            settings={
                # Room to finish: the defaults (1 s per query, 200 ms per facet) give up at
                # this size and would make Datasette look faster than it is.
                "sql_time_limit_ms": 600_000,
                "facet_time_limit_ms": 600_000,
                "suggest_facets": False,
                "default_facet_size": 15,
            },
        )
        self.name = path.stem
        if hasattr(self.ds, "invoke_startup"):
            self.loop.run_until_complete(self.ds.invoke_startup())

    def get(self, query: str) -> dict[str, Any]:
        url = f"/{self.name}/incidents.json?_size=50&{FACETS}" + (f"&{query}" if query else "")
        if "_search" in url:
            url += "&_fts_table=incidents_fts&_fts_pk=id"
        response = self.loop.run_until_complete(self.ds.client.get(url))
        if response.status_code != 200:
            raise SystemExit(f"Datasette {url} answered {response.status_code}: {response.text}")
        return response.json()

    def time(self, query: str, n: int) -> tuple[list[float], int]:
        self.get(query)  # warm
        times = []
        count = -1
        for _ in range(n):
            start = time.perf_counter()
            data = self.get(query)
            times.append((time.perf_counter() - start) * 1000)
            count = int(data.get("filtered_table_rows_count", -1))
        return times, count
