"""Documents with archived files (hash, size, type from content; never overwritten) and sources."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from returnwatch.audit import log
from returnwatch.incidents import files
from returnwatch.incidents.models import Citation, Document, DocumentKind

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 64


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def rc(researcher: Any) -> Client:
    c = Client()
    c.force_login(researcher)
    return c


def news_kind() -> int:
    return DocumentKind.objects.get(code="news").pk


def doc_post(**extra: Any) -> dict[str, Any]:
    data = {
        "kind": news_kind(),
        "title": "Kidnappings rise in Nuevo Laredo",
        "publisher": "Example Daily",
        "url": "https://example.org/news/1",
        "date_published": "2019-11-12",
        "language": "es",
        "summary": "Report on kidnappings of returned asylum seekers.",
    }
    data.update(extra)
    return data


# ---------------------------------------------------------------------------- detection


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32, "image/jpeg"),
        (b"  <!DOCTYPE html><html><body>Hola</body></html>", "text/html"),
        ("Declaración jurada: el secuestro ocurrió…".encode(), "text/plain"),
        (
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
            "application/x-msdownload",
        ),
        (b"\x00\x01\x02\x03binary", "application/octet-stream"),
    ],
)
def test_media_type_is_read_from_content(content: bytes, expected: str) -> None:
    assert files.detect_media_type(content[:8192]) == expected


# ---------------------------------------------------------------------------- upload


def test_upload_records_hash_size_type_and_stores_by_hash(
    rc: Client, researcher: Any, media: Any
) -> None:
    upload = SimpleUploadedFile("report.txt", PDF, content_type="text/plain")  # the name lies
    response = rc.post(reverse("staff:document_create"), doc_post(file=upload))
    assert response.status_code == 302
    doc = Document.objects.get()
    digest = hashlib.sha256(PDF).hexdigest()
    assert doc.sha256 == digest
    assert doc.size == len(PDF)
    assert doc.media_type == "application/pdf"
    assert doc.original_filename == "report.txt"
    assert doc.captured_by == researcher and doc.captured_at is not None
    assert doc.file.name == f"archive/{digest[:2]}/{digest}"
    path = media / "archive" / digest[:2] / digest
    assert path.read_bytes() == PDF
    assert not os.access(path, os.W_OK) or os.geteuid() == 0  # read-only (root ignores modes)
    assert oct(path.stat().st_mode & 0o777) == "0o444"
    assert files.verify(doc)
    entry = log.history(doc).get()
    assert {"sha256", "size", "media_type", "title"} <= set(entry.fields)

    download = rc.get(reverse("staff:document_file", args=[doc.pk]))
    assert download.status_code == 200
    assert download.getvalue() == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]


def test_too_large_file_is_refused_and_form_kept(rc: Client, settings: Any) -> None:
    settings.DOCUMENT_MAX_BYTES = 1000
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 2000)
    response = rc.post(reverse("staff:document_create"), doc_post(file=upload))
    assert response.status_code == 200
    html = response.content.decode()
    assert "the largest file that can be archived is 1000 bytes" in html
    assert 'value="Kidnappings rise in Nuevo Laredo"' in html
    assert 'value="https://example.org/news/1"' in html
    assert response.context["form"].errors.keys() == {"file"}
    assert Document.objects.count() == 0


def test_wrong_type_is_refused_and_form_kept(rc: Client) -> None:
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
    upload = SimpleUploadedFile("statement.pdf", exe, content_type="application/pdf")
    response = rc.post(reverse("staff:document_create"), doc_post(file=upload))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Files of type application/x-msdownload cannot be archived." in html
    assert "Report on kidnappings of returned asylum seekers." in html
    assert Document.objects.count() == 0


def test_same_file_twice_is_refused_and_never_overwritten(rc: Client, media: Any) -> None:
    rc.post(reverse("staff:document_create"), doc_post(file=SimpleUploadedFile("a.pdf", PDF)))
    first = Document.objects.get()
    path = media / first.file.name
    mtime = path.stat().st_mtime_ns
    response = rc.post(
        reverse("staff:document_create"),
        doc_post(title="Same bytes again", file=SimpleUploadedFile("b.pdf", PDF)),
    )
    assert response.status_code == 200
    assert "This file is already archived as document" in response.content.decode()
    assert Document.objects.count() == 1
    assert path.stat().st_mtime_ns == mtime


def test_existing_file_on_disk_is_not_rewritten(researcher: Any, media: Any) -> None:
    """Even if a file with that hash is there already (e.g. a document was deleted)."""
    digest = hashlib.sha256(PNG).hexdigest()
    path = media / "archive" / digest[:2] / digest
    path.parent.mkdir(parents=True)
    path.write_bytes(PNG)
    mtime = path.stat().st_mtime_ns
    doc = Document(kind_id=news_kind(), title="x")
    upload = SimpleUploadedFile("x.png", PNG)
    files.attach(doc, upload, files.inspect(upload), researcher)
    assert doc.file.name == f"archive/{digest[:2]}/{digest}"
    assert path.stat().st_mtime_ns == mtime
    assert sorted(os.listdir(path.parent)) == [digest]


def test_a_document_file_is_never_replaced(researcher: Any) -> None:
    doc = Document(kind_id=news_kind(), title="x")
    upload = SimpleUploadedFile("x.pdf", PDF)
    files.attach(doc, upload, files.inspect(upload), researcher)
    other = SimpleUploadedFile("y.png", PNG)
    with pytest.raises(files.FileRefused):
        files.attach(doc, other, files.inspect(other), researcher)


def test_editing_metadata_never_touches_the_file(rc: Client, media: Any) -> None:
    rc.post(reverse("staff:document_create"), doc_post(file=SimpleUploadedFile("a.pdf", PDF)))
    doc = Document.objects.get()
    before = (doc.file.name, doc.sha256, doc.size, doc.media_type)
    form = rc.get(reverse("staff:document_edit", args=[doc.pk]))
    assert 'type="file"' not in form.content.decode()
    # Even a file sent along with the edit is ignored.
    response = rc.post(
        reverse("staff:document_edit", args=[doc.pk]),
        doc_post(title="Corrected title", file=SimpleUploadedFile("evil.png", PNG)),
    )
    assert response.status_code == 302
    doc.refresh_from_db()
    assert doc.title == "Corrected title"
    assert (doc.file.name, doc.sha256, doc.size, doc.media_type) == before
    assert (media / doc.file.name).read_bytes() == PDF
    entry = log.history(doc).order_by("-id").first()
    assert entry.action == "update" and entry.fields == ["title"]


# ---------------------------------------------------------------------------- sources


def test_new_document_from_an_incident_is_cited_in_one_step(rc: Client, make_incident: Any) -> None:
    incident = make_incident(status="draft")
    data = doc_post(
        incident=incident.reference,
        **{
            "citation-passage": "p. 4",
            "citation-excerpt": "Fue secuestrada",
            "citation-reliability": "high",
        },
    )
    response = rc.post(reverse("staff:document_create") + f"?incident={incident.reference}", data)
    assert response.status_code == 302
    citation = Citation.objects.get()
    assert citation.incident == incident and citation.passage == "p. 4"
    assert citation.reliability == "high"
    actions = [(e.action, e.target_type) for e in log.history(incident)]
    assert actions == [("create", "incidents.document"), ("create", "incidents.citation")]


def test_citation_errors_keep_the_document_form(rc: Client, make_incident: Any) -> None:
    incident = make_incident(status="draft")
    data = doc_post(incident=incident.reference, **{"citation-reliability": "certain"})
    response = rc.post(reverse("staff:document_create"), data)
    assert response.status_code == 200
    assert "citation-reliability" in response.content.decode()
    assert response.context["citation_form"].errors
    assert Document.objects.count() == 0 and Citation.objects.count() == 0


def test_cite_existing_edit_and_remove(rc: Client, make_incident: Any) -> None:
    incident = make_incident(status="draft")
    doc = Document.objects.create(kind_id=news_kind(), title="Findable report about Matamoros")
    Document.objects.create(kind_id=news_kind(), title="Other report")
    url = reverse("staff:citation_add", args=[incident.reference])
    page = rc.get(url, {"dq": "matamoros"})
    assert [d.pk for d in page.context["candidates"]] == [doc.pk]

    missing = rc.post(url, {"passage": "p. 1", "reliability": "medium"})
    assert missing.status_code == 200
    assert "Choose the document to cite." in missing.content.decode()
    assert 'value="p. 1"' in missing.content.decode()

    response = rc.post(
        url, {"document": doc.pk, "passage": "p. 9", "excerpt": "quote", "reliability": "low"}
    )
    assert response.status_code == 302
    citation = Citation.objects.get()
    # Cited already: no longer offered, and refused if posted again.
    assert doc not in rc.get(url).context["candidates"]
    again = rc.post(url, {"document": doc.pk, "reliability": "low"})
    assert again.status_code == 200 and Citation.objects.count() == 1

    edit = reverse("staff:citation_edit", args=[incident.reference, citation.pk])
    rc.post(edit, {"passage": "p. 10", "excerpt": "quote", "reliability": "low"})
    citation.refresh_from_db()
    assert citation.passage == "p. 10"

    remove = reverse("staff:citation_delete", args=[incident.reference, citation.pk])
    assert rc.get(remove).status_code == 200
    assert rc.post(remove).status_code == 302
    assert not Citation.objects.exists()
    assert Document.objects.filter(pk=doc.pk).exists()  # the document itself stays
    history = [(e.action, e.target_type, e.fields) for e in log.history(incident)]
    assert history == [
        ("create", "incidents.citation", ["document", "excerpt", "passage", "reliability"]),
        ("update", "incidents.citation", ["passage"]),
        ("delete", "incidents.citation", []),
    ]


def test_incident_history_includes_changes_to_its_documents(rc: Client, make_incident: Any) -> None:
    incident = make_incident(status="draft")
    doc = Document.objects.create(kind_id=news_kind(), title="Original title")
    Citation.objects.create(incident=incident, document=doc)
    rc.post(reverse("staff:document_edit", args=[doc.pk]), doc_post(title="Better title"))
    page = rc.get(reverse("staff:incident_detail", args=[incident.reference]))
    history = [row["entry"] for row in page.context["history"]]
    assert [(e.action, e.target_type) for e in history] == [("update", "incidents.document")]


def test_document_cited_by_a_public_record_is_edited_by_editors_only(
    rc: Client, make_incident: Any
) -> None:
    incident = make_incident(status="published")
    doc = Document.objects.create(kind_id=news_kind(), title="Public source")
    Citation.objects.create(incident=incident, document=doc)
    assert rc.get(reverse("staff:document_edit", args=[doc.pk])).status_code == 403
    assert rc.get(reverse("staff:document_detail", args=[doc.pk])).status_code == 200


def test_document_list_search_and_missing_file(rc: Client) -> None:
    doc = Document.objects.create(kind_id=news_kind(), title="Searchable title", publisher="ACME")
    Document.objects.create(kind_id=news_kind(), title="Nothing")
    page = rc.get(reverse("staff:document_list"), {"q": "acme"})
    assert [d.pk for d in page.context["page"].object_list] == [doc.pk]
    assert rc.get(reverse("staff:document_file", args=[doc.pk])).status_code == 404
    assert rc.get(reverse("staff:document_detail", args=[999999])).status_code == 404
