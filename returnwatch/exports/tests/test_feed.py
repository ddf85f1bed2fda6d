"""The Atom feed, read with feedparser."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest
from django.utils import timezone

from .helpers import body

pytestmark = pytest.mark.django_db


def test_feed_lists_newest_published_first_with_title_summary_date_city_link(client, make_incident):
    now = timezone.now()
    old = make_incident(title="Older case", city="tijuana")
    new = make_incident(title="Newer case", city="reynosa", types=["kidnapping"])
    type(old).objects.filter(pk=old.pk).update(published_at=now - dt.timedelta(days=2))
    type(new).objects.filter(pk=new.pk).update(published_at=now - dt.timedelta(days=1))
    make_incident(title="A draft", status="draft")
    response = client.get("/feeds/incidents.atom", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(body(response))
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert [e.title for e in feed.entries] == ["Newer case", "Older case"]
    entry = feed.entries[0]
    assert entry.link.endswith(f"/incidents/{new.reference}/")
    assert "A family returned under MPP" in entry.summary
    assert "City: Reynosa, Tamaulipas" in entry.summary
    assert "Date: 2019-10-03" in entry.summary
    assert "Type: Kidnapping" in entry.summary  # English whatever the browser asks
    assert entry.published_parsed is not None


def test_feed_takes_the_search_parameters(client, make_incident):
    make_incident(title="Kidnapping in Reynosa", city="reynosa", types=["kidnapping"])
    make_incident(title="Robbery in Reynosa", city="reynosa", types=["armed-robbery"])
    make_incident(title="Kidnapping in Tijuana", city="tijuana", types=["kidnapping"])
    feed = feedparser.parse(body(client.get("/feeds/incidents.atom?city=reynosa&type=kidnapping")))
    assert [e.title for e in feed.entries] == ["Kidnapping in Reynosa"]
    assert "city=reynosa" in feed.feed.title
    assert client.get("/feeds/incidents.atom?city=nowhere").status_code == 200


def test_a_retracted_case_is_announced_as_an_updated_entry_with_date_and_reason(
    client, make_incident, editor
):
    from django.test import Client
    from django.urls import reverse

    from conftest import verified_login

    now = timezone.now()
    kept = make_incident(title="A case that stands", city="reynosa")
    gone = make_incident(
        title="A case reported twice", city="tijuana", summary="Secret-ish summary"
    )
    type(kept).objects.filter(pk=kept.pk).update(published_at=now - dt.timedelta(days=1))
    type(gone).objects.filter(pk=gone.pk).update(published_at=now - dt.timedelta(days=2))
    before = feedparser.parse(body(client.get("/feeds/incidents.atom")))
    first = {e.id: e for e in before.entries}[f"http://127.0.0.1:8000/incidents/{gone.reference}/"]
    assert first.title == "A case reported twice"

    editor_client = Client()
    verified_login(editor_client, editor)
    editor_client.post(
        reverse("staff:incident_transition", args=[gone.reference]),
        {"action": "retract", "reason": "The same attack was entered twice."},
    )
    gone.refresh_from_db()
    assert gone.status == "retracted"

    for address in ("/feeds/incidents.atom", "/feeds/incidents.atom?city=reynosa"):
        feed = feedparser.parse(body(client.get(address)))
        assert not feed.bozo, feed.bozo_exception
        entry = feed.entries[0]  # the newest change comes first
        assert entry.id == first.id and entry.link == first.link
        assert entry.title == "Retracted: A case reported twice"
        day = gone.retracted_at.date().isoformat()
        assert f"This case was retracted on {day}." in entry.summary
        assert "The same attack was entered twice." in entry.summary
        assert "Secret-ish summary" not in entry.summary and "Tijuana" not in entry.summary
        assert entry.updated_parsed > first.updated_parsed
        assert dt.date(*entry.updated_parsed[:3]) == gone.retracted_at.date()
        assert [t.term for t in entry.tags] == ["retracted"]
    # Never published, then retracted (not possible through the workflow, but from an import):
    # nothing to announce.
    make_incident(title="Never public", status="retracted")
    titles = [e.title for e in feedparser.parse(body(client.get("/feeds/incidents.atom"))).entries]
    assert "Retracted: Never public" not in titles
