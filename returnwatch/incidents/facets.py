"""Facet counts for the current search: how many matching incidents hold each value."""

from __future__ import annotations

import array
import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from pyroaring import BitMap

from returnwatch import public

from . import filters
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


# ---------------------------------------------------------------------------- the index
#
# Every public incident has a position: its place in newest-first order. For each facet value
# the index holds the positions of the public incidents that have it, as a compressed bitmap.
# A search's facet and year filters are unions and intersections of these bitmaps, each facet
# count is the size of an intersection, and the first page is the first positions of the
# match set: work that grows with the page and the number of facet values, not the matches.
# Only the words, dates and documents go to the database (as a set of ids).


@dataclass
class Index:
    version: str
    order: array.array[int]  # position -> incident id, newest first
    where: array.array[int]  # incident id -> position, -1 when not public
    everything: BitMap  # every position
    values: dict[str, dict[Any, BitMap]]  # param -> value (term id or year) -> positions

    def positions(self, ids: Iterable[int]) -> BitMap:
        where, size = self.where, len(self.where)
        return BitMap(p for i in ids if i < size and (p := where[i]) >= 0)


def _build(version: str) -> Index:
    published = public.incident_ids().order_by()
    order = array.array("q", published.order_by("-date", "-id").values_list("pk", flat=True))
    where = array.array("q", [-1]) * ((max(order) + 1) if order else 0)
    for position, pk in enumerate(order):
        where[pk] = position
    groups: dict[str, dict[Any, list[int]]] = {f.param: {} for f in FACETS}
    groups["year"] = {}
    single = [f for f in FACETS if not f.many]
    columns = [f"{f.field}_id" for f in single]
    for pk, year, *values in published.values_list("pk", "year", *columns).iterator(10000):
        position = where[pk]
        if year is not None:
            groups["year"].setdefault(year, []).append(position)
        for facet, value in zip(single, values, strict=True):
            if value is not None:
                groups[facet.param].setdefault(value, []).append(position)
    for facet in FACETS:
        if not facet.many:
            continue
        through = getattr(Incident, facet.field).through
        column = f"{facet.model._meta.model_name}_id"
        rows = through.objects.filter(incident_id__in=published.values("pk")).values_list(
            column, "incident_id"
        )
        bucket = groups[facet.param]
        for value, pk in rows.iterator(10000):
            position = where[pk]
            if position >= 0:
                bucket.setdefault(value, []).append(position)
    values = {
        param: {value: BitMap(positions) for value, positions in bucket.items()}
        for param, bucket in groups.items()
    }
    return Index(version, order, where, BitMap(range(len(order))), values)


_memo: list[Index] = []  # this process's copy of the current index
_threads: list[threading.Thread] = []


def _build_and_share(version: str) -> Index:
    found = _build(version)
    cache.set(f"facets:index:{version}", found, None)
    return found


def _build_in_background(version: str) -> None:
    try:
        _build_and_share(version)
    finally:
        connection.close()


def index(*, wait: bool = False) -> Index | None:
    """The index for the current data version: this process's copy, else the one another
    process built (Django's cache, shared by every app server). None while it is being built
    after a change (in the background, claimed by one process): callers then count with SQL,
    exact but slower, instead of making one visitor wait for the build.

    The version is read before the rows, so an index is never labelled newer than its data.
    """
    version = data_version()
    if _memo and _memo[0].version == version:
        return _memo[0]
    if connection.in_atomic_block:
        # Inside a transaction the data may yet be rolled back, and the version number with
        # it (then given again to other data): build from what this connection sees, and
        # neither keep nor share it.
        return _build(version)
    found = cache.get(f"facets:index:{version}")
    if found is None:
        if wait:
            found = _build_and_share(version)
        else:
            if cache.add(f"facets:building:{version}", 1, 300):
                thread = threading.Thread(target=_build_in_background, args=(version,), daemon=True)
                _threads.append(thread)
                thread.start()
            return None
    _memo[:] = [found]
    return found


def wait_for_background() -> None:
    """Let background builds of this process finish (tests, the benchmark)."""
    while _threads:
        _threads.pop().join()


def _sql_part(search: Search) -> Search | None:
    """What of `search` the index cannot answer (words, dates, document), or None."""
    if not (search.q or search.date_from or search.date_to or search.document):
        return None
    return replace(search, selected={}, years=[])


def match(search: Search, idx: Index) -> BitMap:
    """Positions of the public incidents matching `search`."""
    result = idx.everything
    for facet in FACETS:
        terms = search.selected.get(facet.param)
        if terms:
            bucket = idx.values[facet.param]
            result = result & BitMap.union(BitMap(), *(bucket.get(t.pk, BitMap()) for t in terms))
    if search.years:
        bucket = idx.values["year"]
        result = result & BitMap.union(BitMap(), *(bucket.get(y, BitMap()) for y in search.years))
    rest = _sql_part(search)
    if rest is not None and result:
        ids = rest.apply(public.incident_ids()).order_by().values_list("pk", flat=True)
        result = result & idx.positions(ids.iterator(10000))
    return result


class Results:
    """The incidents of a match set in date order, sliceable like a queryset (for Paginator).

    Counting is the size of the set; a page reads only its own rows."""

    def __init__(self, base: QuerySet[Incident], idx: Index, found: BitMap, newest: bool):
        self.base, self.idx, self.found, self.newest = base, idx, found, newest

    def count(self) -> int:
        return len(self.found)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[Incident]:
        n = len(self.found)
        start, stop, _step = key.indices(n)
        picks = range(start, stop) if self.newest else range(n - 1 - start, n - 1 - stop, -1)
        page = [self.idx.order[self.found[i]] for i in picks]
        rows = {r.pk: r for r in self.base.filter(pk__in=page)}
        return [rows[pk] for pk in page if pk in rows]


def results(search: Search, base: QuerySet[Incident]) -> tuple[Any, BitMap | QuerySet[Incident]]:
    """The fast path of a public search: (sliceable results in the search's order, the match
    set for `counts`). `base` is public.incidents() (the page's fields). The API list and the
    feed may call this too. While the index is being rebuilt after a change, the same answer
    comes from SQL."""
    idx = index()
    if idx is None:
        matching = filters.pinned(base, search.apply(base)) if search.is_filtered else base
        return search.order(matching), matching
    found = match(search, idx)
    if search.sort == "relevance" and search.q:
        if len(found) > filters.PIN_LIMIT:  # a long id list costs more than the search again
            return search.order(search.apply(base)), found
        ids = [idx.order[p] for p in found]
        return search.order(base.filter(pk__in=filters.id_list(ids))), found
    return Results(base, idx, found, newest=search.sort != "date"), found


def _sql_counts(matching: QuerySet[Incident]) -> dict[str, dict[Any, int]]:
    """(Without the index) every facet's counts in one statement, the matching set computed once (MATERIALIZED)."""
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


def _raw_counts(found: BitMap, idx: Index) -> dict[str, dict[Any, int]]:
    return {
        param: {
            value: n for value, ids in bucket.items() if (n := ids.intersection_cardinality(found))
        }
        for param, bucket in idx.values.items()
    }


def counts(search: Search, matching: Any = None) -> list[FacetResult]:
    """Counts per value of every facet, plus years, over the public incidents matching
    `search`. `matching` is what `results` returned (or None): a match set of the index, or
    a queryset of the same incidents, counted with SQL while the index is being rebuilt."""
    idx = None if isinstance(matching, QuerySet) else index()
    if idx is None:
        if not isinstance(matching, QuerySet):
            matching = search.apply(public.incident_ids())
        raw = _sql_counts(matching)
    else:
        raw = _raw_counts(matching if isinstance(matching, BitMap) else match(search, idx), idx)
    results: list[FacetResult] = []
    for facet in FACETS:
        by_id = raw[facet.param]
        selected = {t.code for t in search.selected.get(facet.param, [])}
        terms: Any = facet.model.objects.filter(pk__in=list(by_id)) if by_id else []  # type: ignore[attr-defined]  # a vocabulary model
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


def counts_for_page(search: Search, found: Any = None) -> list[FacetResult]:
    """Facet counts; the unfiltered case (the busiest page) is cached until the data changes.

    The links are made afresh for each request: they carry its sort order."""
    if search.is_filtered:
        return with_links(search, counts(search, found))
    key = f"facets:all:{translation.get_language()}:{data_version()}"
    results = cache.get(key)
    if results is None:
        results = counts(search, found)
        cache.set(key, results, 3600)
    return with_links(search, results)
