"""Statistics over published incidents, following the counting rules (docs/data.md).

- The unit is the incident; "people affected" sums the number of victims.
- An incident with several values of a many-valued field (types, perpetrators, groups,
  nationalities) counts once under each value, and once in the total.
- "Kidnappings or attempted kidnappings of children": incidents of type kidnapping or
  attempted kidnapping with victim group child or unaccompanied child.
- Only published incidents count: these are public reports; the true number is higher.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, cast

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from pyroaring import BitMap

from returnwatch import public

from .models import Incident

KIDNAPPING_TYPES = ("kidnapping", "attempted-kidnapping")
CHILD_GROUPS = ("child", "unaccompanied-child")


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class Breakdown:
    name: str  # used in URLs: /stats/<name>.csv
    title: Any
    rows: list[Row]


@dataclass(frozen=True)
class Month:
    month: dt.date
    count: int
    running_total: int


@dataclass(frozen=True)
class Statistics:
    incidents: int
    people: int
    children_kidnapped_incidents: int
    undated: int
    months: list[Month]
    breakdowns: list[Breakdown]

    def breakdown(self, name: str) -> Breakdown | None:
        return next((b for b in self.breakdowns if b.name == name), None)


# (name, title, Incident field, many-valued)
BREAKDOWNS = (
    ("type", gettext_lazy("By type of violence"), "violence_types", True),
    ("city", gettext_lazy("By city"), "city", False),
    ("perpetrator", gettext_lazy("By perpetrator"), "perpetrators", True),
    ("group", gettext_lazy("By victim group"), "victim_groups", True),
    ("nationality", gettext_lazy("By nationality"), "nationalities", True),
    ("program", gettext_lazy("By program"), "program", False),
)


def _breakdown(name: str, title: Any, field: str, many: bool) -> Breakdown:
    published = public.incident_ids()
    model = Incident._meta.get_field(field).related_model
    if many:
        through = getattr(Incident, field).through
        column = f"{model._meta.model_name}_id"  # type: ignore[union-attr]  # a related field has its model
        counts = dict(
            through.objects.filter(incident_id__in=published.values("pk"))
            .values(column)
            .annotate(n=Count("id"))
            .values_list(column, "n")
        )
    else:
        counts = dict(
            published.order_by()
            .exclude(**{f"{field}__isnull": True})
            .values(f"{field}_id")
            .annotate(n=Count("pk"))
            .values_list(f"{field}_id", "n")
        )
    return Breakdown(name, title, _rows(model, counts))


def _rows(model: Any, counts: dict[int, int]) -> list[Row]:
    """A breakdown's rows: each term with its count, largest first."""
    rows = [Row(t.code, t.label, counts[t.pk]) for t in model.objects.filter(pk__in=list(counts))]
    rows.sort(key=lambda r: (-r.count, r.label))
    return rows


def compute() -> Statistics:
    """The statistics of the data as it is now: from the facet index's bitmaps when it is
    ready (tens of milliseconds at a million incidents), else with SQL."""
    from . import facets  # facets reads data_version from here

    idx = facets.index()
    return _from_sql() if idx is None else _from_index(idx)


def _from_index(idx: Any) -> Statistics:
    """The same figures as `_from_sql`, from the facet index (facets.py): counts are sizes of
    bitmap intersections, and as positions run newest first each month's incidents are one
    range of positions."""
    from . import facets
    from .filters import FACETS, Search
    from .models import VictimGroup, ViolenceType

    found = facets.match(Search(), idx)  # every public incident
    base = idx.base
    raw = facets._raw_counts(found, idx)
    people = sum(base.victims) - sum(base.victims[p] for p in idx.dead)
    people += sum(e.victims for e in found.extra)

    kidnap = set(
        ViolenceType.objects.filter(code__in=KIDNAPPING_TYPES).values_list("pk", flat=True)
    )
    child = set(VictimGroup.objects.filter(code__in=CHILD_GROUPS).values_list("pk", flat=True))

    def union(param: str, pks: set[int]) -> BitMap:
        bucket = base.values[param]
        return BitMap.union(BitMap(), *(bucket[pk] for pk in pks if pk in bucket))

    children = len(found.positions & union("type", kidnap) & union("group", child))
    children += sum(
        1 for e in found.extra if e.values["type"] & kidnap and e.values["group"] & child
    )

    # Months: the dated positions are one run, newest first, so each month is a sub-run
    # found by bisection; undated ones are one run too (last on SQLite, first on PostgreSQL).
    days, end = base.days, len(base.days)
    by_month: dict[dt.date, int] = {}
    undated = sum(1 for e in found.extra if e.key[1] == 0)
    p = 0
    while p < end:
        if days[p] == 0:
            q = bisect.bisect_right(days, 0, lo=p, hi=end, key=lambda d: 1 if d else 0)
            undated += found.positions.range_cardinality(p, q)
        else:
            first = dt.date.fromordinal(days[p]).replace(day=1)
            # The first position of an earlier month (or undated): key ascending in the run.
            q = bisect.bisect_right(
                days, -first.toordinal(), lo=p, hi=end, key=lambda d: -d if d else 1 << 62
            )
            by_month[first] = by_month.get(first, 0) + found.positions.range_cardinality(p, q)
        p = q
    for e in found.extra:
        if e.key[1]:
            month = dt.date.fromordinal(-e.key[1]).replace(day=1)
            by_month[month] = by_month.get(month, 0) + 1
    months: list[Month] = []
    running = 0
    rows = sorted((m, n) for m, n in by_month.items() if n)
    for month, n in _fill_months(rows):
        running += n
        months.append(Month(month, n, running))
    breakdowns = []
    by_field = {f.field: f for f in FACETS}
    for name, title, field, _many in BREAKDOWNS:
        facet = by_field[field]
        counts = {pk: n for pk, n in raw[facet.param].items() if n}
        breakdowns.append(Breakdown(name, title, _rows(facet.model, counts)))
    return Statistics(
        incidents=len(found),
        people=people,
        children_kidnapped_incidents=children,
        undated=undated,
        months=months,
        breakdowns=breakdowns,
    )


def _from_sql() -> Statistics:
    published = public.incident_ids()
    totals = published.aggregate(n=Count("pk"), people=Sum("victims_count"))
    through_types = Incident.violence_types.through
    through_groups = Incident.victim_groups.through
    children = published.filter(
        pk__in=through_types.objects.filter(violencetype__code__in=KIDNAPPING_TYPES).values(
            "incident_id"
        )
    ).filter(
        pk__in=through_groups.objects.filter(victimgroup__code__in=CHILD_GROUPS).values(
            "incident_id"
        )
    )
    monthly = (
        published.order_by()
        .exclude(month__isnull=True)
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
        .values_list("month", "n")
    )
    months: list[Month] = []
    running = 0
    for month, n in _fill_months(cast(list[tuple[dt.date, int]], list(monthly))):  # no null months
        running += n
        months.append(Month(month, n, running))
    return Statistics(
        incidents=totals["n"] or 0,
        people=totals["people"] or 0,
        children_kidnapped_incidents=children.count(),
        undated=published.filter(month__isnull=True).count(),
        months=months,
        breakdowns=[_breakdown(*spec) for spec in BREAKDOWNS],
    )


def _fill_months(rows: list[tuple[dt.date, int]]) -> list[tuple[dt.date, int]]:
    """Monthly series with empty months present (a gap is a zero, not a missing bar)."""
    if not rows:
        return []
    counts = dict(rows)
    out = []
    month = rows[0][0]
    last = rows[-1][0]
    while month <= last:
        out.append((month, counts.get(month, 0)))
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return out


def analyze() -> None:
    """Fresh planner statistics. Without them SQLite reads a page of 50 incidents by id
    through the status index, all million rows of it (130 ms at 1,000,000 instead of 1 ms);
    PostgreSQL plans for empty tables right after a bulk load. Run after bulk loads
    (generate_incidents) and nightly (tasks.py); about 9 s at 1,000,000 on SQLite."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def data_version() -> str:
    """Changes whenever an incident, its links or a vocabulary change (cache key).

    The database bumps the counter itself (triggers of migration 0010), on every path that
    writes; reading it is one primary-key lookup, and every app server reads the same row.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT version FROM incidents_dataversion WHERE id = 1")
        row = cursor.fetchone()
    return str(row[0]) if row else "0"


@dataclass(frozen=True)
class Figures:
    """Statistics as last computed: for which data version and when."""

    stats: Statistics
    version: str
    computed_at: dt.datetime
    current: bool  # False while newer figures are being computed


# Figures computed for a language, and the version they are being recomputed for.
_LATEST = "stats:latest:{lang}"
_COMPUTING = "stats:computing:{lang}:{version}"


def _store(lang: str, version: str) -> Figures:
    with translation.override(lang):
        figures = Figures(compute(), version, timezone.now(), True)
    cache.set(_LATEST.format(lang=lang), figures, None)
    return figures


def refresh(lang: str) -> Figures:
    """Compute and store the figures of `lang` for the data as it is now (the task queue's
    task, incidents/tasks.py). The version is read before the rows: figures are never
    labelled newer than their data, and a change during the computation is seen as one."""
    version = data_version()
    latest: Figures | None = cache.get(_LATEST.format(lang=lang))
    if latest is not None and latest.version == version:
        return latest  # another worker was quicker
    return _store(lang, version)


def can_defer() -> bool:
    """Whether work may go to the task queue: not inside a transaction (a test's, or an
    atomic block), whose uncommitted rows the worker could not see."""
    return not connection.in_atomic_block


def _enqueue(lang: str) -> None:
    from .tasks import recompute_statistics

    recompute_statistics(lang)


def figures(*, wait: bool = False) -> Figures:
    """Statistics for the current language, never older than the data without saying so.

    When the data changed since the last figures, a task on the queue (returnwatch/taskqueue.py,
    once across every app server: the claim is an atomic `cache.add`) computes them, and the
    last complete figures are served meanwhile, marked as not current with the time they were
    computed. Only the very first request, with no figures at all, waits for the computation.
    """
    lang = translation.get_language() or "en"
    version = data_version()
    latest: Figures | None = cache.get(_LATEST.format(lang=lang))
    if latest is not None and latest.version == version:
        return latest
    from . import facets

    # From the index the figures take milliseconds: computed now, never stale. Without it
    # (being built) they are computed on the queue and the last ones shown meanwhile.
    if latest is None or wait or not can_defer() or facets.index() is not None:
        return _store(lang, version)
    # The claim expires so that the task is queued again if a worker lost it.
    if cache.add(_COMPUTING.format(lang=lang, version=version), 1, 300):
        _enqueue(lang)
    return replace(latest, current=False)


def wait_for_background() -> None:
    """Run the statistics tasks waiting on the queue, here (tests, the benchmark)."""
    from huey.contrib.djhuey import HUEY

    from .tasks import recompute_statistics

    kept = []
    while (task := HUEY.dequeue()) is not None:
        if task.name == recompute_statistics.task_class.__name__:
            HUEY.execute(task)
        else:
            kept.append(task)
    for task in kept:
        HUEY.enqueue(task)


def cached() -> Statistics:
    """The statistics to show: see `figures`."""
    return figures().stats
