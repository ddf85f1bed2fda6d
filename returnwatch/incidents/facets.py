"""Facet counts for the current search: how many matching incidents hold each value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from .filters import FACETS, Search
from .models import Incident


@dataclass(frozen=True)
class FacetValue:
    code: str
    label: str
    count: int
    selected: bool
    toggle_params: list[tuple[str, str]]  # the search with this value added or removed


@dataclass(frozen=True)
class FacetResult:
    param: str
    label: str
    values: list[FacetValue]


def _toggle(search: Search, param: str, code: str) -> list[tuple[str, str]]:
    pairs = search.params()
    if (param, code) in pairs:
        return [p for p in pairs if p != (param, code)]
    return [*pairs, (param, code)]


def counts(search: Search, matching: QuerySet[Incident]) -> list[FacetResult]:
    """Counts per value of every facet, plus years, over `matching` (already filtered)."""
    from django.utils.translation import gettext as _

    ids = matching.values("pk")
    results: list[FacetResult] = []
    for facet in FACETS:
        if facet.many:
            through = getattr(Incident, facet.field).through
            column = f"{facet.model._meta.model_name}_id"
            rows = (
                through.objects.filter(incident_id__in=ids)
                .values(column)
                .annotate(n=Count("id"))
                .values_list(column, "n")
            )
        else:
            column = f"{facet.field}_id"
            rows = (
                matching.order_by()
                .exclude(**{f"{column}__isnull": True})
                .values(column)
                .annotate(n=Count("pk"))
                .values_list(column, "n")
            )
        by_id = dict(rows)
        selected = {t.code for t in search.selected.get(facet.param, [])}
        terms: Any = facet.model.objects.filter(pk__in=list(by_id)) if by_id else []  # type: ignore[attr-defined]
        values = [
            FacetValue(
                t.code,
                t.label,
                by_id[t.pk],
                t.code in selected,
                _toggle(search, facet.param, t.code),
            )
            for t in terms
        ]
        # Selected values stay visible even when nothing matches them any more.
        for t in search.selected.get(facet.param, []):
            if t.pk not in by_id:
                values.append(
                    FacetValue(t.code, t.label, 0, True, _toggle(search, facet.param, t.code))
                )
        values.sort(key=lambda v: (-v.count, v.label))
        results.append(FacetResult(facet.param, str(facet.label), values))
    years = (
        matching.order_by()
        .exclude(year__isnull=True)
        .values("year")
        .annotate(n=Count("pk"))
        .values_list("year", "n")
    )
    year_values = [
        FacetValue(str(y), str(y), n, y in search.years, _toggle(search, "year", str(y)))
        for y, n in sorted(years, reverse=True)
    ]
    results.append(FacetResult("year", _("Year"), year_values))
    return results
