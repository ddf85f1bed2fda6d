"""The attacks a coalition's partners could make on each other, each through the real HTTP
paths (test client, token authentication for the API). The rules: returnwatch/access.py."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conftest import verified_login
from returnwatch import access
from returnwatch.accounts.models import User
from returnwatch.audit.tests.helpers import download_bundle
from returnwatch.imports.models import ImportBatch
from returnwatch.incidents.models import Citation, Document, Incident
from returnwatch.intake.models import Tip
from returnwatch.tests import isolation_world
from returnwatch.tests.test_partner_isolation import named_patterns

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    return isolation_world.build()


def signed_in(user: Any, verified: bool = False) -> Client:
    client = Client()
    if verified:
        verified_login(client, user)
    else:
        client.force_login(user)
    return client


def token(org: Any) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Token {org.token}"}


def test_api_will_not_cite_another_organizations_interview(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from huey.contrib.djhuey import HUEY

    a, lead = world["a"], world["lead"]
    url = f"/api/v1/incidents/{a['draft'].reference}/citations/"
    response = Client().post(
        url, {"document": lead["interview"].pk}, content_type="application/json", **token(a)
    )
    assert response.status_code == 400 and "document" in response.json()
    # The same answer as for a document that does not exist.
    missing = Client().post(url, {"document": 10**9}, content_type="application/json", **token(a))
    assert missing.json()["document"][0].replace(str(10**9), "N") == response.json()["document"][
        0
    ].replace(str(lead["interview"].pk), "N")
    assert not Citation.objects.filter(incident=a["draft"], document=lead["interview"]).exists()
    # And so the file and the evidence bundle stay closed to the partner.
    client = signed_in(a.researcher)
    assert client.get(f"/staff/documents/{lead['interview'].pk}/file/").status_code == 404
    was, HUEY.immediate = HUEY.immediate, True  # the worker's job runs where it is queued
    try:
        bundle = download_bundle(client, a["draft"], django_capture_on_commit_callbacks)
    finally:
        HUEY.immediate = was
    names = zipfile.ZipFile(io.BytesIO(b"".join(bundle.streaming_content))).namelist()
    assert not any(lead["interview"].sha256[:16] in n for n in names)
    assert any(a["interview"].sha256[:16] in n for n in names)  # their own interview is in it


def test_import_does_not_take_another_organizations_document_by_its_address(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from huey.contrib.djhuey import HUEY

    a, lead = world["a"], world["lead"]
    client = signed_in(a.researcher)
    csv = f"Title,Date,City,Source\nNew case,2025-03-01,Reynosa,{lead['interview'].url}\n"
    was, HUEY.immediate = HUEY.immediate, True  # the worker's job runs where it is queued
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/data/import/", {"file": SimpleUploadedFile("cases.csv", csv.encode())}
        )
    review = response["Location"]
    form = client.get(review).context["form"]
    data = {f.html_name: f.value() or "" for f in form}
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(review, {**data, "action": "apply"})
    HUEY.immediate = was
    assert done.status_code == 302, done.content.decode()[-2000:]
    created = Incident.objects.get(title="New case")
    cited = created.citations.get().document
    assert cited != lead["interview"] and cited.created_by == a.researcher
    assert ImportBatch.objects.filter(created_by=a.researcher, state="applied").exists()


def test_partner_editor_cannot_merge_the_leads_published_case(world: dict[str, Any]) -> None:
    a, lead = world["a"], world["lead"]
    client = signed_in(a.editor, verified=True)
    url = reverse("staff:incident_merge", args=[lead["published"].reference])
    assert client.post(url, {"into": a["draft"].reference}).status_code == 403
    # Merging their own draft into the lead's record changes the lead's record: refused too.
    own = reverse("staff:incident_merge", args=[a["review"].reference])
    client.post(own, {"into": lead["published"].reference})
    lead["published"].refresh_from_db()
    a["review"].refresh_from_db()
    assert a["review"].merged_into is None
    assert Client().get(f"/incidents/{lead['published'].reference}/").status_code == 200


def test_merge_into_another_partners_hidden_draft_is_like_no_such_record(
    world: dict[str, Any],
) -> None:
    a, b = world["a"], world["b"]
    client = signed_in(a.editor, verified=True)
    url = reverse("staff:incident_merge", args=[a["draft"].reference])
    hidden = client.post(url, {"into": b["draft"].reference}, follow=True).content.decode()
    missing = client.post(url, {"into": "RW-1999-99999"}, follow=True).content.decode()
    assert f"There is no record {b['draft'].reference}" in hidden
    assert "There is no record RW-1999-99999" in missing
    a["draft"].refresh_from_db()
    assert a["draft"].merged_into is None


def test_a_published_record_merges_only_into_a_published_one(world: dict[str, Any]) -> None:
    lead = world["lead"]
    client = signed_in(lead.editor, verified=True)
    url = reverse("staff:incident_merge", args=[lead["published"].reference])
    page = client.post(url, {"into": lead["draft"].reference}, follow=True).content.decode()
    assert "merge a published record only into a published one" in page
    assert Client().get(f"/incidents/{lead['published'].reference}/").status_code == 200


def test_undoing_a_merge_removes_the_citations_it_copied(world: dict[str, Any]) -> None:
    lead = world["lead"]
    client = signed_in(lead.editor, verified=True)
    dup, target = lead["draft"], lead["review"]
    before = set(target.citations.values_list("document_id", flat=True))
    client.post(reverse("staff:incident_merge", args=[dup.reference]), {"into": target.reference})
    assert set(target.citations.values_list("document_id", flat=True)) > before
    client.post(reverse("staff:incident_merge", args=[dup.reference]), {"undo": "1"})
    assert set(target.citations.values_list("document_id", flat=True)) == before
    assert dup.citations.count() == 2  # the duplicate keeps its own


def test_researcher_without_organization_searches_public_words_only(
    world: dict[str, Any],
) -> None:
    loner = User.objects.create_user("loner", password="x", role="researcher")
    Incident.objects.filter(pk=world["lead"]["published"].pk).update(organization=None)
    client = signed_in(loner)
    narrative_word = "zzuniqueleadpublished"
    assert narrative_word in world["lead"]["published"].narrative
    found = client.get("/staff/", {"q": narrative_word}).context["page"]
    assert list(found) == []
    title_word = "SECRET-LEAD-published"
    found = client.get("/staff/", {"q": title_word}).context["page"]
    assert [i.reference for i in found] == [world["lead"]["published"].reference]
    # And they create nothing that nobody would hold.
    assert client.get("/staff/incidents/new/").status_code == 403


def test_partner_cannot_use_the_leads_library(world: dict[str, Any]) -> None:
    a, lead = world["a"], world["lead"]
    client = signed_in(a.editor, verified=True)
    # A public-kind document cited only by the lead's draft: seen, but not theirs to publish.
    mark = reverse("staff:library_mark_document", args=[lead["news"].pk])
    assert client.post(mark, {"kind": "news", "title": "x", "listed": "on"}).status_code == 403
    item = lead["item"]
    edit = reverse("staff:library_edit", args=[item.pk])
    assert client.post(edit, {"kind": "lawsuit", "court": "x", "listed": "on"}).status_code == 403
    item.refresh_from_db()
    assert not item.listed
    assert Client().get(f"/resources/{item.slug}/").status_code == 404


def test_partner_cannot_change_the_leads_documents(world: dict[str, Any]) -> None:
    a, lead = world["a"], world["lead"]
    Citation.objects.create(incident=lead["published"], document=lead["news"])
    editor = signed_in(a.editor, verified=True)
    url = reverse("staff:document_edit", args=[lead["news"].pk])
    data = {"kind": "news", "title": lead["news"].title, "url": "https://example.org/evil"}
    assert editor.post(url, data).status_code == 403
    researcher = signed_in(a.researcher)
    assert researcher.post(url, {**data, "kind": "interview"}).status_code == 403
    lead["news"].refresh_from_db()
    assert lead["news"].url != "https://example.org/evil" and lead["news"].kind.code == "news"


def test_public_document_filter_only_takes_documents_the_public_sees(
    world: dict[str, Any],
) -> None:
    lead = world["lead"]
    Citation.objects.create(incident=lead["published"], document=lead["interview"])
    hidden = Client().get("/incidents/", {"document": lead["interview"].pk}).content.decode()
    missing = Client().get("/incidents/", {"document": 10**9}).content.decode()
    assert "is not a public document and was ignored" in hidden
    assert "is not a public document and was ignored" in missing
    report = Client().get("/incidents/", {"document": lead["report"].pk}).content.decode()
    assert "is not a public document" not in report and lead["published"].title in report


def test_duplicate_scores_read_no_other_organizations_narrative(world: dict[str, Any]) -> None:
    a, lead = world["a"], world["lead"]
    # A tip assigned to the partner that repeats the lead's restricted narrative word for word.
    Tip.objects.filter(pk=a["tip"].pk).update(narrative=lead["draft"].narrative)
    Incident.objects.filter(pk=lead["draft"].pk).update(status="published")
    page = signed_in(a.researcher).get(reverse("staff:tip_detail", args=[a["tip"].pk]))
    scores = {m.obj.pk: m for m in page.context["duplicates"] if m.kind == "incident"}
    lead_page = signed_in(lead.researcher).get(reverse("staff:tip_detail", args=[a["tip"].pk]))
    lead_scores = {m.obj.pk: m for m in lead_page.context["duplicates"] if m.kind == "incident"}
    # The lead, who may read the narrative, sees the wording match; the partner does not.
    lead_score = lead_scores[lead["draft"].pk].score
    partner_score = scores[lead["draft"].pk].score if lead["draft"].pk in scores else 0
    assert partner_score < lead_score
    # Other organizations' tips are never candidates, though they would match (the lead's
    # candidates, without incidents to outrank them, show it).
    from returnwatch import access
    from returnwatch.intake.duplicates import find_duplicates

    assert not [m for m in page.context["duplicates"] if m.kind == "tip"]
    for user, expected in ((lead.researcher, True), (a.researcher, False)):
        found = find_duplicates(a["tip"], Incident.objects.none(), tips=access.visible_tips(user))
        assert bool(found) is expected


def test_partner_cannot_link_a_tip_to_another_organizations_record(
    world: dict[str, Any],
) -> None:
    a, lead = world["a"], world["lead"]
    client = signed_in(a.researcher)
    url = reverse("staff:tip_link_incident", args=[a["tip"].pk])
    page = client.post(url, {"reference": lead["published"].reference}, follow=True)
    assert "is not a record you may change" in page.content.decode()
    a["tip"].refresh_from_db()
    assert a["tip"].incident is None
    assert not lead["published"].citations.filter(document__kind__code="tip").exists()


def test_partners_do_not_see_the_withdrawn_content_of_retracted_cases(
    world: dict[str, Any],
) -> None:
    a, lead = world["a"], world["lead"]
    client = signed_in(a.researcher)
    retracted = lead["retracted"]
    assert (
        client.get(reverse("staff:incident_detail", args=[retracted.reference])).status_code == 404
    )
    assert retracted.summary not in client.get("/staff/", {"q": "SECRET"}).content.decode()
    # Its public page says it was retracted, as for everyone.
    assert Client().get(f"/incidents/{retracted.reference}/").status_code == 200


def test_every_staff_address_is_never_cached(world: dict[str, Any]) -> None:
    lead = world["lead"]
    admin = User.objects.create_superuser("root", "root@example.org", "x")
    client = signed_in(admin, verified=True)
    kwargs = {
        "reference": lead["draft"].reference,
        "pk": lead["tip"].pk,
        "document_id": lead["news"].pk,
        "change_id": lead["status_change"].pk,
        "filing_id": lead["filing"].pk,
        "kind": "screenshot",
        "other": lead["capture"].pk,
        "name": "summary",  # a table of the case-handling statistics
    }
    for name, pattern in named_patterns(("staff",)):
        wanted = {
            k: v
            for k, v in kwargs.items()
            if f"<{k}>" in str(pattern.pattern) or f":{k}>" in str(pattern.pattern)
        }
        url = reverse(name, kwargs=wanted)
        response = client.get(url)
        assert "no-store" in response.get("Cache-Control", ""), (url, response.status_code)
        assert "Cookie" in response.get("Vary", ""), url
    for url in ("/admin/", "/staff/login/"):
        assert "no-store" in Client().get(url).get("Cache-Control", ""), url
    # The API: personal answers are not kept; public ones may be.
    api = Client().get("/api/v1/incidents/", **token(lead))
    assert "no-store" in api["Cache-Control"]
    assert "no-store" not in Client().get("/api/v1/incidents/").get("Cache-Control", "")


def test_tip_pages_are_never_cached(world: dict[str, Any]) -> None:
    lead = world["lead"]
    client = signed_in(lead.researcher)
    for url in ("/staff/tips/", f"/staff/tips/{lead['tip'].pk}/"):
        response = client.get(url)
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert lead["tip"].narrative in client.get(f"/staff/tips/{lead['tip'].pk}/").content.decode()


def test_documents_partners_see(world: dict[str, Any]) -> None:
    from returnwatch import access

    a = world["a"]
    seen = set(access.visible_documents(a.researcher).values_list("pk", flat=True))
    assert seen == set(Document.objects.filter(kind__public=True).values_list("pk", flat=True)) | {
        a["interview"].pk
    }


def test_the_list_rule_answers_as_the_one_record_rule_does(world: dict[str, Any]) -> None:
    """`may_each` (lists, bulk changes) is `may` asked of every record at once."""
    incidents = [
        o[s] for o in world.values() for s in ("draft", "review", "published", "retracted")
    ]
    for org in world.values():
        for user in (org.researcher, org.editor):
            for verified in (False, True):
                for action in sorted(access.INCIDENT_ACTIONS):
                    one_by_one = {
                        i.pk for i in incidents if access.may(user, action, i, verified=verified)
                    }
                    assert access.may_each(user, action, incidents, verified=verified) == one_by_one
