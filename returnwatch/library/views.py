"""Public library pages: /resources/ and /resources/<slug>/. They read only through public.py."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from returnwatch import public

from . import browse

PER_PAGE = 20
CITING_SHOWN = 10


def item_list(request: HttpRequest) -> HttpResponse:
    b = browse.parse(request.GET)
    paginator = Paginator(browse.results(b), PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    facets = browse.facets(b)
    for name, choices in facets.items():
        for c in choices:
            c.url = browse.toggle_url(request.GET, name, c.value)
    params = request.GET.copy()
    params.pop("page", None)
    sort_params = params.copy()
    sort_params.pop("sort", None)
    return render(
        request,
        "library/list.html",
        {
            "browse": b,
            "page": page,
            "items": browse.project(list(page.object_list)),
            "total": paginator.count,
            "facets": facets,
            "query_without_page": params.urlencode(),
            "query_without_sort": sort_params.urlencode(),
            "filtered": bool(b.q or b.selected),
        },
    )


def item_detail(request: HttpRequest, slug: str) -> HttpResponse:
    item = public.library_item(slug)
    if item is None:
        raise Http404
    citing = public.project(
        list(
            public.library_citing_incidents(item.document_id).order_by("-date", "-id")[
                :CITING_SHOWN
            ]
        )
    )
    return render(
        request,
        "library/detail.html",
        {"item": item, "citing": citing, "language_label": browse.language_name(item.language)},
    )
