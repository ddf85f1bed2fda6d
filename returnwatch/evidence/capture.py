"""A capture from start to end: queue it, visit the page, store and sign what came back.

`request` is what the researcher's button calls (in the request); `run` is what the worker
calls (tasks.py). Each step below is a small function: visit (browser.py) → archive
(archive.py) → extract (extract.py) → keep files (store.py) → manifest, signature and time
stamps (signing.py, timestamps.py).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from returnwatch import taskqueue
from returnwatch.audit import log
from returnwatch.audit.actions import Action
from returnwatch.incidents.models import Document

from . import archive, browser, extract, signing, store, timestamps
from .fetch import Budget
from .guard import Guard
from .models import PENDING, BlockedHost, Capture, CaptureStatus, FileKind

logger = logging.getLogger(__name__)
TOOL = "ReturnWatch capture"
TOOL_VERSION = "1.0"
MANIFEST_FORMAT = "returnwatch-capture-manifest/1"


class AlreadyPending(Exception):
    def __init__(self, capture: Capture | None) -> None:
        self.capture = capture


def request(document: Document, user: Any) -> Capture:
    """Queue a capture of the document's address; AlreadyPending if one is under way."""
    _expire_stuck(document)
    try:
        with transaction.atomic():
            capture = Capture.objects.create(document=document, url=document.url, requested_by=user)
            log.record(user, Action.CAPTURE, capture, ["url", "status"], about=document)
    except IntegrityError:
        raise AlreadyPending(document.captures.filter(status__in=PENDING).first()) from None
    from .tasks import capture_page

    taskqueue.enqueue_on_commit(capture_page, capture.pk)
    return capture


def _expire_stuck(document: Document) -> None:
    """A capture running far past its limit lost its worker (a restart): mark it failed so
    the document can be captured again."""
    cutoff = timezone.now() - dt.timedelta(seconds=settings.CAPTURE_TIMEOUT_SECONDS + 600)
    document.captures.filter(status=CaptureStatus.RUNNING, started_at__lt=cutoff).update(
        status=CaptureStatus.FAILED,
        reason=_("The worker stopped before the capture ended."),
        finished_at=timezone.now(),
    )


def guard() -> Guard:
    hosts = [h.lower() for h in settings.CAPTURE_BLOCKED_HOSTS]
    hosts += list(BlockedHost.objects.values_list("host", flat=True))
    return Guard(tuple(hosts), settings.CAPTURE_ALLOW_PRIVATE_ADDRESSES)


def run(capture_id: int) -> Capture | None:
    """Run a queued capture (a worker claims it once: a task run twice does nothing)."""
    claimed = Capture.objects.filter(pk=capture_id, status=CaptureStatus.QUEUED).update(
        status=CaptureStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    capture = Capture.objects.get(pk=capture_id)
    try:
        with tempfile.TemporaryDirectory(prefix="capture-") as work:
            _capture(capture, Path(work))
    except Exception as e:  # the reason is shown; the traceback goes to the log
        logger.exception("capture %s failed", capture_id)
        capture.status = CaptureStatus.FAILED
        capture.reason = _("The capture stopped with an internal error (%(error)s).") % {
            "error": type(e).__name__
        }
        capture.finished_at = timezone.now()
        capture.save()
    return capture


def _capture(capture: Capture, work: Path) -> None:
    if not browser.chromium_available():
        reason = _("Chromium is not installed (%(path)s).") % {"path": settings.CAPTURE_CHROMIUM}
        return _finish(capture, work, CaptureStatus.FAILED, reason)
    budget = Budget(
        settings.CAPTURE_TIMEOUT_SECONDS, settings.CAPTURE_MAX_BYTES, settings.CAPTURE_MAX_REDIRECTS
    )
    session = browser.visit(capture.url, guard(), budget)
    _record_http(capture, session)
    if session.error:
        return _finish(capture, work, CaptureStatus.FAILED, session.error)
    _keep_page(capture, session, work)
    page = session.page
    assert page is not None and page.status is not None
    if page.status >= 400:
        reason = _("The site answered %(status)s %(reason)s.") % {
            "status": page.status,
            "reason": page.reason,
        }
        return _finish(capture, work, CaptureStatus.FAILED, reason)
    _finish(capture, work, CaptureStatus.DONE, "")


def _record_http(capture: Capture, session: browser.Session) -> None:
    """What the server said about the page, kept whether or not the capture completes."""
    page = session.page
    capture.redirects = [
        {"url": ex.url, "status": ex.status, "location": ex.location}
        for ex in session.page_chain[:-1]
    ]
    capture.tool = TOOL
    capture.tool_versions = tool_versions(session.browser_version)
    if page is None:
        return
    capture.final_url = page.url
    capture.http_status = page.status
    capture.http_reason = page.reason[:200]
    capture.http_headers = [list(h) for h in page.headers]
    capture.server_ip = page.ip or None
    capture.tls = page.tls


def tool_versions(browser_version: str) -> dict[str, str]:
    versions = {TOOL: TOOL_VERSION}
    if browser_version:
        versions["browser"] = browser_version
    for package in ("playwright", "warcio", "wacz", "trafilatura"):
        versions[package] = version(package)
    return versions


def _keep_page(capture: Capture, session: browser.Session, work: Path) -> None:
    page = session.page
    assert page is not None
    found = extract.extract(session.html, page.url)
    capture.title = (found.title or session.title)[:500]
    capture.author = found.author[:500]
    capture.date_published = found.date[:40]
    capture.text = found.text
    capture.walls = extract.walls(session.html)
    ts = page.started_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    warc = work / "data.warc.gz"
    archive.write_warc(warc, session.exchanges, {"software": f"{TOOL} {TOOL_VERSION}"})
    wacz = work / "capture.wacz"
    archive.write_wacz(wacz, warc, page.url, capture.title, ts, capture.text)
    store.keep(capture, FileKind.WACZ, wacz, "application/wacz")
    store.keep_bytes(capture, FileKind.SCREENSHOT, session.screenshot, "image/png", work)
    store.keep_bytes(capture, FileKind.PDF, session.pdf, "application/pdf", work)
    store.keep_bytes(capture, FileKind.TEXT, capture.text.encode(), "text/plain", work)


def _finish(capture: Capture, work: Path, status: str, reason: str) -> None:
    """Sign the manifest of what was kept (a failed capture too), then set the status."""
    capture.status = status
    capture.reason = reason
    capture.finished_at = timezone.now()
    data = manifest_bytes(capture)
    kept = store.keep_bytes(capture, FileKind.MANIFEST, data, "application/json", work)
    store.keep_bytes(
        capture, FileKind.SIGNATURE, signing.sign(data), "application/octet-stream", work
    )
    token = timestamps.stamp(data)
    if token:
        store.keep_bytes(capture, FileKind.TIMESTAMP, token, "application/timestamp-reply", work)
    capture.manifest_sha256 = kept.sha256
    capture.signing_key_sha256 = signing.key_id()
    capture.save()
    log.record(
        "capture worker",
        Action.capture_finished(status),
        capture,
        ["status"],
        about=capture.document,
    )


def manifest(capture: Capture) -> dict[str, Any]:
    files = [
        {
            "kind": f.kind,
            "name": Path(f.file.name or "").name,
            "sha256": f.sha256,
            "size": f.size,
            "media_type": f.media_type,
        }
        for f in capture.files.filter(
            kind__in=[FileKind.WACZ, FileKind.SCREENSHOT, FileKind.PDF, FileKind.TEXT]
        )
    ]
    iso = lambda d: d.isoformat() if d else None  # noqa: E731
    return {
        "format": MANIFEST_FORMAT,
        "capture": capture.pk,
        "document": capture.document_id,
        "requested_url": capture.url,
        "requested_by": capture.requested_by.get_username() if capture.requested_by else None,
        "requested_at": iso(capture.requested_at),
        "started_at": iso(capture.started_at),
        "finished_at": iso(capture.finished_at),
        "status": capture.status,
        "reason": capture.reason,
        "final_url": capture.final_url,
        "redirects": capture.redirects,
        "http": {
            "status": capture.http_status,
            "reason": capture.http_reason,
            "headers": capture.http_headers,
        },
        "server_ip": capture.server_ip,
        "tls": capture.tls,
        "title": capture.title,
        "author": capture.author,
        "date_published": capture.date_published,
        "walls": capture.walls,
        "tool": capture.tool_versions,
        "files": files,
        "signing_key_sha256": signing.key_id(),
    }


def manifest_bytes(capture: Capture) -> bytes:
    return json.dumps(manifest(capture), indent=2, sort_keys=True, ensure_ascii=False).encode()
