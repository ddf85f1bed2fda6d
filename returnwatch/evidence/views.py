"""Workspace views for web captures (/staff/…): request one, follow it, look at what it kept,
replay the archived page, compare two captures.

Every view finds its document or capture through `_visible_documents`, the only place here
that decides who may see what (it will call returnwatch/access.py once that exists).
"""

from __future__ import annotations

import difflib
import re
from typing import Any
from urllib.parse import urlencode, urljoin

import lxml.html
from django.contrib import messages
from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from returnwatch import access, security
from returnwatch.accounts.permissions import researcher_required
from returnwatch.incidents.models import Document

from . import archive, browser, capture, signing, store, timestamps
from .models import Capture, CaptureStatus, FileKind

# Archived pages are shown, never run: no script, no form, no request beyond this server.
REPLAY_CSP = "; ".join(
    [
        "default-src 'none'",
        "img-src 'self' data:",
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self' data:",
        "media-src 'self'",
        "script-src 'none'",
        "form-action 'none'",
        "base-uri 'none'",
        "frame-ancestors 'self'",
        "sandbox allow-same-origin",
    ]
)
INLINE_KINDS = {FileKind.SCREENSHOT: "image/png"}


def _visible_documents(user: Any) -> QuerySet[Document]:
    """Captures are archived copies: for those who may open the document's files
    (returnwatch/access.py); anyone else gets 404."""
    return access.file_documents(user)


def _get_capture(request: HttpRequest, pk: int) -> Capture:
    qs = Capture.objects.filter(document__in=_visible_documents(request.user).values("pk"))
    return get_object_or_404(qs.select_related("document", "requested_by"), pk=pk)


@require_POST
@researcher_required
def capture_request(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(_visible_documents(request.user), pk=pk)
    back = reverse("staff:document_detail", args=[document.pk]) + "#captures"
    if not document.url:
        messages.error(request, _("This document has no address (URL) to capture."))
    elif not browser.chromium_available():
        messages.error(request, _("Chromium is not installed: captures cannot run."))
    else:
        try:
            capture.request(document, request.user)
            messages.success(request, _("Capture queued. This page shows its progress."))
        except capture.AlreadyPending:
            messages.info(request, _("A capture of this document is already under way."))
    return redirect(back)


@researcher_required
def capture_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cap = _get_capture(request, pk)
    files = {f.kind: f for f in cap.files.all()}
    earlier = (
        cap.document.captures.filter(status=CaptureStatus.DONE, requested_at__lt=cap.requested_at)
        .exclude(pk=cap.pk)
        .first()
    )
    context = {
        "capture": cap,
        "files": files,
        "earlier": earlier,
        "signature_ok": _signature_ok(files),
        "timestamp_time": _timestamp_time(files),
        "key_id": signing.key_id(),
    }
    return render(request, "evidence/capture_detail.html", context)


def _signature_ok(files: dict[str, Any]) -> bool | None:
    if FileKind.MANIFEST not in files or FileKind.SIGNATURE not in files:
        return None
    return signing.verify(
        store.read(files[FileKind.MANIFEST]), store.read(files[FileKind.SIGNATURE])
    )


def _timestamp_time(files: dict[str, Any]) -> Any:
    if FileKind.TIMESTAMP not in files or FileKind.MANIFEST not in files:
        return None
    return timestamps.verify(
        store.read(files[FileKind.MANIFEST]), store.read(files[FileKind.TIMESTAMP])
    )


@researcher_required
def capture_file(request: HttpRequest, pk: int, kind: str) -> FileResponse:
    cap = _get_capture(request, pk)
    f = cap.files.filter(kind=kind).first()
    if f is None or not f.file.name or not default_storage.exists(f.file.name):
        raise Http404
    inline = kind in INLINE_KINDS
    name = f"capture-{cap.pk}-{f.file.name.rsplit('/', 1)[-1]}"
    if kind == FileKind.SIGNATURE:
        name = f"capture-{cap.pk}-manifest.json.sig"
    response = FileResponse(
        default_storage.open(f.file.name, "rb"),
        as_attachment=not inline,
        filename=name,
        content_type=f.media_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@researcher_required
def capture_replay(request: HttpRequest, pk: int) -> HttpResponse:
    """The archived page inside the workspace, framed under a notice."""
    cap = _get_capture(request, pk)
    if cap.file(FileKind.WACZ) is None:
        raise Http404
    src = _archive_url(cap, cap.final_url or cap.url)
    response = render(request, "evidence/capture_replay.html", {"capture": cap, "src": src})
    # The site's policy, plus frames from this server (the archive view) and nowhere else.
    response["Content-Security-Policy"] = f"{security.CONTENT_SECURITY_POLICY}; frame-src 'self'"
    return response


def _archive_url(cap: Capture, url: str) -> str:
    return reverse("staff:capture_archive", args=[cap.pk]) + "?" + urlencode({"url": url})


@xframe_options_sameorigin
@researcher_required
def capture_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """One archived response, from the WACZ only: the original site is never contacted."""
    cap = _get_capture(request, pk)
    wacz = cap.file(FileKind.WACZ)
    url = request.GET.get("url", "")
    if wacz is None or not wacz.file.name or not url:
        raise Http404
    with default_storage.open(wacz.file.name, "rb") as f:
        found = archive.find_response(f, url)
    if found is None:
        response = HttpResponse(
            _("This address is not in the capture."), status=404, content_type="text/plain"
        )
    else:
        status, headers, body = found
        response = _replayed(cap, url, status, dict((k.lower(), v) for k, v in headers), body)
    response["Content-Security-Policy"] = REPLAY_CSP
    return response


def _replayed(
    cap: Capture, url: str, status: int, headers: dict[str, str], body: bytes
) -> HttpResponse:
    if 300 <= status < 400 and headers.get("location"):
        return redirect(_archive_url(cap, urljoin(url, headers["location"])))
    media = headers.get("content-type", "application/octet-stream")
    if media.startswith("text/html") and body.strip():
        body = _rewrite_html(cap, url, body)
    elif media.startswith("text/css"):
        body = _rewrite_css(cap, url, body.decode("utf-8", "replace")).encode()
    response = HttpResponse(body, status=status, content_type=media)
    return response


def _rewrite_html(cap: Capture, url: str, body: bytes) -> bytes:
    """Every address in the page points into the capture; refreshes that would leave it go."""
    doc = lxml.html.document_fromstring(body)
    for meta in doc.xpath("//meta[translate(@http-equiv,'REFSH','refsh')='refresh']"):
        meta.drop_tree()
    for el in doc.xpath("//*[@srcset]"):
        el.set(
            "srcset",
            ", ".join(
                " ".join([_archive_url(cap, urljoin(url, p.split()[0]))] + p.split()[1:])
                for p in el.get("srcset", "").split(",")
                if p.strip()
            ),
        )
    doc.rewrite_links(lambda link: _archive_url(cap, urljoin(url, link)), resolve_base_href=True)
    return lxml.html.tostring(doc, doctype="<!DOCTYPE html>", encoding="utf-8")


CSS_URL = re.compile(r"""url\(\s*(['"]?)([^)'"]+)\1\s*\)""")


def _rewrite_css(cap: Capture, url: str, css: str) -> str:
    return CSS_URL.sub(lambda m: f'url("{_archive_url(cap, urljoin(url, m.group(2)))}")', css)


@researcher_required
def capture_diff(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    """What the text says now against an earlier capture of the same document."""
    cap = _get_capture(request, pk)
    old = get_object_or_404(cap.document.captures.all(), pk=other)
    rows = []
    for line in difflib.unified_diff(
        old.text.splitlines(), cap.text.splitlines(), lineterm="", n=2
    ):
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "same")
        rows.append({"kind": kind, "text": line[1:] if kind != "hunk" else line})
    context = {"capture": cap, "old": old, "rows": rows}
    return render(request, "evidence/capture_diff.html", context)
