"""Token-authenticated writes: drafts only, roles as in the workspace, everything audited."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from returnwatch.api.models import ApiToken, hash_token
from returnwatch.audit.models import Entry
from returnwatch.incidents.models import Citation, Document, Incident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def auth(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {raw}"}


NEW = {
    "title": "Family kidnapped at the bus station",
    "summary": "Summary for publication.",
    "narrative": "Restricted narrative with a name.",
    "date": "2019-10-03",
    "city": "nuevo-laredo",
    "violence_types": ["kidnapping", "extortion"],
    "nationalities": ["hn"],
    "victims_count": 3,
    "children_count": 1,
}


def test_token_is_stored_only_as_a_hash(researcher):
    token, raw = ApiToken.issue(researcher, "tracker")
    assert raw.startswith("rw_") and len(raw) > 40
    assert token.key_hash == hash_token(raw) and raw not in (token.key_hash, token.prefix)
    assert not ApiToken.objects.filter(key_hash=raw).exists()


def test_anonymous_and_bad_tokens_cannot_write(client, researcher):
    assert client.post("/api/v1/incidents/", NEW, content_type="application/json").status_code in (
        401,
        403,
    )
    bad = client.post(
        "/api/v1/incidents/", NEW, content_type="application/json", **auth("rw_nonsense")
    )
    assert bad.status_code == 401
    token, raw = ApiToken.issue(researcher, "tracker")
    token.revoke()
    revoked = client.post("/api/v1/incidents/", NEW, content_type="application/json", **auth(raw))
    assert revoked.status_code == 401
    assert Incident.objects.count() == 0


def test_users_without_a_role_cannot_write(client, make_user):
    nobody = make_user("nobody", "")
    _token, raw = ApiToken.issue(nobody, "x")
    response = client.post("/api/v1/incidents/", NEW, content_type="application/json", **auth(raw))
    assert response.status_code == 403


def test_researcher_creates_a_draft_and_it_is_audited(client, researcher):
    _token, raw = ApiToken.issue(researcher, "tracker")
    response = client.post(
        "/api/v1/incidents/",
        {**NEW, "status": "published"},
        content_type="application/json",
        **auth(raw),
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    incident = Incident.objects.get(reference=data["reference"])
    assert incident.status == "draft"  # the status cannot be written
    assert incident.created_by == researcher and incident.organization == researcher.organization
    assert sorted(incident.violence_types.values_list("code", flat=True)) == [
        "extortion",
        "kidnapping",
    ]
    entry = Entry.objects.filter(action="create", target_id=str(incident.pk)).get()
    assert entry.actor == researcher and "narrative" in entry.fields
    assert "Restricted narrative" not in str(entry.fields) + entry.note
    # Not public until an editor publishes it in the workspace.
    assert client.get(f"/api/v1/incidents/{incident.reference}/").status_code == 404


def test_validation_errors_are_400_not_500(client, researcher):
    _token, raw = ApiToken.issue(researcher, "tracker")
    for bad in (
        {**NEW, "city": "atlantis"},
        {**NEW, "children_count": 9},
        {**NEW, "date": "2999-01-01"},
        {"summary": "no title"},
    ):
        response = client.post(
            "/api/v1/incidents/", bad, content_type="application/json", **auth(raw)
        )
        assert response.status_code == 400, bad


def test_researcher_updates_drafts_but_not_public_records(client, researcher, make_incident):
    _token, raw = ApiToken.issue(researcher, "tracker")
    draft = make_incident(status="draft", organization=researcher.organization)
    response = client.patch(
        f"/api/v1/incidents/{draft.reference}/",
        {"title": "New title", "status": "published"},
        content_type="application/json",
        **auth(raw),
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.title == "New title" and draft.status == "draft"
    assert Entry.objects.filter(action="update", target_id=str(draft.pk), fields=["title"]).exists()
    published = make_incident(status="published")
    response = client.patch(
        f"/api/v1/incidents/{published.reference}/",
        {"title": "Changed"},
        content_type="application/json",
        **auth(raw),
    )
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.title != "Changed"


def test_an_editors_token_cannot_change_public_records_either(client, editor, make_incident):
    """Changing what the public sees needs a second factor, which a token never carries."""
    _token, raw = ApiToken.issue(editor, "tracker")
    published = make_incident(status="published")
    response = client.patch(
        f"/api/v1/incidents/{published.reference}/",
        {"title": "Changed"},
        content_type="application/json",
        **auth(raw),
    )
    assert response.status_code == 403


def test_partners_only_reach_their_own_organizations_drafts(client, make_user, make_incident):
    partner = make_user("pat", "researcher", org="Partner org")
    _token, raw = ApiToken.issue(partner, "tracker")
    lead_draft = make_incident(status="draft")
    response = client.patch(
        f"/api/v1/incidents/{lead_draft.reference}/",
        {"title": "Changed"},
        content_type="application/json",
        **auth(raw),
    )
    assert response.status_code == 404


def test_documents_and_citations_through_the_api(client, researcher, make_incident):
    _token, raw = ApiToken.issue(researcher, "tracker")
    draft = make_incident(status="draft")
    response = client.post(
        "/api/v1/documents/",
        {"kind": "news", "title": "Local news", "url": "https://example.org/n/1"},
        content_type="application/json",
        **auth(raw),
    )
    assert response.status_code == 201
    document_id = response.json()["id"]
    response = client.post(
        f"/api/v1/incidents/{draft.reference}/citations/",
        {"document": document_id, "passage": "para. 4", "reliability": "high"},
        content_type="application/json",
        **auth(raw),
    )
    assert response.status_code == 201
    assert Citation.objects.filter(incident=draft, document_id=document_id).exists()
    again = client.post(
        f"/api/v1/incidents/{draft.reference}/citations/",
        {"document": document_id},
        content_type="application/json",
        **auth(raw),
    )
    assert again.status_code == 400
    published = make_incident(status="published")
    denied = client.post(
        f"/api/v1/incidents/{published.reference}/citations/",
        {"document": document_id},
        content_type="application/json",
        **auth(raw),
    )
    assert denied.status_code == 403
    assert Entry.objects.filter(target_type="incidents.document", action="create").exists()
    assert Document.objects.get(pk=document_id).created_by == researcher


def test_token_pages_make_show_once_and_revoke(client, researcher, make_user):
    client.force_login(researcher)
    response = client.post("/staff/data/tokens/", {"name": "partner tracker"})
    html = response.content.decode()
    token = ApiToken.objects.get(user=researcher)
    raw = html.split('<code class="secret">')[1].split("</code>")[0]
    assert hash_token(raw) == token.key_hash
    assert raw not in client.get("/staff/data/tokens/").content.decode()  # shown once only
    other = make_user("otto", "researcher")
    other_token, _raw = ApiToken.issue(other, "theirs")
    # Another user's token answers like one that does not exist.
    assert client.post(f"/staff/data/tokens/{other_token.pk}/revoke/").status_code == 404
    client.post(f"/staff/data/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Entry.objects.filter(action="revoke", target_type="api.apitoken").exists()
    client.logout()
    assert client.get("/staff/data/tokens/").status_code == 302
