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
