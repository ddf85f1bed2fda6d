"""Facet counts for the current search: how many matching incidents hold each value."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from .filters import FACETS, Search
from .models import Incident
from .stats import data_version


@dataclass(frozen=True)
class FacetValue:
    code: str
    label: str
    count: int
    selected: bool
    query: str = ""  # the link's query: the search with this value added or removed


@dataclass(frozen=True)
class FacetResult:
    param: str
    label: str
    values: list[FacetValue]


def _raw_counts(matching: QuerySet[Incident]) -> dict[str, dict[Any, int]]:
    """Every facet's counts in one statement, the matching set computed once (MATERIALIZED)."""
    inner, params = matching.order_by().values("pk").query.sql_with_params()
    table = Incident._meta.db_table
    parts: list[str] = []
    names: list[str] = []
    for facet in FACETS:
        if facet.many:
            through = getattr(Incident, facet.field).through
            column = f"{facet.model._meta.model_name}_id"
            parts.append(
                f"SELECT %s, {column}, COUNT(*) FROM {through._meta.db_table} "
                f"WHERE incident_id IN (SELECT id FROM m) GROUP BY {column}"
            )
        else:
            column = f"{facet.field}_id"
            parts.append(
                f"SELECT %s, {column}, COUNT(*) FROM {table} "
                f"WHERE id IN (SELECT id FROM m) AND {column} IS NOT NULL GROUP BY {column}"
            )
        names.append(facet.param)
    parts.append(
        f"SELECT %s, year, COUNT(*) FROM {table} "
        f"WHERE id IN (SELECT id FROM m) AND year IS NOT NULL GROUP BY year"
    )
    names.append("year")
    sql = f"WITH m(id) AS MATERIALIZED ({inner}) " + " UNION ALL ".join(parts)
    out: dict[str, dict[Any, int]] = {name: {} for name in names}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *names])
        for name, value, n in cursor.fetchall():
            out[name][value] = n
    return out


def counts(search: Search, matching: QuerySet[Incident]) -> list[FacetResult]:
    """Counts per value of every facet, plus years, over `matching` (already filtered)."""
    raw = _raw_counts(matching)
    results: list[FacetResult] = []
    for facet in FACETS:
        by_id = raw[facet.param]
        selected = {t.code for t in search.selected.get(facet.param, [])}
        terms: Any = facet.model.objects.filter(pk__in=list(by_id)) if by_id else []  # type: ignore[attr-defined]
        values = [FacetValue(t.code, t.label, by_id[t.pk], t.code in selected) for t in terms]
        # Selected values stay visible even when nothing matches them any more.
        for t in search.selected.get(facet.param, []):
            if t.pk not in by_id:
                values.append(FacetValue(t.code, t.label, 0, True))
        # Selected values first: the list shows only the top values.
        values.sort(key=lambda v: (not v.selected, -v.count, v.label))
        results.append(FacetResult(facet.param, str(facet.label), values))
    years = {**dict.fromkeys(search.years, 0), **raw["year"]}
    year_values = [
        FacetValue(str(y), str(y), n, y in search.years)
        for y, n in sorted(years.items(), reverse=True)
    ]
    results.append(FacetResult("year", _("Year"), year_values))
    return results


SHOWN = 15  # values per facet on the search page (selected ones first)


def with_links(search: Search, results: list[FacetResult]) -> list[FacetResult]:
    """The values the page shows, each with its link: this search (its words, other filters,
    sort) with the value toggled."""
    return [
        replace(
            r,
            values=[
                replace(v, query=search.query_string(toggle=(r.param, v.code)))
                for v in r.values[:SHOWN]
            ],
        )
        for r in results
    ]


def counts_for_page(search: Search, matching: QuerySet[Incident]) -> list[FacetResult]:
    """Facet counts; the unfiltered case (the busiest page) is cached until the data changes.

    The links are made afresh for each request: they carry its sort order."""
    if search.is_filtered:
        return with_links(search, counts(search, matching))
    key = f"facets:all:{translation.get_language()}:{data_version()}"
    results = cache.get(key)
    if results is None:
        results = counts(search, matching)
        cache.set(key, results, 3600)
    return with_links(search, results)
