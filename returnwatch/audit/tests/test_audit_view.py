"""The change history researchers see holds no restricted values, and each sees only theirs."""

from typing import Any

import pytest
from django.db import connection
from django.urls import NoReverseMatch, reverse

from conftest import verified_login
from returnwatch.audit.log import record

pytestmark = pytest.mark.django_db

MARKERS = {
    "narrative": "NARRATIVE-MARKER-5521",
    "name": "NAME-MARKER-Xochitl-Quetzal",
    "a_number": "A-208-555-901",
    "contact": "contact-marker@example.net",
}


def test_history_views_hold_no_restricted_values(
    client: Any, researcher: Any, make_incident: Any
) -> None:
    incident = make_incident(status="draft", narrative=MARKERS["narrative"])
    record(researcher, "create", incident, fields=["title", "narrative"])
    verified_login(client, researcher)
    # A person record added through the workspace, when its form is there.
    try:
        url = reverse("staff:person_add", args=[incident.reference])
    except NoReverseMatch:
        url = None
    if url:
        response = client.post(
            url,
            {k: v for k, v in MARKERS.items() if k != "narrative"} | {"notes": "NOTE-MARKER-77"},
        )
        assert response.status_code == 302, response.content[:500]
    for page in ("/staff/audit/", f"/staff/audit/?incident={incident.reference}"):
        response = client.get(page)
        assert response.status_code == 200
        html = response.content.decode()
        assert incident.reference in html or "incident" in html
        for marker in [*MARKERS.values(), "NOTE-MARKER-77"]:
            assert marker not in html, (page, marker)
    # Nor anywhere in the stored log.
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM audit_entry")
        dump = str(cur.fetchall())
    for marker in [*MARKERS.values(), "NOTE-MARKER-77"]:
        assert marker not in dump


def test_who_sees_which_entries(
    client: Any, researcher: Any, site_admin: Any, make_user: Any, make_incident: Any
) -> None:
    from returnwatch.accounts.models import Organization

    partner_org = Organization.objects.create(name="Partner A")
    lead_case = make_incident(title="lead case", status="draft")
    partner_case = make_incident(title="partner case", status="draft", organization=partner_org)
    record(researcher, "update", lead_case, fields=["title"], note="lead-note")
    record(researcher, "update", partner_case, fields=["title"], note="partner-note")
    record("mallory", "sign_in_failed", None, note="signin-note")

    verified_login(client, researcher)
    html = client.get("/staff/audit/").content.decode()
    assert "lead-note" in html and "partner-note" in html and "signin-note" not in html

    paula = make_user("paula", "researcher", org="Partner A")
    verified_login(client, paula)
    html = client.get("/staff/audit/").content.decode()
    assert "partner-note" in html and "lead-note" not in html and "signin-note" not in html
    assert client.get(f"/staff/audit/?incident={lead_case.reference}").status_code == 404

    verified_login(client, site_admin)
    html = client.get("/staff/audit/").content.decode()
    assert "signin-note" in html and "lead-note" in html

    client.logout()
    assert client.get("/staff/audit/").status_code == 302
