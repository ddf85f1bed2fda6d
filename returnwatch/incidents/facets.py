"""Facet counts for the current search: how many matching incidents hold each value."""

from __future__ import annotations

import array
import bisect
import datetime as dt
import functools
import heapq
import itertools
import operator
import secrets
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from pyroaring import BitMap

from returnwatch import public

from . import filters, matches, relevance, wordindex
from .filters import FACETS, Search
from .models import Incident
from .search import words as query_words
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
# Every public incident of a build has a position: its place in newest-first order. For each
# facet value the index holds the positions of the public incidents that have it, as a
# compressed bitmap. A search's facet and year filters are unions and intersections of these
# bitmaps, each facet count is the size of an intersection, and the first page is the first
# positions of the match set: work that grows with the page and the number of facet values,
# not the matches. Only the words, dates and documents go to the database (as a set of ids).
#
# Kept in step on every change: the database logs the id of every incident whose row or links
# change (triggers of migration 0016, on every path that writes). Each app server applies the
# log entries after its copy's position to it: the changed incidents' old positions are
# marked dead, and those still public are held beside the bitmaps as a few rows (`extra`),
# merged into counts and pages. So every server answers from the same committed data as a
# plain SQL count, at once. Once many rows changed, a new build is made in the background
# (shared through Django's cache) while the overlay keeps answering.

REBUILD_AT = 2_000  # changed incidents held beside the bitmaps before a new build is started
MOST_CHANGED = 50_000  # beyond this (a bulk load), searches use SQL until the new build


@dataclass
class Base:
    """The bitmaps of one build; never changed once made (shared between processes)."""

    seq: int  # change-log position the build started at (its rows are at least that new)
    order: array.array[int]  # position -> incident id, newest first
    days: array.array[int]  # position -> date ordinal, 0 when undated
    where: array.array[int]  # incident id -> position, -1 when not public
    everything: BitMap  # every position
    values: dict[str, dict[Any, BitMap]]  # param -> value (term id or year) -> positions
    nulls_first: bool  # undated first in newest-first order (PostgreSQL), else last (SQLite)
    victims: array.array[int]  # position -> people harmed (for the statistics)
    words: wordindex.Words  # the public texts' words, where and how often (wordindex.py)
    token: int = field(default_factory=lambda: secrets.randbits(62))  # names this build

    def positions(self, ids: Iterable[int]) -> BitMap:
        """The positions of these incidents that are in the build (the others have none)."""
        inside = BitMap(ids) & self.ids_in_build  # both steps in C: a word may match 400,000
        return BitMap(_pick(self.where, inside))

    def ids(self, positions: BitMap) -> list[int]:
        return list(_pick(self.order, positions))

    @functools.cached_property
    def ids_in_build(self) -> BitMap:
        return BitMap(array.array("I", self.order))  # "I": what BitMap reads as is

    def key(self, position: int) -> tuple[int, int, int]:
        return _key(self.days[position], self.order[position], self.nulls_first)


def _pick(values: array.array[int], at: BitMap) -> tuple[int, ...]:
    """values[i] for each i of `at`, in C (operator.itemgetter)."""
    if len(at) < 2:
        return tuple(values[i] for i in at)
    return operator.itemgetter(*at)(values)  # a tuple for two or more


def _key(day: int, pk: int, nulls_first: bool) -> tuple[int, int, int]:
    """Sort key of newest-first order (the database's `ORDER BY date DESC, id DESC`)."""
    undated = 0 if (day == 0) == nulls_first else 1
    return (undated, -day, -pk)


@dataclass(frozen=True)
class Extra:
    """A public incident changed since the build: its current values."""

    pk: int
    key: tuple[int, int, int]
    values: dict[str, frozenset[Any]]  # param -> value ids (year under "year")
    victims: int = 0


@dataclass
class Index:
    """A build and the changes applied to it since, up to change-log position `seq`."""

    base: Base
    seq: int
    dead: BitMap  # positions of the build whose incidents changed since
    extra: dict[int, Extra]  # incident id -> current row, for the changed ones still public

    @property
    def live(self) -> BitMap:
        return self.base.everything - self.dead if self.dead else self.base.everything

    @property
    def order(self) -> array.array[int]:
        return self.base.order


def _rows(published: QuerySet[Incident]) -> tuple[list[tuple[Any, ...]], dict[str, list[Any]]]:
    single = [f for f in FACETS if not f.many]
    columns = [f"{f.field}_id" for f in single]
    rows = list(
        published.values_list("pk", "date", "year", "victims_count", *columns).iterator(10000)
    )
    links: dict[str, list[Any]] = {}
    for facet in FACETS:
        if facet.many:
            through = facet.through
            column = f"{facet.model._meta.model_name}_id"
            links[facet.param] = list(
                through.objects.filter(incident_id__in=published.values("pk"))
                .values_list(column, "incident_id")
                .iterator(10000)
            )
    return rows, links


def _build() -> Base:
    seq = _log_end()  # read before the rows: the build is at least this new
    nulls_first = connection.vendor == "postgresql"
    published = public.incident_ids().order_by()
    pairs = list(published.order_by("-date", "-id").values_list("pk", "date").iterator(10000))
    order = array.array("q", (pk for pk, _d in pairs))
    days = array.array("q", (d.toordinal() if d else 0 for _pk, d in pairs))
    victims = array.array("I", bytes(4 * len(order)))
    where = array.array("q", [-1]) * ((max(order) + 1) if order else 0)
    for position, pk in enumerate(order):
        where[pk] = position
    del pairs  # (a million tuples, before the words' own)
    words = wordindex.build(
        (where[pk], text)
        for pk, text in public.search_texts()
        if pk < len(where) and where[pk] >= 0  # else published since: the log brings it
    )
    groups: dict[str, dict[Any, list[int]]] = {f.param: {} for f in FACETS}
    groups["year"] = {}
    single = [f for f in FACETS if not f.many]
    rows, links = _rows(published)
    for pk, _date, year, people, *values in rows:
        if pk >= len(where) or (position := where[pk]) < 0:
            continue  # published between the two reads: the log brings it
        victims[position] = people or 0
        if year is not None:
            groups["year"].setdefault(year, []).append(position)
        for facet, value in zip(single, values, strict=True):
            if value is not None:
                groups[facet.param].setdefault(value, []).append(position)
    size = len(where)
    for param, pairs_ in links.items():
        bucket = groups[param]
        for value, pk in pairs_:
            if pk < size and (position := where[pk]) >= 0:
                bucket.setdefault(value, []).append(position)
    bitmaps = {
        param: {value: BitMap(positions) for value, positions in bucket.items()}
        for param, bucket in groups.items()
    }
    everything = BitMap(range(len(order)))
    return Base(seq, order, days, where, everything, bitmaps, nulls_first, victims, words)


def _log_end() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM incidents_changelog")
        return int(cursor.fetchone()[0])


def _log_since(seq: int) -> tuple[int, set[int] | None, int]:
    """(last position, incident ids changed after `seq` or None for "everything", pruned-to).

    One statement: the entries, and the position the log was pruned to (data-version row 2).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, incident_id FROM incidents_changelog WHERE id > %s "
            "UNION ALL SELECT -1, version FROM incidents_dataversion WHERE id = 2",
            [seq],
        )
        rows = cursor.fetchall()
    last, floor = seq, 0
    ids: set[int] | None = set()
    for position, pk in rows:
        if position == -1:
            floor = int(pk)
            continue
        last = max(last, position)
        if pk is None or ids is None or len(ids) > MOST_CHANGED:
            ids = None
        else:
            ids.add(pk)
    return last, ids, floor


def apply(idx: Index, changed: set[int], seq: int) -> Index:
    """A new Index: `idx` with the current rows of these incidents (the old one is unchanged)."""
    base = idx.base
    dead = idx.dead | base.positions(changed)
    extra = {pk: e for pk, e in idx.extra.items() if pk not in changed}
    if changed:
        published = public.incident_ids().order_by().filter(pk__in=filters.id_list(list(changed)))
        rows, links = _rows(published)
        single = [f for f in FACETS if not f.many]
        found: dict[int, dict[str, set[Any]]] = {}
        keys: dict[int, tuple[int, int, int]] = {}
        people: dict[int, int] = {}
        for pk, date, year, victims, *values in rows:
            people[pk] = victims or 0
            sets: dict[str, set[Any]] = {f.param: set() for f in FACETS}
            sets["year"] = {year} if year is not None else set()
            for facet, value in zip(single, values, strict=True):
                if value is not None:
                    sets[facet.param].add(value)
            found[pk] = sets
            keys[pk] = _key(date.toordinal() if date else 0, pk, base.nulls_first)
        for param, pairs in links.items():
            for value, pk in pairs:
                if pk in found:
                    found[pk][param].add(value)
        for pk, sets in found.items():
            extra[pk] = Extra(pk, keys[pk], {p: frozenset(v) for p, v in sets.items()}, people[pk])
    return Index(base, seq, dead, extra)


_memo: list[Index] = []  # this process's copy of the current index
_threads: list[threading.Thread] = []
SHARED = "facets:base"  # the newest build, for every app server (Django's cache)


def _share(base: Base) -> None:
    cache.set(SHARED, base, None)
    _prune(base.seq)


def _prune(seq: int) -> None:
    """Drop log entries every build since has: first say so (row 2), then delete them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM incidents_changelog WHERE id <= %s", [seq])
        if cursor.fetchone()[0] < 10_000:
            return
        cursor.execute(
            "INSERT INTO incidents_dataversion (id, version) VALUES (2, %s) "
            "ON CONFLICT (id) DO UPDATE SET version = excluded.version",
            [seq],
        )
        cursor.execute("DELETE FROM incidents_changelog WHERE id <= %s", [seq])


def _build_in_background() -> None:
    try:
        try:
            base = _build()
            _share(base)
        finally:
            cache.delete("facets:building")  # the claim ends with the build
        matches.ask_again(base)  # the words searched recently, answered for the new build
    finally:
        connection.close()


def _start_build() -> None:
    """A new build in a thread, once across every app server (the claim is `cache.add`)."""
    if cache.add("facets:building", 1, 300):
        thread = threading.Thread(target=_build_in_background, daemon=True)
        _threads.append(thread)
        thread.start()


def index(*, wait: bool = False) -> Index | None:
    """The index as of the committed data: this process's copy with the logged changes since
    applied, else the newest build another process shared, else a new build. None while the
    first build (or one after a bulk change) is made in the background: callers then count
    with SQL, exact but slower, instead of making one visitor wait (`wait` builds at once).

    Inside a transaction the data may yet be rolled back (and on SQLite the log positions
    with it, then given again to other data): what this connection sees is applied to a copy
    that is neither kept nor shared.
    """
    atomic = connection.in_atomic_block
    found = _current(now=atomic or wait, keep=not atomic)
    if found is None:
        return None
    current, last, changed = found
    if last > current.seq:
        current = apply(current, changed, last)
    if not atomic:
        _memo[:] = [current]
        if len(current.dead) + len(current.extra) > REBUILD_AT:
            shared = cache.get(SHARED)
            if shared is not None and shared.seq > current.base.seq:
                _memo[:] = []  # another server's newer build: taken on the next request
            else:
                _start_build()
    return current


def forget() -> None:
    """Drop what this process keeps (its index, vocabularies, answers), as a new process
    starts: for tests, whose rolled-back data gives data versions and log positions again."""
    wait_for_background()
    _memo[:] = []
    _vocabularies.clear()
    matches.forget()


def _current(*, now: bool, keep: bool) -> tuple[Index, int, set[int]] | None:
    """An index the log can bring up to date, the log's end and the ids to apply; a new
    build when `now`, else None (a build started in the background)."""

    def candidates() -> Iterable[Index]:
        if _memo:
            yield _memo[0]
        shared = cache.get(SHARED)
        if shared is not None and not (_memo and shared.seq <= _memo[0].seq):
            yield Index(shared, shared.seq, BitMap(), {})

    for candidate in candidates():
        last, changed, floor = _log_since(candidate.seq)
        if candidate.seq >= floor and changed is not None:
            return candidate, last, changed
    _memo[:] = []
    if not now:
        _start_build()
        return None
    base = _build()
    if keep:
        _share(base)
    last, changed, _floor = _log_since(base.seq)
    return Index(base, base.seq, BitMap(), {}), last, changed or set()


def wait_for_background() -> None:
    """Let background builds of this process finish (tests, the benchmark)."""
    while _threads:
        _threads.pop().join()


def _sql_part(search: Search) -> Search | None:
    """What of `search` the index cannot answer (words, dates, document), or None."""
    if not (search.q or search.date_from or search.date_to or search.document):
        return None
    return replace(search, selected={}, years=[])


@dataclass
class Found:
    """A match set: positions of the build, and the changed incidents matching (newest first)."""

    positions: BitMap
    extra: list[Extra]
    text: matches.Match | None = None  # the answer for the search's words, dates, document
    rest: Search | None = None  # the search's words, dates, document (what `text` answers)
    scores: dict[int, float] = field(default_factory=dict)  # the changed ones' relevance

    def __len__(self) -> int:
        return len(self.positions) + len(self.extra)


def match(search: Search, idx: Index) -> Found:
    """The public incidents matching `search`."""
    result = idx.live
    extra = list(idx.extra.values())
    for facet in FACETS:
        terms = search.selected.get(facet.param)
        if terms:
            bucket = idx.base.values[facet.param]
            result = result & BitMap.union(BitMap(), *(bucket.get(t.pk, BitMap()) for t in terms))
            wanted = {t.pk for t in terms}
            extra = [e for e in extra if e.values[facet.param] & wanted]
    if search.years:
        bucket = idx.base.values["year"]
        result = result & BitMap.union(BitMap(), *(bucket.get(y, BitMap()) for y in search.years))
        extra = [e for e in extra if e.values["year"] & set(search.years)]
    rest = _sql_part(search)
    text, scores = None, {}
    if rest is not None and (result or extra):
        # The build's answer is kept (matches.py); the changed incidents are asked afresh.
        text = matches.of_build(rest, idx.base)
        result = result & text.positions
        scores = matches.scores_of(rest, [e.pk for e in extra], idx.base, idx.seq)
        extra = [e for e in extra if e.pk in scores]
    extra.sort(key=lambda e: e.key)
    return Found(result, extra, text, rest, scores)


class Results:
    """The incidents of a match set in date order, sliceable like a queryset (for Paginator).

    Counting is the size of the set; a page reads only its own rows. The changed incidents
    are merged in where their date puts them."""

    def __init__(self, base: QuerySet[Incident], idx: Index, found: Found, newest: bool):
        self.base, self.idx, self.found, self.newest = base, idx, found, newest
        # Where each changed incident falls in the merged newest-first sequence.
        b = idx.base
        self.marks = []
        for i, e in enumerate(found.extra):
            at = bisect.bisect_left(range(len(b.order)), e.key, key=b.key)
            before = found.positions.rank(at - 1) if at > 0 and found.positions else 0
            self.marks.append(before + i)

    def count(self) -> int:
        return len(self.found)

    def __len__(self) -> int:
        return self.count()

    def _at(self, j: int) -> int:
        """Incident id at place j of the merged newest-first sequence."""
        c = bisect.bisect_left(self.marks, j)
        if c < len(self.marks) and self.marks[c] == j:
            return self.found.extra[c].pk
        return self.idx.base.order[self.found.positions[j - c]]

    def __getitem__(self, key: slice) -> list[Incident]:
        n = len(self.found)
        start, stop, _step = key.indices(n)
        picks = range(start, stop) if self.newest else range(n - 1 - start, n - 1 - stop, -1)
        page = [self._at(j) for j in picks]
        rows = {r.pk: r for r in self.base.filter(pk__in=page)}
        return [rows[pk] for pk in page if pk in rows]

    def ids(self) -> list[int]:
        return [self._at(j) for j in range(len(self.found))]

    def rank(self, key: tuple[int, int, int], *, inclusive: bool) -> int:
        """How many matches come before `key` in newest-first order (or at it, `inclusive`)."""
        b = self.idx.base
        cut = bisect.bisect_right if inclusive else bisect.bisect_left
        at = cut(range(len(b.order)), key, key=b.key)
        before = self.found.positions.rank(at - 1) if at > 0 else 0
        return before + cut([e.key for e in self.found.extra], key)


class ByRelevance:
    """The incidents of a match set most relevant first (relevance.py), sliceable like a
    queryset: the build's matches class by class of equal score, merged with the changed
    incidents by score; ties go to the newer record."""

    def __init__(self, base: QuerySet[Incident], idx: Index, found: Found):
        self.base, self.idx, self.found = base, idx, found

    def count(self) -> int:
        return len(self.found)

    def __len__(self) -> int:
        return self.count()

    def _keys(self) -> Iterator[tuple[float, tuple[int, int, int]]]:
        """(-score, newest-first key) of the matches, in order."""
        found, b = self.found, self.idx.base
        assert found.rest is not None
        words = query_words(found.rest.q)
        ranked = relevance.ordered(b.words, words, found.positions, len(b.order))
        built = ((-s, b.key(p)) for s, p in ranked)
        changed = sorted((-found.scores[e.pk], e.key) for e in found.extra)
        return heapq.merge(built, changed)

    def __getitem__(self, key: slice) -> list[Incident]:
        start, stop, _step = key.indices(len(self.found))
        page = [-k[2] for _s, k in itertools.islice(self._keys(), start, stop)]
        rows = {r.pk: r for r in self.base.filter(pk__in=page)}
        return [rows[pk] for pk in page if pk in rows]

    def __iter__(self) -> Iterator[Incident]:
        return iter(self[:])


def results(search: Search, base: QuerySet[Incident]) -> tuple[Any, Found | QuerySet[Incident]]:
    """The fast path of a public search: (sliceable results in the search's order, the match
    set for `counts`). `base` is public.incidents() (the page's fields). The API list and the
    feed call this too. While the index is being built, the same answer comes from SQL."""
    idx = index()
    if idx is None:
        matching = filters.pinned(base, search.apply(base)) if search.is_filtered else base
        return search.order(matching), matching
    found = match(search, idx)
    if search.sort == "relevance" and found.text is not None and matches.has_words(search):
        return ByRelevance(base, idx, found), found
    return Results(base, idx, found, newest=search.sort != "date"), found


def narrowed(search: Search, base: QuerySet[Incident]) -> QuerySet[Incident]:
    """`base` narrowed to `search`'s matches, for another order (the feed's): the index's
    match set as one id list when it is short, else the search's own SQL (a long list costs
    more than the search again, docs/benchmarks.md)."""
    if not search.is_filtered:
        return base
    idx = index()
    if idx is None:
        return search.apply(base)
    found = match(search, idx)
    if len(found) > filters.PIN_LIMIT:
        return search.apply(base)
    ids = [idx.base.order[p] for p in found.positions] + [e.pk for e in found.extra]
    return base.filter(pk__in=filters.id_list(ids))


def _sql_counts(matching: QuerySet[Incident]) -> dict[str, dict[Any, int]]:
    """(Without the index) every facet's counts in one statement, the matching set computed once (MATERIALIZED)."""
    inner, params = matching.order_by().values("pk").query.sql_with_params()
    table = Incident._meta.db_table
    parts: list[str] = []
    names: list[str] = []
    for facet in FACETS:
        if facet.many:
            through = facet.through
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


def _raw_counts(found: Found, idx: Index) -> dict[str, dict[Any, int]]:
    out = {
        param: {
            value: n
            for value, ids in bucket.items()
            if (n := ids.intersection_cardinality(found.positions))
        }
        for param, bucket in idx.base.values.items()
    }
    for e in found.extra:
        for param, values in e.values.items():
            bucket = out.setdefault(param, {})
            for value in values:
                bucket[value] = bucket.get(value, 0) + 1
    return out


_vocabularies: dict[str, dict[str, dict[int, Any]]] = {}  # data version -> model -> pk -> term


def _terms(model: Any, ids: Iterable[int], version: str | None) -> dict[int, Any]:
    """The vocabulary terms of these ids. A vocabulary's terms are read once per data version
    (which every change of a vocabulary bumps, migration 0015), not once per facet and
    request; inside a transaction (None: it may yet roll back) read afresh."""
    if version is None:
        return {t.pk: t for t in model.objects.filter(pk__in=list(ids))}
    kept = _vocabularies.get(version)
    if kept is None:
        _vocabularies.clear()
        kept = _vocabularies.setdefault(version, {})
    found = kept.get(model._meta.label)
    if found is None:
        found = kept[model._meta.label] = {t.pk: t for t in model.objects.all()}
    return found


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
        raw = _raw_counts(matching if isinstance(matching, Found) else match(search, idx), idx)
    results: list[FacetResult] = []
    version = None if connection.in_atomic_block else data_version()
    for facet in FACETS:
        by_id = raw[facet.param]
        selected = {t.code for t in search.selected.get(facet.param, [])}
        known = _terms(facet.model, by_id, version)
        terms = [known[pk] for pk in by_id if pk in known]
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


# ---------------------------------------------------------------------------- keyset pages
#
# The API list walks a search's matches newest first with a cursor: the (date, id) of the
# last (or first) record shown. A cursor stays valid while records are added or changed; a
# page is found by rank in the match set (the index), or by a range over the (date, id)
# index of the table while the facet index is being built.


@dataclass(frozen=True)
class Cursor:
    day: int  # date ordinal, 0 when undated
    pk: int
    after: bool  # the page after this record, else the one before it


@dataclass
class KeysetPage:
    ids: list[int]
    keys: list[tuple[int, int]]  # (day, pk) of each id
    count: int
    has_next: bool
    has_previous: bool
    found: Any  # the match set, for `counts`


def _ordinal(date: Any) -> int:
    return date.toordinal() if date else 0


def keyset_page(
    search: Search, base: QuerySet[Incident], cursor: Cursor | None, size: int
) -> KeysetPage:
    """A page of `search`'s public matches, newest first (date, then id), from `cursor`."""
    idx = index()
    if idx is None:
        return _sql_keyset_page(search, base, cursor, size)
    found = match(search, idx)
    ordered = Results(base, idx, found, newest=True)
    n = len(found)
    if cursor is None:
        start, stop = 0, min(size, n)
    elif cursor.after:
        start = ordered.rank(_key(cursor.day, cursor.pk, idx.base.nulls_first), inclusive=True)
        stop = min(start + size, n)
    else:
        stop = ordered.rank(_key(cursor.day, cursor.pk, idx.base.nulls_first), inclusive=False)
        start = max(0, stop - size)
    ids = [ordered._at(j) for j in range(start, stop)]
    days = dict(Incident.objects.filter(pk__in=ids).values_list("pk", "date"))
    return KeysetPage(
        ids, [(_ordinal(days.get(pk)), pk) for pk in ids], n, stop < n, start > 0, found
    )


def _after(cursor: Cursor) -> Q:
    """Records after the cursor's in newest-first order (the database's NULL order)."""
    day, pk = cursor.day, cursor.pk
    nulls_first = connection.vendor == "postgresql"
    if day:
        date = dt.date.fromordinal(day)
        q = Q(date__lt=date) | Q(date=date, id__lt=pk)
        return q if nulls_first else q | Q(date__isnull=True)
    q = Q(date__isnull=True, id__lt=pk)
    return q | Q(date__isnull=False) if nulls_first else q


def _before(cursor: Cursor) -> Q:
    day, pk = cursor.day, cursor.pk
    nulls_first = connection.vendor == "postgresql"
    if day:
        date = dt.date.fromordinal(day)
        q = Q(date__gt=date) | Q(date=date, id__gt=pk)
        return q | Q(date__isnull=True) if nulls_first else q
    q = Q(date__isnull=True, id__gt=pk)
    return q if nulls_first else q | Q(date__isnull=False)


def _sql_keyset_page(
    search: Search, base: QuerySet[Incident], cursor: Cursor | None, size: int
) -> KeysetPage:
    matching = search.apply(base) if search.is_filtered else base
    rows = matching.order_by().values_list("pk", "date")
    if cursor is None or cursor.after:
        part = rows if cursor is None else rows.filter(_after(cursor))
        got = list(part.order_by("-date", "-id")[: size + 1])
        more, got = len(got) > size, got[:size]
        has_next, has_previous = more, cursor is not None
    else:
        got = list(rows.filter(_before(cursor)).order_by("date", "id")[: size + 1])
        more, got = len(got) > size, got[:size][::-1]
        has_next, has_previous = True, more
    return KeysetPage(
        [pk for pk, _d in got],
        [(_ordinal(d), pk) for pk, d in got],
        matching.count(),
        has_next,
        has_previous,
        matching,
    )


def counts_by(
    search: Search, param: str, keys: list[Any], other: str
) -> dict[Any, dict[Any, int]] | None:
    """For each value of `param` in `keys` (e.g. years), the counts per value of `other`
    (e.g. city ids) among `search`'s matches holding it: intersections of the index's bitmaps
    (the map's strip of one map per year). None while the index is being built."""
    idx = index()
    if idx is None:
        return None
    found = match(search, idx)
    outer = idx.base.values[param]
    inner = idx.base.values[other]
    out: dict[Any, dict[Any, int]] = {}
    for key in keys:
        within = outer.get(key, BitMap()) & found.positions
        row = {v: n for v, ids in inner.items() if (n := ids.intersection_cardinality(within))}
        for e in found.extra:
            if key in e.values[param]:
                for v in e.values[other]:
                    row[v] = row.get(v, 0) + 1
        out[key] = row
    return out
