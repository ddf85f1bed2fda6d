"""Every count on the public site prints with the thousands separator of the page's language
("1,234 cases", "1 234 casos"): home, search and its facets, statistics, library, data page."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

N = 1234
NBSP = "\xa0"


@pytest.fixture
def many(db: Any) -> Any:
    """1,234 published incidents, all under one program, all cited by one library report."""
    from returnwatch.incidents.models import Citation, Document, DocumentKind, Incident, Program
    from returnwatch.library.models import LibraryItem

    call_command("generate_incidents", count=N, seed=5, stdout=io.StringIO())
    Incident.objects.update(program=Program.objects.get(code="mpp-2019"))
    document = Document.objects.create(
        kind=DocumentKind.objects.get(code="ngo-report"),
        title="Twelve hundred attacks",
        date_published="2021-02-01",
    )
    item = LibraryItem.objects.create(document=document, slug="twelve-hundred", kind="report")
    Citation.objects.bulk_create(
        Citation(incident_id=pk, document=document)
        for pk in Incident.objects.values_list("pk", flat=True)
    )
    return item


def text(response: Any) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", response.content.decode().replace(NBSP, "_"))


def test_english_pages_print_counts_with_commas(client, many, monkeypatch):
    from returnwatch.incidents import stats, views

    people = stats.cached().people
    assert people >= 1000
    home = text(client.get("/"))
    assert '<span class="big-number">1,234</span>' in home
    assert f"<strong>{people:,}</strong>" in home

    monkeypatch.setattr(views, "PER_PAGE", 1)
    search = text(client.get("/incidents/"))
    assert "1,234 cases" in search
    assert "Page 1 of 1,234" in search
    assert 'MPP (Remain in Mexico) 2019–2021</a> <span class="count">1,234</span>' in search

    statistics = text(client.get("/stats/"))
    assert '<td class="num">1,234</td>' in statistics
    assert f'<td class="num">{people:,}</td>' in statistics
    assert '>MPP (Remain in Mexico) 2019–2021</a></td><td class="num">1,234</td>' in statistics

    assert "holds 1,234 published cases" in text(client.get("/data/"))
    assert "Documents 1,234 published cases" in text(client.get("/resources/"))
    detail = text(client.get("/resources/twelve-hundred/"))
    assert "This report documents 1,234 published cases" in detail
    assert "See all 1,234 cases" in detail


def test_spanish_pages_print_counts_with_a_non_breaking_space(client, many):
    assert '<span class="big-number">1_234</span>' in text(client.get("/es/"))
    assert "1_234 casos" in text(client.get("/es/incidents/"))
    assert '<td class="num">1_234</td>' in text(client.get("/es/stats/"))


def test_no_public_count_prints_four_digits_in_a_row(client, many):
    """Years and references are not counts; everything shown as a number of cases is."""
    counts = re.compile(r'class="(?:count|big-number|num)">(\d{4,})<')
    for url in ("/", "/incidents/", "/stats/", "/resources/", "/data/"):
        assert counts.findall(text(client.get(url))) == [], url
