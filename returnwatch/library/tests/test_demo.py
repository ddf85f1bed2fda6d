"""The demo library: a dozen fictional items, two lawsuits with histories, cited by demo cases."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from returnwatch import public
from returnwatch.incidents.models import Citation, Document
from returnwatch.library.demo import ITEMS, load_library_demo
from returnwatch.library.models import KeyFiling, LawsuitStatusChange, LibraryItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_incidents(make_incident: Any) -> list[Any]:
    cases = [make_incident(title=f"Demo case {n}", is_demo=True) for n in range(18)]
    cases += [make_incident(title="Demo draft", status="draft", is_demo=True)]
    return cases


def test_loads_a_dozen_fictional_items_cited_by_the_incidents(
    demo_incidents: list[Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    load_library_demo(demo_incidents)
    items = LibraryItem.objects.select_related("document")
    assert items.count() == len(ITEMS) == 12
    assert all(i.is_demo for i in items)
    kinds = sorted(i.kind for i in items)
    assert kinds.count("lawsuit") == 2 and "investigation" in kinds and kinds.count("report") >= 5
    for item in items:
        assert item.document.url.startswith("https://example.org/")
        assert any(w in item.document.publisher for w in ("(demo)", "(fictional)", "(ficticio)"))
        assert item.programs.exists()
        # Every item is cited by at least one of the given incidents, and only by them.
        citing = set(
            Citation.objects.filter(document=item.document).values_list("incident", flat=True)
        )
        assert citing and citing <= {i.pk for i in demo_incidents}

    suits = items.filter(kind="lawsuit")
    for suit in suits:
        history = list(suit.status_changes.all())
        assert len(history) >= 2 and suit.lawsuit_status == history[-1].status
        assert suit.court and suit.docket_number and suit.parties and suit.filing_date
        assert suit.key_filings.count() >= 2
    assert {s.lawsuit_status for s in suits} == {"appealed", "settled"}
    # Some reports keep an archived copy, whose hash the public page shows.
    archived = items.exclude(document__sha256="")
    assert archived.count() == 2
    page = Client().get(archived[0].get_absolute_url()).content.decode()
    assert archived[0].document.sha256 in page
    # Counts are of published cases only (the draft never counts).
    counted = public.with_incident_counts(public.library_items())
    assert sum(i.incident_count for i in counted) > 0  # type: ignore[attr-defined]  # annotate()d
    assert max(i.incident_count for i in counted) <= 18  # type: ignore[attr-defined]  # annotate()d


def test_loading_twice_creates_nothing_new(
    demo_incidents: list[Any], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    load_library_demo(demo_incidents)
    counts = [
        m.objects.count() for m in (LibraryItem, Document, Citation, LawsuitStatusChange, KeyFiling)
    ]
    load_library_demo(demo_incidents)
    again = [
        m.objects.count() for m in (LibraryItem, Document, Citation, LawsuitStatusChange, KeyFiling)
    ]
    assert again == counts


def test_loads_without_incidents(db: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    load_library_demo([])
    assert LibraryItem.objects.count() == 12 and not Citation.objects.exists()
    html = Client().get("/resources/").content.decode()
    assert "12 items" in html and "Fictional Rights Watch (demo)" in html
