"""Archived files for audit tests, stored the way the workspace stores them (named by hash)."""

import hashlib
import re
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from returnwatch.audit.log import record
from returnwatch.incidents.models import Citation, Document, DocumentKind, archive_path


def archived_document(
    content: bytes, user: Any = None, title: str = "Report", kind: str = "", url: str = ""
) -> Document:
    kinds = DocumentKind.objects.all()
    doc = Document(
        kind=kinds.get(code=kind) if kind else kinds.filter(public=True).first(),
        title=title,
        url=url or "https://news.example.org/story",
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        media_type="text/plain",
        original_filename="story.txt",
        captured_at=timezone.now(),
        captured_by=user,
    )
    name = archive_path(doc, "story.txt")
    if not default_storage.exists(name):
        default_storage.save(name, ContentFile(content))
    doc.file.name = name
    doc.save()
    record(user or "test", "create", doc, fields=["title", "file"])
    return doc


def cite(incident: Any, doc: Document, user: Any = None) -> Citation:
    citation = Citation.objects.create(incident=incident, document=doc, passage="p. 2")
    record(user or "test", "create", citation, fields=["document"], about=incident)
    return citation


DOWNLOAD = re.compile(r'href="([^"]+/evidence/\d+/evidence\.zip)"')


def prepare_bundle(client: Any, incident: Any, capture: Any) -> str:
    """Click "Prepare the evidence bundle" on the incident's change history (the task runs
    when the request commits, huey in memory): the job page's address."""
    page = client.get(f"/staff/audit/?incident={incident.reference}").content.decode()
    action = re.search(r'<form method="post" action="([^"]+)" class="inline bundle-prepare"', page)
    assert action, "no Prepare button"
    with capture(execute=True):
        response = client.post(action.group(1))
    assert response.status_code == 302
    return str(response["Location"])


def download_bundle(client: Any, incident: Any, capture: Any) -> Any:
    """Prepare the bundle, open its page and follow its Download button: the response."""
    page = client.get(prepare_bundle(client, incident, capture))
    assert page.status_code == 200
    link = DOWNLOAD.search(page.content.decode())
    assert link, page.content.decode()[-2000:]
    return client.get(link.group(1))
