"""A sourced case in one screen: the incident and its sources in one transaction, shown again
whole when something is wrong; from a tip, the same screen filled in."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from returnwatch.incidents.models import Citation, Document, Incident
from returnwatch.intake import submissions

pytestmark = pytest.mark.django_db

BASE = {
    "title": "Family kidnapped after return",
    "summary": "A family returned under MPP was kidnapped near the bus station.",
    "date_precision": "day",
    "victims_count": 3,
    "children_count": 1,
    "verification": "one",
    "fear_expressed": "unknown",
    "source-TOTAL_FORMS": "2",
    "source-INITIAL_FORMS": "0",
    "source-MIN_NUM_FORMS": "0",
    "source-MAX_NUM_FORMS": "10",
}


def signed_in(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_incident_and_two_sources_saved_together(
    researcher: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    existing = Document.objects.create(
        kind_id=Document._meta.get_field("kind").related_model.objects.get(code="news").pk,  # type: ignore[attr-defined]  # DocumentKind
        title="Already here", url="https://example.org/already",
    )  # fmt: skip
    pdf = SimpleUploadedFile(
        "report.pdf", b"%PDF-1.4\n%demo\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "application/pdf"
    )
    data = {
        **BASE,
        "source-0-url": "https://example.org/news/1",
        "source-0-title": "Kidnapped at the bus station",
        "source-0-kind": "news",
        "source-0-publisher": "Demo Daily",
        "source-0-passage": "para. 3",
        "source-0-reliability": "high",
        "source-0-file": pdf,
        "source-1-url": existing.url,
        "source-1-reliability": "medium",
    }
    response = signed_in(researcher).post("/staff/incidents/new/", data)
    assert response.status_code == 302, response.content.decode()[-3000:]
    incident = Incident.objects.get()
    cited = {c.document.title: c for c in Citation.objects.filter(incident=incident)}
    assert set(cited) == {"Kidnapped at the bus station", "Already here"}
    new = cited["Kidnapped at the bus station"]
    assert new.passage == "para. 3" and new.reliability == "high" and new.document.sha256
    assert Document.objects.filter(url=existing.url).count() == 1  # cited, not copied


def test_an_error_shows_everything_again_and_saves_nothing(researcher: Any) -> None:
    data = {**BASE, "children_count": 5, "source-0-url": "https://example.org/x"}
    response = signed_in(researcher).post("/staff/incidents/new/", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There cannot be more children than people harmed (3)." in page
    assert "Give the source&#x27;s title." in page or "Give the source's title." in page
    assert (
        'value="https://example.org/x"' in page and 'value="Family kidnapped after return"' in page
    )
    assert not Incident.objects.exists() and not Document.objects.exists()


def test_from_a_tip_the_screen_is_filled_in_and_the_tip_linked(researcher: Any) -> None:
    tip, _code = submissions.create_tip(
        {"narrative": "Nos secuestraron en la central.", "city": "reynosa", "date": "2025-03-02"}
    )
    c = signed_in(researcher)
    page = c.get(f"/staff/incidents/new/?tip={tip.pk}").content.decode()
    assert "Nos secuestraron en la central." in page and f"tip #{tip.pk}" in page
    response = c.post(
        "/staff/incidents/new/",
        {**BASE, "tip": tip.pk, "narrative": "Nos secuestraron en la central."},
    )
    assert response.status_code == 302
    tip.refresh_from_db()
    assert tip.incident is not None and tip.status == "accepted"
    assert tip.incident.citations.filter(document__kind__code="tip").exists()
