"""The library in the workspace: who may use it, adding and editing items, lawsuits, history."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from returnwatch.audit import log
from returnwatch.audit.models import Entry
from returnwatch.incidents.models import Document, DocumentKind
from returnwatch.library.models import KeyFiling, LawsuitStatusChange, LibraryItem

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def item(make_item: Any) -> LibraryItem:
    return make_item("Stranded at the border")


@pytest.fixture
def suit(make_item: Any) -> LibraryItem:
    return make_item("Doe v. Secretary", kind="lawsuit", document_kind="court", court="Demo court")


def staff_urls(item: LibraryItem, suit: LibraryItem) -> list[tuple[str, str]]:
    change = LawsuitStatusChange.objects.create(
        item=suit, date=dt.date(2020, 1, 1), status="pending"
    )
    filing = KeyFiling.objects.create(item=suit, document=item.document)
    doc = Document.objects.create(kind=DocumentKind.objects.get(code="news"), title="Cited news")
    return [
        ("get", reverse("staff:library_list")),
        ("get", reverse("staff:library_add")),
        ("get", reverse("staff:library_mark")),
        ("get", reverse("staff:library_mark_document", args=[doc.pk])),
        ("get", reverse("staff:library_detail", args=[item.pk])),
        ("get", reverse("staff:library_edit", args=[item.pk])),
        ("post", reverse("staff:library_status_add", args=[suit.pk])),
        ("post", reverse("staff:library_status_delete", args=[suit.pk, change.pk])),
        ("post", reverse("staff:library_filing_add", args=[suit.pk])),
        ("post", reverse("staff:library_filing_remove", args=[suit.pk, filing.pk])),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client: Client, item: Any, suit: Any) -> None:
    for method, url in staff_urls(item, suit):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/staff/login/?next="), url


def test_users_without_a_role_are_refused(make_user: Any, item: Any, suit: Any) -> None:
    c = client_for(make_user("nobody", ""))
    for method, url in staff_urls(item, suit):
        assert getattr(c, method)(url).status_code == 403, url


def test_researchers_may_use_every_page(researcher: Any, item: Any, suit: Any) -> None:
    c = client_for(researcher)
    for method, url in staff_urls(item, suit):
        response = getattr(c, method)(url)
        # Empty POSTs answer with the form's errors (400) or a redirect; never 403.
        assert response.status_code in (200, 302, 400), url
        if method == "get":
            assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def item_post(**overrides: Any) -> dict[str, Any]:
    data = {
        "kind": "report",
        "title": "Waiting in Danger",
        "title_es": "Esperar en peligro",
        "publisher": "Fictional Rights Watch (demo)",
        "date_published": "2020-01-29",
        "url": "https://example.org/waiting",
        "language": "en",
        "summary": "One year of returns.",
        "summary_es": "Un año de retornos.",
        "programs": [],
        "document_kind": "",
        "slug": "",
        "listed": "on",
    }
    data.update(overrides)
    return data


def test_researcher_adds_a_report_with_an_archived_copy(
    researcher: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    body = b"%PDF-1.4\n% a tiny fictional report\n"
    upload = SimpleUploadedFile("report.pdf", body, content_type="application/pdf")
    from returnwatch.incidents.models import Program

    program = Program.objects.get(code="mpp-2019")
    response = client_for(researcher).post(
        reverse("staff:library_add"), item_post(programs=[program.pk], file=upload)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = LibraryItem.objects.get()
    assert item.slug == "waiting-in-danger" and item.created_by == researcher
    doc = item.document
    assert doc.kind.code == "ngo-report"  # follows the library kind
    assert doc.title == "Waiting in Danger" and item.title_es == "Esperar en peligro"
    assert doc.sha256 == hashlib.sha256(body).hexdigest() and doc.size == len(body)
    assert list(item.programs.values_list("code", flat=True)) == ["mpp-2019"]
    actions = sorted(e.action for e in Entry.objects.exclude(target_type="accounts.user"))
    assert actions == ["create", "library.create"]
    entry = log.history(item).get()
    assert "title_es" in entry.fields and "Esperar" not in entry.note
    public = Client().get("/resources/waiting-in-danger/").content.decode()
    assert doc.sha256 in public


def test_a_lawsuit_starts_its_history_with_its_status(researcher: Any) -> None:
    data = item_post(
        kind="lawsuit",
        title="Doe Families v. Secretary",
        court="District Court (fictional)",
        docket_number="0:19-cv-1",
        parties="Doe Families; Secretary",
        filing_date="2019-02-14",
        lawsuit_status="pending",
    )
    assert client_for(researcher).post(reverse("staff:library_add"), data).status_code == 302
    suit = LibraryItem.objects.get()
    assert suit.document.kind.code == "court" and suit.lawsuit_status == "pending"
    change = suit.status_changes.get()
    assert (change.date, change.status) == (dt.date(2019, 2, 14), "pending")


def test_lawsuit_needs_a_court_and_other_kinds_drop_lawsuit_fields(researcher: Any) -> None:
    c = client_for(researcher)
    response = c.post(reverse("staff:library_add"), item_post(kind="lawsuit"))
    assert response.status_code == 200
    assert "A lawsuit needs its court." in response.content.decode()
    assert not LibraryItem.objects.exists()
    c.post(reverse("staff:library_add"), item_post(court="Should vanish", lawsuit_status="pending"))
    report = LibraryItem.objects.get()
    assert report.court == "" and report.lawsuit_status == "" and not report.status_changes.exists()


def test_status_changes_keep_a_dated_history(researcher: Any, suit: LibraryItem) -> None:
    c = client_for(researcher)
    url = reverse("staff:library_status_add", args=[suit.pk])
    c.post(url, {"date": "2019-04-08", "status": "decided", "note": "Injunction granted."})
    c.post(url, {"date": "2019-02-14", "status": "pending", "note": "Filed."})  # entered late
    suit.refresh_from_db()
    assert suit.lawsuit_status == "decided"  # the latest date wins, not the latest entry
    c.post(url, {"date": "2019-05-07", "status": "appealed", "note": "Appealed."})
    suit.refresh_from_db()
    assert suit.lawsuit_status == "appealed"
    assert [s for s in suit.status_changes.values_list("status", flat=True)] == [
        "pending", "decided", "appealed"
    ]  # fmt: skip
    last = suit.status_changes.get(status="appealed")
    c.post(reverse("staff:library_status_delete", args=[suit.pk, last.pk]))
    suit.refresh_from_db()
    assert suit.lawsuit_status == "decided"
    actions = [e.action for e in log.history(suit)]
    assert actions.count("library.status") == 3 and "library.status_delete" in actions
    bad = c.post(url, {"date": "", "status": "won"})
    assert bad.status_code == 400 and "error" in bad.content.decode()


def test_status_changes_only_for_lawsuits(researcher: Any, item: LibraryItem) -> None:
    url = reverse("staff:library_status_add", args=[item.pk])
    response = client_for(researcher).post(url, {"date": "2020-01-01", "status": "decided"})
    assert response.status_code == 404


def test_key_filings_new_and_existing(
    researcher: Any, suit: LibraryItem, item: LibraryItem, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    c = client_for(researcher)
    url = reverse("staff:library_filing_add", args=[suit.pk])
    upload = SimpleUploadedFile("order.txt", b"ORDER granting relief (fictional)\n")
    c.post(url, {"title": "Order (fictional)", "date_published": "2019-04-08",
                 "url": "https://example.org/order", "file": upload})  # fmt: skip
    c.post(url, {"existing": item.document.pk})
    c.post(url, {"existing": item.document.pk})  # twice: still one link
    titles = [f.document.title for f in suit.key_filings.all()]
    assert titles == ["Order (fictional)", "Stranded at the border"]
    order = suit.key_filings.first().document
    assert order.kind.code == "court" and order.publisher == "Demo court" and order.sha256
    interview = Document.objects.create(kind=DocumentKind.objects.get(code="interview"), title="I")
    refused = c.post(url, {"existing": interview.pk})
    assert refused.status_code == 400 and "never be shown in public" in refused.content.decode()
    assert c.post(url, {}).status_code == 400
    filing = suit.key_filings.last()
    c.post(reverse("staff:library_filing_remove", args=[suit.pk, filing.pk]))
    assert suit.key_filings.count() == 1
    assert Document.objects.filter(pk=item.document.pk).exists()  # the document stays
    public = Client().get(f"/resources/{suit.slug}/").content.decode()
    assert "Order (fictional)" in public and order.sha256 in public


def test_mark_a_cited_document_as_a_library_item(
    researcher: Any, make_incident: Any, make_item: Any
) -> None:
    from returnwatch.incidents.models import Citation

    published, draft = make_incident(), make_incident(status="draft")
    news = Document.objects.create(
        kind=DocumentKind.objects.get(code="government"),
        title="Inspection of a port of entry",
        publisher="Demo Inspector General",
        date_published=dt.date(2020, 6, 1),
        language="en",
    )
    interview = Document.objects.create(kind=DocumentKind.objects.get(code="interview"), title="X")
    for doc in (news, interview):
        Citation.objects.create(incident=published, document=doc)
    Citation.objects.create(incident=draft, document=news)
    c = client_for(researcher)
    listing = c.get(reverse("staff:library_mark")).content.decode()
    assert "Inspection of a port of entry" in listing and ">X<" not in listing

    form = c.get(reverse("staff:library_mark_document", args=[news.pk])).content.decode()
    assert 'value="Inspection of a port of entry"' in form
    assert '<option value="government" selected>' in form  # kind guessed from the document
    data = item_post(kind="investigation", title=news.title, publisher=news.publisher,
                     date_published="2020-06-01", summary="An oversight report.")  # fmt: skip
    response = c.post(reverse("staff:library_mark_document", args=[news.pk]), data)
    assert response.status_code == 302
    item = LibraryItem.objects.get(document=news)
    assert item.kind == "investigation" and Document.objects.filter(title=news.title).count() == 1
    news.refresh_from_db()
    # Cited by a published case: a researcher cannot change the document's details.
    assert news.summary == "" and news.kind.code == "government"
    # Marking again goes to the item; interviews are never offered.
    again = c.get(reverse("staff:library_mark_document", args=[news.pk]))
    assert again.status_code == 302 and again["Location"].endswith(f"/staff/library/{item.pk}/")
    assert c.get(reverse("staff:library_mark_document", args=[interview.pk])).status_code == 404

    detail = c.get(reverse("staff:library_detail", args=[item.pk])).content.decode()
    assert published.reference in detail and draft.reference in detail  # every status
    assert "The public page counts 1 published case." in detail
    assert "Draft: 1" in detail and "Published: 1" in detail


def test_edit_changes_document_and_item_and_records_fields(
    researcher: Any, item: LibraryItem
) -> None:
    c = client_for(researcher)
    url = reverse("staff:library_edit", args=[item.pk])
    form = c.get(url).content.decode()
    assert 'value="Stranded at the border"' in form and 'name="lawsuit_status"' not in form
    data = item_post(title="Stranded at the border (2nd edition)", slug=item.slug,
                     publisher=item.document.publisher, date_published="2020-01-15",
                     url=item.document.url, summary=item.document.summary, title_es="",
                     summary_es="", listed="",
                     programs=list(item.programs.values_list("pk", flat=True)))  # fmt: skip
    assert c.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.document.title == "Stranded at the border (2nd edition)" and not item.listed
    doc_entry = log.history(item.document).get(action="update")
    assert doc_entry.fields == ["title"]
    assert sorted(log.history(item).get(action="library.update").fields) == ["listed"]
    assert Client().get(f"/resources/{item.slug}/").status_code == 404  # now hidden
    # Unchanged form (an empty document kind keeps the kind): no new history.
    c.post(url, data)
    c.post(url, {**data, "document_kind": item.document.kind_id})
    assert log.history(item).filter(action="library.update").count() == 1


def test_slug_must_be_unique_and_is_made_unique(researcher: Any, item: LibraryItem) -> None:
    c = client_for(researcher)
    c.post(reverse("staff:library_add"), item_post(title="Stranded at the border"))
    assert LibraryItem.objects.filter(slug="stranded-at-the-border-2").exists()
    response = c.post(reverse("staff:library_add"), item_post(slug="stranded-at-the-border"))
    assert "Another library item already has this address." in response.content.decode()


def test_workspace_list_counts_all_citing_cases(
    researcher: Any, make_item: Any, make_incident: Any
) -> None:
    make_item("Counted", cited_by=(make_incident(), make_incident(status="draft")))
    make_item("Hidden one", slug="hidden", listed=False)
    html = client_for(researcher).get(reverse("staff:library_list")).content.decode()
    assert "Counted" in html and "Hidden one" in html and "Hidden</strong>" in html
    row = html.split("Counted", 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">2</td>' in row and '<td class="num">1</td>' in row
    found = client_for(researcher).get(reverse("staff:library_list") + "?q=hidden&kind=report")
    assert "Hidden one" in found.content.decode() and "Counted" not in found.content.decode()


def test_details_of_a_document_cited_by_public_cases_are_for_editors(
    researcher: Any, editor: Any, make_item: Any, make_incident: Any
) -> None:
    from conftest import verified_login

    item = make_item("Cited report", cited_by=(make_incident(),))
    url = reverse("staff:library_edit", args=[item.pk])
    data = item_post(title="Changed by a researcher", slug=item.slug, title_es="Informe citado",
                     programs=list(item.programs.values_list("pk", flat=True)))  # fmt: skip
    c = client_for(researcher)
    form = c.get(url).content.decode()
    assert "only editors change them" in form and 'name="file"' not in form
    assert c.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.document.title == "Cited report" and item.title_es == "Informe citado"
    assert not log.history(item.document).exists()

    e = Client()
    verified_login(e, editor)
    assert e.post(url, {**data, "title": "Changed by an editor"}).status_code == 302
    item.refresh_from_db()
    assert item.document.title == "Changed by an editor"
    # Not cited by a public case: researchers edit everything.
    fresh = make_item("Uncited report", slug="uncited", cited_by=(make_incident(status="draft"),))
    fresh_url = reverse("staff:library_edit", args=[fresh.pk])
    c.post(fresh_url, item_post(title="Retitled", slug="uncited", programs=[]))
    fresh.refresh_from_db()
    assert fresh.document.title == "Retitled"


def test_partners_see_counts_and_documents_of_cases_they_may_see(
    make_user: Any, make_item: Any, make_incident: Any
) -> None:
    from returnwatch.accounts.models import Organization
    from returnwatch.incidents.models import Citation

    lead = Organization.objects.get_or_create(name="Lead organization", defaults={"is_lead": True})[
        0
    ]
    partner = make_user("pat", "researcher", org="Partner org")
    other_draft = make_incident(title="Lead draft", status="draft", organization=lead)
    make_item("Report", cited_by=(make_incident(), other_draft))
    secret = Document.objects.create(
        kind=DocumentKind.objects.get(code="news"), title="Lead-only source"
    )
    Citation.objects.create(incident=other_draft, document=secret)
    c = client_for(partner)
    row = c.get(reverse("staff:library_list")).content.decode().split("Report", 1)[1]
    assert '<td class="num">1</td>' in row.split("</tr>", 1)[0]
    assert '<td class="num">2</td>' not in row.split("</tr>", 1)[0]
    assert "Lead-only source" not in c.get(reverse("staff:library_mark")).content.decode()
    detail = c.get(reverse("staff:library_detail", args=[LibraryItem.objects.get().pk]))
    assert "Lead draft" not in detail.content.decode()
