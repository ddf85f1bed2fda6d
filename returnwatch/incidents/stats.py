"""Statistics over published incidents, following the counting rules (docs/data.md).

- The unit is the incident; "people affected" sums the number of victims.
- An incident with several values of a many-valued field (types, perpetrators, groups,
  nationalities) counts once under each value, and once in the total.
- "Kidnappings or attempted kidnappings of children": incidents of type kidnapping or
  attempted kidnapping with victim group child or unaccompanied child.
- Only published incidents count: these are public reports; the true number is higher.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.utils import translation
from django.utils.translation import gettext_lazy

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
        column = f"{model._meta.model_name}_id"  # type: ignore[union-attr]
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
    terms = model.objects.filter(pk__in=list(counts))  # type: ignore[union-attr]
    rows = [Row(t.code, t.label, counts[t.pk]) for t in terms]
    rows.sort(key=lambda r: (-r.count, r.label))
    return Breakdown(name, title, rows)


def compute() -> Statistics:
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
    for month, n in _fill_months(list(monthly)):
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


def data_version() -> str:
    """Changes whenever any incident is saved, added or deleted (cache key for statistics)."""
    agg = Incident.objects.aggregate(n=Count("pk"), last=Max("updated_at"))
    return f"{agg['n']}:{agg['last'].isoformat() if agg['last'] else '-'}"


def cached() -> Statistics:
    """Statistics for the current language, recomputed only when the data changed."""
    key = f"stats:{translation.get_language()}:{data_version()}"
    stats = cache.get(key)
    if stats is None:
        stats = compute()
        cache.set(key, stats, 3600)
    return stats
