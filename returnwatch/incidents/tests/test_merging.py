"""Editors merge duplicate records; the duplicate leaves public lists and redirects."""

import pytest

from returnwatch.audit.models import Entry
from returnwatch.incidents.models import Citation, Document, DocumentKind, Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(make_incident):
    record = make_incident(title="The record")
    duplicate = make_incident(title="The same attack, reported twice")
    news = DocumentKind.objects.get(code="news")
    for incident, url in ((record, "https://example.org/a"), (duplicate, "https://example.org/b")):
        doc = Document.objects.create(kind=news, title=url, url=url)
        Citation.objects.create(incident=incident, document=doc, excerpt="excerpt")
    return record, duplicate


def test_editor_merges_a_duplicate_into_a_record(client, verified_editor, pair):
    record, duplicate = pair
    response = client.post(
        f"/staff/incidents/{duplicate.reference}/merge/", {"into": record.reference.lower()}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == record
    # Its source now backs the record too.
    assert set(record.citations.values_list("document__url", flat=True)) == {
        "https://example.org/a",
        "https://example.org/b",
    }
    # Public: gone from the list, the address leads to the record.
    listed = {i.reference for i in client.get("/incidents/").context["results"]}
    assert duplicate.reference not in listed and record.reference in listed
    redirect = client.get(f"/incidents/{duplicate.reference}/")
    assert redirect.status_code == 301 and redirect["Location"].endswith(
        f"/incidents/{record.reference}/"
    )
    actions = set(Entry.objects.filter(action="merge").values_list("target_id", flat=True))
    assert actions == {str(duplicate.pk), str(record.pk)}


def test_undo_puts_the_duplicate_back(client, verified_editor, pair):
    record, duplicate = pair
    client.post(f"/staff/incidents/{duplicate.reference}/merge/", {"into": record.reference})
    client.post(f"/staff/incidents/{duplicate.reference}/merge/", {"undo": "1"})
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert client.get(f"/incidents/{duplicate.reference}/").status_code == 200
    assert Entry.objects.filter(action="unmerge", target_id=str(duplicate.pk)).exists()


def test_no_chains_no_self_and_unknown_references_are_refused(
    client, verified_editor, pair, make_incident
):
    record, duplicate = pair
    third = make_incident(title="Third report")
    client.post(f"/staff/incidents/{third.reference}/merge/", {"into": duplicate.reference})
    client.post(f"/staff/incidents/{duplicate.reference}/merge/", {"into": record.reference})
    third.refresh_from_db()
    assert third.merged_into == record  # followed the duplicate: no chain
    page = client.post(
        f"/staff/incidents/{record.reference}/merge/", {"into": record.reference}, follow=True
    )
    assert "cannot be merged into itself" in page.content.decode()
    page = client.post(
        f"/staff/incidents/{record.reference}/merge/", {"into": "RW-1999-00001"}, follow=True
    )
    assert "There is no record RW-1999-00001" in page.content.decode()
    page = client.post(
        f"/staff/incidents/{record.reference}/merge/", {"into": duplicate.reference}, follow=True
    )
    assert "is itself merged into" in page.content.decode()
    record.refresh_from_db()
    assert record.merged_into is None


def test_researchers_cannot_merge(client, researcher, pair):
    record, duplicate = pair
    client.force_login(researcher)
    response = client.post(
        f"/staff/incidents/{duplicate.reference}/merge/", {"into": record.reference}
    )
    assert response.status_code == 403
    assert Incident.objects.get(pk=duplicate.pk).merged_into is None
    assert (
        "Merge it into"
        not in client.get(f"/staff/incidents/{duplicate.reference}/").content.decode()
    )
