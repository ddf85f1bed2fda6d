"""The case page as a journalist or a court reads it: dates, retraction, citation, previews."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import verified_login
from returnwatch.audit import log
from returnwatch.incidents.models import Incident

pytestmark = pytest.mark.django_db

PUBLISHED = dt.datetime(2024, 3, 5, 12, 0, tzinfo=dt.UTC)


def published_case(make_incident: Any, **fields: Any) -> Incident:
    incident = make_incident(**fields)
    Incident.objects.filter(pk=incident.pk).update(published_at=PUBLISHED)
    incident.refresh_from_db()
    return incident


def meta(page: str, name: str) -> str:
    match = re.search(rf'<meta (?:name|property)="{re.escape(name)}" content="([^"]*)"', page)
    assert match, f"no {name} meta tag"
    return match.group(1)


def cite_line(page: str) -> str:
    match = re.search(r'<p class="cite">(.*?)</p>', page, re.S)
    assert match
    return match.group(1)


def test_case_page_shows_its_publication_date_and_cites_it_with_the_access_date(
    client: Client, make_incident: Any
) -> None:
    incident = published_case(make_incident)
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert "<dt>Published</dt>" in page and "5 March 2024" in page
    assert "<dt>Updated</dt>" not in page
    today = timezone.localdate()
    cite = cite_line(page)
    assert f"{incident.reference}, published 5 March 2024, " in cite
    assert f"/incidents/{incident.reference}/, accessed {today.day} {today:%B %Y}." in cite


def test_updated_date_counts_public_changes_only(
    client: Client, make_incident: Any, researcher: Any
) -> None:
    incident = published_case(make_incident)
    url = f"/incidents/{incident.reference}/"
    log.record(researcher, "update", incident, ["narrative", "assignee"], about=incident)
    assert "<dt>Updated</dt>" not in client.get(url).content.decode()
    log.record(researcher, "update", incident, ["summary", "narrative"], about=incident)
    page = client.get(url).content.decode()
    today = timezone.localdate()
    assert "<dt>Updated</dt>" in page
    assert f"updated {today.day} {today:%B %Y}" in cite_line(page)


def test_link_preview_and_description_come_from_public_fields_only(
    client: Client, make_incident: Any
) -> None:
    incident = published_case(
        make_incident,
        title="Family kidnapped at the bus station",
        summary="A family returned under MPP was held for ransom for three days.",
        narrative="RESTRICTED-NARRATIVE-MARKER with a name",
    )
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert meta(page, "description") == incident.summary
    assert meta(page, "og:description") == incident.summary
    assert meta(page, "og:title") == f"{incident.reference}: Family kidnapped at the bus station"
    assert meta(page, "og:url").endswith(f"/incidents/{incident.reference}/")
    assert meta(page, "article:published_time").startswith("2024-03-05T12:00:00")
    assert "RESTRICTED-NARRATIVE-MARKER" not in page


def test_retracted_case_says_when_and_its_citation_says_retracted(
    client: Client, make_incident: Any, editor: Any
) -> None:
    incident = published_case(make_incident, summary="Old summary that is no longer public")
    c = Client()
    verified_login(c, editor)
    c.post(
        reverse("staff:incident_transition", args=[incident.reference]),
        {"action": "retract", "reason": "The same attack was reported twice."},
    )
    incident.refresh_from_db()
    assert incident.status == "retracted"
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    today = timezone.localdate()
    when = f"{today.day} {today:%B %Y}"
    assert f"Retracted on {when}." in page and "First published on 5 March 2024." in page
    assert "The same attack was reported twice." in page
    assert "Old summary" not in page
    cite = cite_line(page)
    assert f"(retracted {when})" in cite and "accessed" in cite
    assert "published 5 March" not in cite
    assert meta(page, "description") == (
        "This case was retracted: The same attack was reported twice."
    )
    assert meta(page, "og:title").startswith(f"{incident.reference}: Retracted: ")


def test_spanish_case_page_gives_dates_in_spanish(client: Client, make_incident: Any) -> None:
    incident = published_case(make_incident)
    page = client.get(f"/es/incidents/{incident.reference}/").content.decode()
    assert "5 de marzo de 2024" in page
    assert "consultado el" in cite_line(page)
