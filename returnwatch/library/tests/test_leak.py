"""Nothing restricted ever reaches a /resources/ page, in English or Spanish.

Restricted markers are planted everywhere a careless query could pick them up: titles and
summaries of drafts, cases in review and retracted cases, narratives, persons, interview and
tip documents (as items, as key filings, as cited sources), and items taken off the library.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from returnwatch.incidents.models import Person
from returnwatch.library.models import LawsuitStatusChange

pytestmark = pytest.mark.django_db

MARKER = "zqxrestricted"
# Searching the marker's start would find any leaked marker, while the page's echo of the
# visitor's own words ("zqxrestr") is not the marker itself.
PREFIX = MARKER[:8]


@pytest.fixture
def planted(make_item: Any, make_incident: Any) -> dict[str, Any]:
    published = make_incident(
        title="Family kidnapped in Reynosa",
        narrative=f"{MARKER}-narrative names the family",
    )
    Person.objects.create(incident=published, name=f"{MARKER}-person", contact=f"{MARKER}-phone")
    draft = make_incident(
        title=f"{MARKER}-draft-title", summary=f"{MARKER}-draft-summary", status="draft"
    )
    review = make_incident(title=f"{MARKER}-review-title", status="review")
    retracted = make_incident(
        title=f"{MARKER}-retracted-title",
        status="retracted",
        retraction_reason=f"{MARKER}-retraction",
    )
    merged = make_incident(title=f"{MARKER}-merged-title", merged_into=published)
    cases = (published, draft, review, retracted, merged)
    report = make_item("Public report", cited_by=cases)
    suit = make_item(
        "Public lawsuit",
        kind="lawsuit",
        document_kind="court",
        court="Demo court",
        lawsuit_status="pending",
        cited_by=cases,
    )
    LawsuitStatusChange.objects.create(item=suit, date=dt.date(2020, 1, 1), status="pending")
    interview = make_item(
        f"{MARKER}-interview-title",
        slug="interview-item",
        document_kind="interview",
        summary=f"{MARKER}-interview-summary",
        cited_by=(published,),
    )
    tip = make_item(
        f"{MARKER}-tip-title", slug="tip-item", document_kind="tip", cited_by=(published,)
    )
    suit.key_filings.create(document=interview.document)
    suit.key_filings.create(document=tip.document)
    make_item(f"{MARKER}-unlisted-title", slug="unlisted-item", listed=False)
    return {"report": report, "suit": suit, "cases": cases}


def pages(planted: dict[str, Any]) -> list[str]:
    urls = [
        "/resources/",
        f"/resources/?q={PREFIX}",
        "/resources/?q=family",
        "/resources/?kind=report&kind=lawsuit",
        "/resources/?year=2020&language=en&program=mpp-2019",
        "/resources/?organization=Fictional+Rights+Watch+%28demo%29",
        "/resources/?sort=oldest",
        f"/resources/{planted['report'].slug}/",
        f"/resources/{planted['suit'].slug}/",
    ]
    return urls + ["/es" + u for u in urls]


def test_library_pages_never_show_restricted_data(client: Client, planted: dict[str, Any]) -> None:
    for url in pages(planted):
        response = client.get(url)
        assert response.status_code == 200, url
        assert MARKER not in response.content.decode(), url
    # The published case is there; hidden ones are neither linked nor counted.
    page = client.get(f"/resources/{planted['report'].slug}/").content.decode()
    assert "Family kidnapped in Reynosa" in page
    assert "documents 1 published case" in page
    for hidden in planted["cases"][1:]:
        assert f"/incidents/{hidden.reference}/" not in page


def test_restricted_items_have_no_page(client: Client, planted: dict[str, Any]) -> None:
    for slug in ("interview-item", "tip-item", "unlisted-item"):
        assert client.get(f"/resources/{slug}/").status_code == 404
        assert client.get(f"/es/resources/{slug}/").status_code == 404


def test_search_on_restricted_words_finds_nothing(client: Client, planted: dict[str, Any]) -> None:
    html = client.get(f"/resources/?q={PREFIX}").content.decode()
    assert "0 items" in html
