"""What the map shows: matching published incidents per city, from the search's own facets.

Counts are the city facet of the same search as /incidents/ (filters.parse → Search.apply →
facets.counts_for_page, over returnwatch.public.incidents()), so the map and the search page
cannot disagree. Nothing finer than a city exists to be drawn: a city's coordinates are the
finest place in the record. Cities with fewer matching incidents than
RETURNWATCH_MAP_MIN_CITY_INCIDENTS (default 1: none) are drawn as one circle per state.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from returnwatch import public
from returnwatch.incidents import facets, filters
from returnwatch.incidents.models import City, Incident, PortOfEntry
from returnwatch.incidents.search import fold
from returnwatch.incidents.stats import data_version

from . import geo

MAX_YEARS = 12  # small maps in the strip (the most recent years)


def query_string(search: filters.Search, **replace: list[str]) -> str:
    """The search's parameters with some replaced (e.g. city=[…]), as a query string.

    `Search.query_string` toggles one value; a map entry *replaces* the city filter with the
    cities it stands for (a state's group stands for several), so it is built here from the
    same `Search.params()`."""
    pairs = [(k, v) for k, v in search.params() if k not in replace]
    for name, values in replace.items():
        pairs += [(name, v) for v in values]
    return urlencode(pairs)


@dataclass(frozen=True)
class Place:
    """One circle and one list entry: a city, or the cities of a state grouped together."""

    key: str  # city code, or "state-<country>-<state>" for a group
    label: str
    state: str
    count: int
    codes: tuple[str, ...]  # the city codes it stands for
    query: str  # the search narrowed to these cities, the rest kept
    lonlat: tuple[float, float] | None  # None: not on the map (no coordinates, outside)
    port: str = ""
    grouped: bool = False


@dataclass(frozen=True)
class Port:
    code: str
    label: str
    lonlat: tuple[float, float]


@dataclass(frozen=True)
class Year:
    year: int
    count: int
    query: str  # the map's own query for this year
    selected: bool
    places: tuple[Place, ...]


@dataclass(frozen=True)
class MapData:
    search: filters.Search
    total: int  # matching published incidents
    places: tuple[Place, ...]  # largest first
    ports: tuple[Port, ...]
    years: tuple[Year, ...]  # the year strip (newest last), the search without its year
    all_years_query: str
    min_count: int

    @property
    def on_map(self) -> list[Place]:
        return [p for p in self.places if p.lonlat is not None]

    @property
    def off_map(self) -> list[Place]:
        return [p for p in self.places if p.lonlat is None]

    @property
    def without_city(self) -> int:
        return self.total - sum(p.count for p in self.places)

    @property
    def list_query(self) -> str:
        return query_string(self.search)


def min_city_incidents() -> int:
    return max(1, int(getattr(settings, "RETURNWATCH_MAP_MIN_CITY_INCIDENTS", 1)))


def _matching(search: filters.Search) -> QuerySet[Incident]:
    # As the search page does (incidents/views.py): the matching set found once when filtered.
    base = public.incidents()
    return filters.pinned(base, search.apply(base)) if search.is_filtered else base


def _facet(results: list[facets.FacetResult], param: str) -> dict[str, int]:
    found = next(r for r in results if r.param == param)
    return {v.code: v.count for v in found.values if v.count}


def _cities_by_year(matching: QuerySet[Incident], years: list[int]) -> dict[int, dict[str, int]]:
    """City counts per year over the matching set, in one grouped query (not one facet
    computation per year); a test checks them against each year's own facet counts."""
    out: dict[int, dict[str, int]] = {}
    rows = (
        matching.filter(year__in=years, city__isnull=False)
        .order_by()
        .values("year", "city__code")
        .annotate(n=Count("pk"))
        .values_list("year", "city__code", "n")
    )
    for year, code, n in rows:
        assert year is not None  # year__in=years
        out.setdefault(year, {})[code] = n
    return out


def _places(search: filters.Search, counts: dict[str, int], min_count: int) -> list[Place]:
    cities = {
        c.code: c
        for c in City.objects.filter(code__in=list(counts)).select_related("port_of_entry")
    }
    points = {(country, fold(state)): p for (country, state), p in geo.state_points().items()}
    box = geo.projection()
    out: list[Place] = []
    groups: dict[tuple[str, str], list[City]] = {}
    for code, n in counts.items():
        city = cities.get(code)
        if city is None:
            continue
        if n < min_count:
            groups.setdefault((city.country, city.state), []).append(city)
            continue
        lonlat = None
        if city.latitude is not None and city.longitude is not None:
            lonlat = (float(city.longitude), float(city.latitude))
            if not box.inside(box(*lonlat)):
                lonlat = None
        out.append(
            Place(
                key=code,
                label=city.label,
                state=city.state,
                count=n,
                codes=(code,),
                query=query_string(search, city=[code]),
                lonlat=lonlat,
                port=city.port_of_entry.label if city.port_of_entry else "",
            )
        )
    for (country, state), members in groups.items():
        codes = tuple(sorted(c.code for c in members))
        point = points.get((country, fold(state)))
        label = (
            _("Smaller places in %(state)s") % {"state": state} if state else _("Smaller places")
        )
        out.append(
            Place(
                key=f"state-{country.lower()}-{fold(state).replace(' ', '-') or 'none'}",
                label=label,
                state=state,
                count=sum(counts[c] for c in codes),
                codes=codes,
                query=query_string(search, city=list(codes)),
                lonlat=point if point and box.inside(box(*point)) else None,
                grouped=True,
            )
        )
    out.sort(key=lambda p: (-p.count, p.label))
    return out


def _ports() -> list[Port]:
    where = geo.ports()
    return [
        Port(p.code, p.label, where[p.code])
        for p in PortOfEntry.objects.filter(code__in=list(where), active=True)
    ]


def compute(search: filters.Search) -> MapData:
    """The map of a search, cached until the data changes (one entry per search and language)."""
    min_count = min_city_incidents()
    params = hashlib.sha256(urlencode(search.params()).encode()).hexdigest()[:32]
    key = f"map:{translation.get_language()}:{data_version()}:{min_count}:{params}"
    found = cache.get(key)
    if found is not None:
        return dataclasses.replace(found, search=search)
    # The search's own results: its count from the facet index's match set (a SQL count of
    # the same search while the index is being built).
    ordered, found = facets.results(search, public.incidents())
    results = facets.counts_for_page(search, found)
    places = _places(search, _facet(results, "city"), min_count)
    # The strip: one small map per year of the search without its own year filter; the
    # years and their totals are that search's year facet.
    unyeared = dataclasses.replace(search, years=[])
    unyeared_results = facets.counts_for_page(unyeared, None) if search.years else results
    per_year = sorted((int(y), n) for y, n in _facet(unyeared_results, "year").items())
    per_year = per_year[-MAX_YEARS:]
    wanted = [y for y, _ in per_year]
    # From the facet index's bitmaps when it is there (no SQL after a change), else grouped SQL.
    fast = facets.counts_by(unyeared, "year", wanted, "city")
    if fast is not None:
        codes = dict(City.objects.values_list("pk", "code"))
        by_year = {y: {codes[c]: n for c, n in row.items()} for y, row in fast.items()}
    else:
        by_year = _cities_by_year(_matching(unyeared), wanted)
    years = []
    for y, n in per_year:
        one = dataclasses.replace(search, years=[y])
        years.append(
            Year(
                year=y,
                count=n,
                query=query_string(search, year=[str(y)]),
                selected=search.years == [y],
                places=tuple(_places(one, by_year.get(y, {}), min_count)),
            )
        )
    data = MapData(
        search=search,
        total=ordered.count(),
        places=tuple(places),
        ports=tuple(_ports()),
        years=tuple(years),
        all_years_query=query_string(search, year=[]),
        min_count=min_count,
    )
    cache.set(key, data, 3600)
    return data


def top(places: list[Place] | tuple[Place, ...], n: int = 3) -> list[Place]:
    return list(places[:n])
