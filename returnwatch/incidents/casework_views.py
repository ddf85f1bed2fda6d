"""The staff page of case-handling statistics (`casework_stats`), with a CSV per table."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from returnwatch.accounts.permissions import researcher_required

from . import casework_stats, charts
from .views import csv_table


def _days(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


@researcher_required
def casework(request: HttpRequest) -> HttpResponse:
    figures = casework_stats.compute(request.user)
    timeline = charts.timeline(
        [(m.month.strftime("%Y-%m"), m.count, m.running_total) for m in figures.tip_months],
        title=_("Tips received per month, with the running total"),
    )
    durations = [
        (d, charts.bars([(r.label, r.count) for r in d.bands.rows], title=str(d.title)))
        for d in (figures.triage, figures.publication)
    ]
    breakdowns = [
        (b, charts.bars([(r.label, r.count) for r in b.rows], title=str(b.title)))
        for b in figures.breakdowns
    ]
    return render(
        request,
        "incidents/staff/casework.html",
        {
            "figures": figures,
            "timeline": timeline,
            "durations": durations,
            "breakdowns": breakdowns,
        },
    )


@researcher_required
def casework_csv(request: HttpRequest, name: str) -> HttpResponse:
    figures = casework_stats.compute(request.user)
    filename = f"casework-{name}"
    if name == "summary":
        rows: list[list[object]] = [
            ["tips_received", figures.tips],
            ["tips_not_yet_triaged", figures.tips_untriaged],
            ["cases", figures.incidents],
        ]
        for d in (figures.triage, figures.publication):
            rows += [
                [f"{d.name}_count", d.count],
                [f"{d.name}_median_days", _days(d.median_days)],
                [f"{d.name}_mean_days", _days(d.mean_days)],
                [f"{d.name}_longest_days", _days(d.longest_days)],
                [f"{d.name}_waiting", d.waiting],
            ]
        return csv_table(filename, ["measure", "value"], rows)
    if name == "tips-monthly":
        return csv_table(
            filename,
            ["month", "tips", "running_total"],
            ([m.month.strftime("%Y-%m"), m.count, m.running_total] for m in figures.tip_months),
        )
    durations = figures.durations(name)
    if durations is not None:
        return csv_table(
            filename, ["band", "records"], ([r.label, r.count] for r in durations.bands.rows)
        )
    breakdown = figures.breakdown(name)
    if breakdown is None:
        raise Http404(_("There is no such table."))
    unit = "tips" if name == "tip-status" else "cases"
    return csv_table(
        filename, ["code", "label", unit], ([r.code, r.label, r.count] for r in breakdown.rows)
    )
