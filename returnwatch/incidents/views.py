"""Public pages of the case database. Everything here reads through returnwatch.public."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from returnwatch import public
from returnwatch.public import accountability

from . import charts, facets, filters, stats

PER_PAGE = 50


def home(request: HttpRequest) -> HttpResponse:
    numbers = stats.cached()
    latest = public.project(list(public.incidents().order_by("-published_at", "-id")[:8]))
    return render(request, "incidents/home.html", {"stats": numbers, "latest": latest})


def incident_list(request: HttpRequest) -> HttpResponse:
    search = filters.parse(request.GET)
    ordered, found = facets.results(search, public.incidents())
    paginator = Paginator(ordered, PER_PAGE)
    number = request.GET.get("page", "1")
    try:
        page = paginator.page(number)
    except PageNotAnInteger:
        search.notices.append(
            _("“%(value)s” is not a page number; showing the first page.") % {"value": number[:10]}
        )
        page = paginator.page(1)
    except EmptyPage:
        if paginator.count:
            search.notices.append(
                _("There is no page %(value)s; showing the last page.") % {"value": number[:10]}
            )
        page = paginator.page(paginator.num_pages)
    # Every link below comes from search.query_string: each keeps the rest of the search.
    sorts = [("-date", _("Newest first")), ("date", _("Oldest first"))]
    if search.q:
        sorts.insert(0, ("relevance", _("Relevance")))
    context = {
        "search": search,
        "page": page,
        "results": public.project(list(page.object_list)),
        "facets": facets.counts_for_page(search, found),
        "applied": search.applied(_document_title(search.document)),
        # The form's own fields are q, from and to; the rest of the search rides along.
        "hidden": [(k, v) for k, v in search.link_params() if k not in ("q", "from", "to")],
        "sorts": [
            {
                "label": label,
                "query": search.query_string(sort=code),
                "current": code == search.sort,
            }
            for code, label in sorts
        ],
        "previous_query": search.query_string(page=page.previous_page_number())
        if page.has_previous()
        else "",
        "next_query": search.query_string(page=page.next_page_number()) if page.has_next() else "",
        "export_query": search.query_string(export=True),
        "excel_query": search.query_string(export=True, extra=[("bom", "1")]),
    }
    return render(request, "incidents/list.html", context)


def _document_title(document_id: int | None) -> str:
    """The library title of the document a search is narrowed to, if the library shows it."""
    if not document_id:
        return ""
    items = public.project_library(list(public.library_items().filter(document_id=document_id)[:1]))
    return items[0].title if items else ""


def long_date(value: Any) -> str:
    """A date as a citation gives it: "1 December 2026", or the language's own long form
    ("1 de diciembre de 2026"). Times are dropped (the site's time zone is UTC)."""
    if value is None:
        return ""
    if hasattr(value, "hour"):
        value = timezone.localdate(value)
    language = translation.get_language() or "en"
    return date_format(value, "j F Y" if language.startswith("en") else "DATE_FORMAT")


def incident_detail(request: HttpRequest, reference: str) -> HttpResponse:
    incident = public.incident(reference)
    if incident is None:
        target = public.merged_target(reference)
        if target:
            return redirect("incidents:detail", reference=target, permanent=True)
        raise Http404(_("There is no public case with this reference."))
    # The stable address, whatever host or proxy this request came through.
    url = settings.SITE_URL.rstrip("/") + incident.get_absolute_url()
    if incident.is_retracted:
        description = _("This case was retracted: %(reason)s") % {
            "reason": incident.retraction_reason
        }
    else:
        description = incident.summary
    return render(
        request,
        "incidents/detail.html",
        {
            "incident": incident,
            "citations": public.citations(reference) if not incident.is_retracted else [],
            "library_items": public.library_items_for(reference)
            if not incident.is_retracted
            else [],
            "cite_url": url,
            # Link previews and search results: public fields only (the projection's).
            "description": Truncator(" ".join(description.split())).chars(200),
            "published": long_date(incident.published_at),
            "updated": long_date(incident.updated_at),
            "retracted": long_date(incident.retracted_at),
            "accessed": long_date(timezone.now()),
            "accountability": []
            if incident.is_retracted
            else accountability.public_steps(reference),
        },
    )


def stats_page(request: HttpRequest) -> HttpResponse:
    figures = stats.figures()
    numbers = figures.stats
    timeline = charts.timeline(
        [(m.month.strftime("%Y-%m"), m.count, m.running_total) for m in numbers.months],
        title=_("Published incidents per month, with the running total"),
    )
    breakdowns = [
        (b, charts.bars([(r.label, r.count) for r in b.rows], title=str(b.title)))
        for b in numbers.breakdowns
    ]
    return render(
        request,
        "incidents/stats.html",
        {
            "stats": numbers,
            "figures": figures,
            "timeline": timeline,
            "breakdowns": breakdowns,
            "accountability": accountability.summary(),
        },
    )


def csv_table(name: str, header: list[str], rows: Iterable[Iterable[Any]]) -> HttpResponse:
    """A table as a CSV download `returnwatch-<name>.csv` (public and staff statistics)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="returnwatch-{name}.csv"'
    writer = csv.writer(response)
    writer.writerow(header)
    writer.writerows(rows)
    return response


def stats_csv(request: HttpRequest, name: str) -> HttpResponse:
    numbers = stats.cached()
    if name == "monthly":
        return csv_table(
            name,
            ["month", "incidents", "running_total"],
            ([m.month.strftime("%Y-%m"), m.count, m.running_total] for m in numbers.months),
        )
    if name == "summary":
        return csv_table(
            name,
            ["measure", "value"],
            [
                ["published_incidents", numbers.incidents],
                ["people_affected", numbers.people],
                [
                    "kidnappings_or_attempted_kidnappings_of_children",
                    numbers.children_kidnapped_incidents,
                ],
                ["incidents_without_date", numbers.undated],
            ],
        )
    breakdown = numbers.breakdown(name)
    if breakdown is None:
        raise Http404(_("There is no such table."))
    return csv_table(
        name, ["code", "label", "incidents"], ([r.code, r.label, r.count] for r in breakdown.rows)
    )
