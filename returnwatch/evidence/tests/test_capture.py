"""Web captures against a local site started by the tests (site.py), never the internet.

Stored files are opened with their real readers: the wacz validator and warcio for the
archive, Pillow for the screenshot, pypdf for the PDF, openssl for the manifest signature.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from huey.contrib.djhuey import HUEY
from PIL import Image
from pypdf import PdfReader
from warcio.archiveiterator import ArchiveIterator

from returnwatch.audit.tests.helpers import download_bundle
from returnwatch.evidence import archive, capture, signing, timestamps
from returnwatch.evidence.models import BlockedHost, Capture, CaptureFile, CaptureStatus
from returnwatch.incidents.models import Citation, Document, DocumentKind

from .site import Site, self_signed
from .tsa import LocalTSA

pytestmark = [
    pytest.mark.browser,  # drives the system Chromium (the SQLite pass of `make test`)
    pytest.mark.skipif(
        not os.access("/usr/bin/chromium", os.X_OK), reason="Debian's chromium is not installed"
    ),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: Any) -> Iterator[Site]:
    s = Site(tmp_path_factory.mktemp("site"))
    yield s
    s.close()


@pytest.fixture(autouse=True)
def _capture_settings(settings: Any, tmp_path: Path, site: Site) -> Iterator[None]:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EVIDENCE_SIGNING_KEY_FILE = str(tmp_path / "signing-key.pem")
    settings.CAPTURE_ALLOW_PRIVATE_ADDRESSES = True  # the test site is on 127.0.0.1
    settings.CAPTURE_TIMEOUT_SECONDS = 20
    # Tasks run where they are queued, from an in-memory queue (never the dev SQLite file).
    HUEY.immediate = True
    site.version = 1
    site.requests.clear()
    yield
    HUEY.immediate = True


def document(url: str, kind: str = "news") -> Document:
    return Document.objects.create(
        kind=DocumentKind.objects.get(code=kind) if kind else DocumentKind.objects.first(),
        title="Family kidnapped after return",
        url=url,
    )


def run_capture(url: str, user: Any) -> Capture:
    c = Capture.objects.create(document=document(url), url=url, requested_by=user)
    capture.run(c.pk)
    c.refresh_from_db()
    return c


def stored(c: Capture, kind: str) -> Path:
    return Path(default_storage.path(c.files.get(kind=kind).file.name))


def records(wacz: Path) -> dict[str, tuple[int, bytes]]:
    """Every response in the WACZ's WARC files, by URL (read with warcio)."""
    out = {}
    with zipfile.ZipFile(wacz) as z:
        for name in z.namelist():
            if name.endswith(".warc.gz"):
                with z.open(name) as f:
                    for rec in ArchiveIterator(f):
                        if rec.rec_type == "response":
                            out[rec.rec_headers.get_header("WARC-Target-URI")] = (
                                int(rec.http_headers.get_statuscode()),
                                rec.content_stream().read(),
                            )
    return out


def test_article_with_images_is_archived_with_screenshot_pdf_text_and_signed_manifest(
    site: Site, researcher: Any
) -> None:
    c = run_capture(f"{site.url}/article.html", researcher)
    assert c.status == CaptureStatus.DONE, c.reason
    assert (c.http_status, c.final_url) == (200, f"{site.url}/article.html")
    assert ["X-Served-By", "test-site"] in c.http_headers
    assert c.title == "Family kidnapped after return to Nuevo Laredo"
    assert c.author == "Ana Reporter" and c.date_published == "2019-10-04"
    assert "demanded a ransom from relatives in Houston" in c.text
    assert c.tool_versions["browser"].startswith("Chromium ")
    assert c.requested_by == researcher and c.started_at and c.finished_at

    wacz = stored(c, "wacz")
    assert archive.validate_wacz(wacz)
    got = records(wacz)
    for path in ("/article.html", "/img/photo.png", "/img/map.png", "/style.css"):
        assert got[f"{site.url}{path}"][0] == 200, path
    assert Image.open(io.BytesIO(got[f"{site.url}/img/photo.png"][1])).size == (120, 80)

    shot = Image.open(stored(c, "screenshot"))
    assert shot.format == "PNG" and shot.width == 1280
    pdf = PdfReader(stored(c, "pdf"))
    assert "Nuevo Laredo" in pdf.pages[0].extract_text()
    assert "ransom" in stored(c, "text").read_text()

    # Every file is named by and matches its SHA-256, and is read-only on disk.
    for f in c.files.all():
        file_path = Path(default_storage.path(f.file.name))
        assert hashlib.sha256(file_path.read_bytes()).hexdigest() == f.sha256 == file_path.stem
        assert not file_path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)

    manifest = json.loads(stored(c, "manifest").read_bytes())
    listed = {f["kind"]: f["sha256"] for f in manifest["files"]}
    assert listed == {k: c.files.get(kind=k).sha256 for k in ("wacz", "screenshot", "pdf", "text")}
    assert manifest["requested_by"] == researcher.username
    assert signing.verify(stored(c, "manifest").read_bytes(), stored(c, "signature").read_bytes())
    assert not signing.verify(b"{}", stored(c, "signature").read_bytes())


def test_manifest_signature_verifies_with_openssl(
    site: Site, researcher: Any, tmp_path: Path
) -> None:
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    c = run_capture(f"{site.url}/paywall.html", researcher)
    key = tmp_path / "key.pub.pem"
    key.write_bytes(signing.public_key_pem())
    result = subprocess.run(
        [
            "openssl",
            "pkeyutl",
            "-verify",
            "-pubin",
            "-inkey",
            str(key),
            "-rawin",
            "-in",
            str(stored(c, "manifest")),
            "-sigfile",
            str(stored(c, "signature")),
        ],
        capture_output=True,
        text=True,
    )
    assert "Signature Verified Successfully" in result.stdout, result.stderr


def test_manifest_is_time_stamped_and_the_stamp_verifies_offline(
    site: Site, researcher: Any, client: Any, settings: Any, tmp_path: Path
) -> None:
    tsa = LocalTSA(tmp_path)
    settings.EVIDENCE_TSA_URLS = [tsa.url]
    settings.EVIDENCE_TSA_ROOTS_FILE = str(tsa.roots_file)
    try:
        c = run_capture(f"{site.url}/article.html", researcher)
    finally:
        tsa.close()
    manifest, token = stored(c, "manifest").read_bytes(), stored(c, "timestamp").read_bytes()
    when = timestamps.verify(manifest, token)
    assert when is not None and abs((when - c.finished_at).total_seconds()) < 60
    assert timestamps.verify(manifest + b" ", token) is None  # another manifest: no
    settings.EVIDENCE_TSA_ROOTS_FILE = self_signed(tmp_path)[0]  # another authority's root: no
    assert timestamps.verify(manifest, token) is None
    settings.EVIDENCE_TSA_ROOTS_FILE = str(tsa.roots_file)
    client.force_login(researcher)
    page = client.get(reverse("staff:capture_detail", args=[c.pk])).content.decode()
    assert when.strftime("%Y-%m-%d %H:%M:%S") + " UTC" in page
    if shutil.which("openssl"):  # and with a public tool
        result = subprocess.run(
            [
                "openssl",
                "ts",
                "-verify",
                "-data",
                str(stored(c, "manifest")),
                "-in",
                str(stored(c, "timestamp")),
                "-CAfile",
                str(tsa.roots_file),
            ],
            capture_output=True,
            text=True,
        )
        assert "Verification: OK" in result.stdout, result.stderr


def test_paywall_page_is_flagged(site: Site, researcher: Any) -> None:
    c = run_capture(f"{site.url}/paywall.html", researcher)
    assert c.status == CaptureStatus.DONE
    assert c.walls == ["paywall"]


def test_redirect_chain_keeps_each_hop_and_the_final_address(site: Site, researcher: Any) -> None:
    c = run_capture(f"{site.url}/r1", researcher)
    assert c.status == CaptureStatus.DONE, c.reason
    assert c.final_url == f"{site.url}/article.html"
    assert [(r["url"], r["status"], r["location"]) for r in c.redirects] == [
        (f"{site.url}/r1", 302, f"{site.url}/r2"),
        (f"{site.url}/r2", 302, f"{site.url}/article.html"),
    ]
    got = records(stored(c, "wacz"))
    assert got[f"{site.url}/r1"][0] == got[f"{site.url}/r2"][0] == 302


def test_redirecting_forever_fails_with_the_reason_and_keeps_the_hops(
    site: Site, researcher: Any
) -> None:
    c = run_capture(f"{site.url}/loop", researcher)
    assert c.status == CaptureStatus.FAILED
    assert "redirected more than 10 times" in c.reason
    assert c.http_status == 302 and len(c.redirects) == 10
    assert set(c.files.values_list("kind", flat=True)) == {"manifest", "signature"}


def test_404_fails_with_the_status_and_keeps_what_the_page_showed(
    site: Site, researcher: Any
) -> None:
    c = run_capture(f"{site.url}/missing.html", researcher)
    assert c.status == CaptureStatus.FAILED
    assert c.reason == "The site answered 404 Not Found."
    assert c.http_status == 404
    assert "This story was removed." in c.text
    assert archive.validate_wacz(stored(c, "wacz"))


def test_address_that_does_not_answer_fails(researcher: Any) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nobody listens
    c = run_capture(f"http://127.0.0.1:{port}/", researcher)
    assert c.status == CaptureStatus.FAILED
    assert "did not answer" in c.reason
    assert c.http_status is None


def test_slow_page_fails_at_the_time_limit_keeping_status_and_headers(
    site: Site, researcher: Any, settings: Any
) -> None:
    settings.CAPTURE_TIMEOUT_SECONDS = 2
    site.slow_seconds = 6
    c = run_capture(f"{site.url}/slow.html", researcher)
    assert c.status == CaptureStatus.FAILED
    assert c.reason == "The page took longer than the limit of 2 seconds."
    assert c.http_status == 200 and ["Content-Length", "100000"] in c.http_headers
    # Nothing half-written is kept as a file: only the signed manifest of what happened.
    assert set(c.files.values_list("kind", flat=True)) == {"manifest", "signature"}
    assert json.loads(stored(c, "manifest").read_bytes())["http"]["status"] == 200


def test_too_large_page_fails_at_the_size_limit(site: Site, researcher: Any, settings: Any) -> None:
    settings.CAPTURE_MAX_BYTES = 2 * 1024 * 1024
    c = run_capture(f"{site.url}/huge.bin", researcher)
    assert c.status == CaptureStatus.FAILED
    assert c.reason == "The page is larger than the limit of 2.0 MB."
    assert c.http_status == 200
    assert not c.files.filter(kind="wacz").exists()
    leftovers = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.suffix == ".partial"]
    assert leftovers == []


def test_tls_page_with_a_self_signed_certificate_is_captured_and_the_certificate_kept(
    site: Site, researcher: Any
) -> None:
    from cryptography import x509

    c = run_capture(f"{site.tls_url}/article.html", researcher)
    assert c.status == CaptureStatus.DONE, c.reason
    assert c.tls["verified"] is False and "self-signed" in c.tls["verify_error"]
    assert c.tls["subject"] == "CN=localhost"
    cert = x509.load_pem_x509_certificate(c.tls["pem"].encode())
    assert cert.fingerprint(cert.signature_hash_algorithm).hex() == c.tls["sha256_fingerprint"]
    assert (
        json.loads(stored(c, "manifest").read_bytes())["tls"]["sha256_fingerprint"]
        == c.tls["sha256_fingerprint"]
    )


def test_private_addresses_are_refused_unless_allowed(
    site: Site, researcher: Any, settings: Any
) -> None:
    settings.CAPTURE_ALLOW_PRIVATE_ADDRESSES = False
    c = run_capture(f"{site.url}/article.html", researcher)
    assert c.status == CaptureStatus.FAILED
    assert "private, loopback or link-local address (127.0.0.1): refused" in c.reason
    assert site.requests == []


def test_blocked_host_is_never_fetched_by_the_page_or_the_browser(
    site: Site, researcher: Any
) -> None:
    BlockedHost.objects.create(host="localhost", note="test")
    c = run_capture(f"http://localhost:{site.http.server_address[1]}/article.html", researcher)
    assert c.status == CaptureStatus.FAILED and "never captured" in c.reason
    # The page on 127.0.0.1 loads an image from localhost: the browser's request is refused too.
    c = run_capture(f"{site.url}/mixed.html", researcher)
    assert c.status == CaptureStatus.DONE, c.reason
    assert [r for r in site.requests if r["host"].startswith("localhost")] == []
    assert f"http://localhost:{site.http.server_address[1]}/img/photo.png" not in records(
        stored(c, "wacz")
    )


def test_changed_page_shows_the_text_diff_between_two_captures(
    site: Site, researcher: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    doc = document(f"{site.url}/changing.html")
    client.force_login(researcher)
    url = reverse("staff:capture_request", args=[doc.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    site.version = 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    first, second = doc.captures.order_by("id")
    assert first.status == second.status == CaptureStatus.DONE
    page = client.get(reverse("staff:capture_detail", args=[second.pk])).content.decode()
    diff_url = reverse("staff:capture_diff", args=[second.pk, first.pk])
    assert diff_url in page
    diff = client.get(diff_url).content.decode()
    assert "<del>The family is still missing.</del>" in diff
    assert "<ins>The family was released on 9 October.</ins>" in diff


@pytest.mark.django_db(transaction=True)
def test_capture_goes_through_the_queue_once_however_often_it_is_pressed(
    site: Site, researcher: Any, client: Any
) -> None:
    import threading

    doc = document(f"{site.url}/article.html")
    client.force_login(researcher)
    HUEY._immediate = False  # keep the in-memory queue, but let a "worker" below take tasks
    client.post(reverse("staff:capture_request", args=[doc.pk]))
    again = client.post(reverse("staff:capture_request", args=[doc.pk]), follow=True)
    assert "already under way" in again.content.decode()
    (queued,) = doc.captures.all()
    assert queued.status == CaptureStatus.QUEUED and HUEY.pending_count() == 1
    page = client.get(reverse("staff:document_detail", args=[doc.pk])).content.decode()
    assert "Queued" in page and 'http-equiv="refresh"' in page
    # What `manage.py run_huey` does, in a thread of its own with its own connection.
    worker = threading.Thread(target=lambda: HUEY.execute(HUEY.dequeue()))
    worker.start()
    worker.join()
    queued.refresh_from_db()
    assert queued.status == CaptureStatus.DONE


def test_a_user_who_may_not_see_the_document_gets_404_everywhere(
    site: Site, researcher: Any, make_user: Any, client: Any
) -> None:
    c = run_capture(f"{site.url}/article.html", researcher)
    doc = c.document
    doc.kind = DocumentKind.objects.filter(public=False).first()
    doc.save()
    partner = make_user("paula", "researcher", org="Partner shelter")
    client.force_login(partner)
    for url in [
        reverse("staff:capture_detail", args=[c.pk]),
        reverse("staff:capture_file", args=[c.pk, "screenshot"]),
        reverse("staff:capture_replay", args=[c.pk]),
        reverse("staff:capture_archive", args=[c.pk]) + f"?url={site.url}/article.html",
        reverse("staff:capture_diff", args=[c.pk, c.pk]),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("staff:capture_request", args=[doc.pk])).status_code == 404
    assert doc.captures.count() == 1


def test_replay_serves_the_archive_without_contacting_the_site(
    site: Site, researcher: Any, client: Any
) -> None:
    c = run_capture(f"{site.url}/r1", researcher)
    client.force_login(researcher)
    site.requests.clear()
    replay = client.get(reverse("staff:capture_replay", args=[c.pk])).content.decode()
    archived = reverse("staff:capture_archive", args=[c.pk])
    page = client.get(f"{archived}?url={site.url}/article.html")
    assert page.status_code == 200
    assert "script-src 'none'" in page["Content-Security-Policy"]
    assert page["X-Frame-Options"] == "SAMEORIGIN"
    html = page.content.decode()
    assert "Family kidnapped after return" in html and archived in replay
    assert f'src="{archived}?url=http%3A%2F%2F127.0.0.1' in html  # images point into the archive
    image = client.get(f"{archived}?url={site.url}/img/photo.png")
    assert Image.open(io.BytesIO(image.getvalue())).size == (120, 80)
    css = client.get(f"{archived}?url={site.url}/style.css").content.decode()
    assert f"{archived}?url=" in css
    hop = client.get(f"{archived}?url={site.url}/r1")
    assert hop.status_code == 302 and "r2" in hop["Location"]
    assert client.get(f"{archived}?url=https://elsewhere.example/").status_code == 404
    assert site.requests == []


def test_fixity_check_reports_a_changed_file(site: Site, researcher: Any) -> None:
    from returnwatch.evidence.tasks import fixity_check

    c = run_capture(f"{site.url}/article.html", researcher)
    out = io.StringIO()
    call_command("verify_captures", stdout=out)
    assert "6 capture files checked: all unchanged" in out.getvalue()
    path = stored(c, "text")
    path.chmod(0o644)
    path.write_text("edited afterwards")
    with pytest.raises(CommandError, match="1 capture file"):
        call_command("verify_captures", stdout=out)
    assert f"changed: capture #{c.pk} text" in out.getvalue()
    fixity_check.call_local()  # the nightly task runs the same check (and logs it)


def test_evidence_bundle_holds_captures_manifests_and_how_to_verify(
    site: Site,
    researcher: Any,
    client: Any,
    make_incident: Any,
    tasks_in_memory: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    c = run_capture(f"{site.url}/article.html", researcher)
    incident = make_incident(status="draft")
    Citation.objects.create(incident=incident, document=c.document)
    client.force_login(researcher)
    response = download_bundle(client, incident, django_capture_on_commit_callbacks)
    z = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(z.namelist())
    base = f"captures/{c.pk}/"
    for name in (
        "archive.wacz",
        "screenshot.png",
        "page.pdf",
        "text.txt",
        "manifest.json",
        "manifest.json.sig",
    ):
        assert base + name in names
    assert {"captures/README.txt", "captures/signing-key.pub.pem"} <= names
    sums = dict(line.split("  ")[::-1] for line in z.read("SHA256SUMS").decode().splitlines())
    for name in names:
        if name.startswith(base):
            assert hashlib.sha256(z.read(name)).hexdigest() == sums[name]
    assert signing.verify(
        z.read(base + "manifest.json"),
        z.read(base + "manifest.json.sig"),
        z.read("captures/signing-key.pub.pem"),
    )
    bundle_manifest = json.loads(z.read("manifest.json"))
    assert bundle_manifest["captures"][0]["capture"] == c.pk
    assert "openssl pkeyutl -verify" in z.read("captures/README.txt").decode()


def test_without_chromium_the_button_says_so(researcher: Any, client: Any, settings: Any) -> None:
    settings.CAPTURE_CHROMIUM = "/nonexistent/chromium"
    doc = document("https://news.example/story")
    client.force_login(researcher)
    page = client.get(reverse("staff:document_detail", args=[doc.pk])).content.decode()
    assert "Chromium is not installed" in page
    after = client.post(reverse("staff:capture_request", args=[doc.pk]), follow=True)
    assert "Chromium is not installed" in after.content.decode()
    assert not doc.captures.exists()
    assert not CaptureFile.objects.exists()
