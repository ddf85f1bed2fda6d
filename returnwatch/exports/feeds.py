"""Atom feed of published incidents, newest published first, with the search parameters of
/incidents/ (a journalist follows /feeds/incidents.atom?city=reynosa&type=kidnapping).

A retraction is announced, not dropped: the case's entry comes back with the same id, a new
`updated` date, "Retracted:" before its title and the public reason. A retracted case's facts
are no longer public, so no search can say whether it matched: every feed, filtered or not,
announces every retraction.

Language-neutral address, so the feed is in English whatever the browser asks for."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed

from returnwatch import public
from returnwatch.incidents import facets, filters
from returnwatch.incidents.filters import Search
from returnwatch.public import PublicIncident

from . import formats

FEED_SIZE = 50
NEVER = dt.datetime.min.replace(tzinfo=dt.UTC)


class IncidentFeed(Feed):
    feed_type = Atom1Feed

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with translation.override("en"):
            response = super().__call__(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Search:
        return filters.parse(request.GET)

    def title(self, search: Search) -> str:
        if not search.is_filtered:
            return "ReturnWatch: new published cases"
        described = ", ".join(f"{k}={v}" for k, v in search.params())
        return f"ReturnWatch: new published cases ({described})"

    def subtitle(self, search: Search) -> str:
        return (
            "Publicly reported attacks on people forced to wait or return to danger. "
            "Counts are of public reports; the true number is higher."
        )

    def link(self, search: Search) -> str:
        query = urlencode(search.params())
        return f"{formats.site_url()}/incidents/" + (f"?{query}" if query else "")

    def feed_url(self, search: Search) -> str:
        query = urlencode(search.params())
        return f"{formats.site_url()}/feeds/incidents.atom" + (f"?{query}" if query else "")

    def feed_guid(self, search: Search) -> str:
        return self.feed_url(search)

    def author_name(self) -> str:
        return "ReturnWatch"

    def feed_copyright(self) -> str:
        return f"Data licence: {formats.license_info()['name']}"

    def items(self, search: Search) -> list[PublicIncident]:
        # The search page's match set (the facet index) when filtered; newest published first.
        qs = facets.narrowed(search, public.incidents()).order_by("-published_at", "-id")
        qs = qs[:FEED_SIZE]
        retracted = public.retractions().order_by("-retracted_at", "-id")[:FEED_SIZE]
        entries = public.project(list(qs)) + [public.project_retracted(r) for r in retracted]
        # Newest change first; a record without a publication date (imported) goes last.
        entries.sort(key=lambda e: _updated(e) or NEVER, reverse=True)
        return entries[:FEED_SIZE]

    def item_title(self, item: PublicIncident) -> str:
        return f"Retracted: {item.title}" if item.is_retracted else item.title

    def item_description(self, item: PublicIncident) -> str:
        if item.is_retracted:
            when = item.retracted_at.date().isoformat() if item.retracted_at else ""
            return f"This case was retracted on {when}. Reason: {item.retraction_reason}"
        # Plain text (escaped by the feed writer): summary, then date and city.
        facts = []
        if item.date:
            facts.append(f"Date: {_date(item)}")
        if item.city:
            facts.append(f"City: {item.city.label_en}, {item.city.state}".rstrip(", "))
        if item.violence_types:
            facts.append("Type: " + ", ".join(t.label_en for t in item.violence_types))
        return item.summary + ("\n\n" + " · ".join(facts) if facts else "")

    def item_link(self, item: PublicIncident) -> str:
        return formats.case_url(item.reference)

    def item_guid(self, item: PublicIncident) -> str:
        # The same id before and after a retraction: readers update the entry they have.
        return formats.case_url(item.reference)

    def item_pubdate(self, item: PublicIncident) -> Any:
        return item.published_at

    def item_updateddate(self, item: PublicIncident) -> Any:
        return _updated(item)

    def item_categories(self, item: PublicIncident) -> list[str]:
        if item.is_retracted:
            return ["retracted"]
        cats = [t.code for t in item.violence_types]
        if item.city:
            cats.append(f"city:{item.city.code}")
        return cats


def _updated(item: PublicIncident) -> Any:
    return item.retracted_at if item.is_retracted else item.published_at


def _date(item: PublicIncident) -> str:
    d = item.date
    if item.date_precision == "year":
        return str(d.year)
    if item.date_precision == "month":
        return d.strftime("%B %Y")
    text = d.isoformat()
    return f"about {text}" if item.date_precision == "approximate" else text
