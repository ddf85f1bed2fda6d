"""In Chromium: a researcher presses Capture on a document, watches it go from queued to done
(a real huey worker takes the task), looks at the screenshot and the hashes, and replays the
archived page inside the workspace without the original site being contacted."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import sign_in
from returnwatch.evidence.models import Capture, CaptureStatus
from returnwatch.incidents.models import Document, DocumentKind

from .site import Site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.access("/usr/bin/chromium", os.X_OK), reason="no chromium"),
]
SHOTS = (
    Path(os.environ.get("CAPTURE_SCREENSHOTS", ""))
    if os.environ.get("CAPTURE_SCREENSHOTS")
    else None
)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    s = Site(tmp_path)
    yield s
    s.close()


def shot(page: Any, name: str) -> None:
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 360])
def test_researcher_captures_a_page_and_replays_it_in_the_workspace(
    live_server: Any,
    page: Any,
    researcher: Any,
    site: Site,
    worker: None,
    settings: Any,
    tmp_path: Path,
    width: int,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EVIDENCE_SIGNING_KEY_FILE = str(tmp_path / "signing-key.pem")
    settings.CAPTURE_ALLOW_PRIVATE_ADDRESSES = True
    doc = Document.objects.create(
        kind=DocumentKind.objects.get(code="news"),
        title="Secuestran a familia devuelta",
        url=f"{site.url}/r1",
    )
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, researcher.username)
    page.click("nav.workspace-bar >> text=Documents")
    page.click(f"text={doc.title}")
    page.click("#captures button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("Capture queued")
    status = page.locator("#captures .capture-status strong")
    assert status.inner_text() in {"Queued", "Running", "Done"}
    # The section reloads itself while the capture is pending.
    page.wait_for_selector("#captures .capture-done", timeout=30000)
    assert Capture.objects.get().status == CaptureStatus.DONE
    image = page.locator("#captures img.capture-shot")
    expect(image).to_have_js_property("naturalWidth", 1280)  # once it has loaded
    shot(page, f"document-{width}")
    # The capture never carried the researcher's cookies to the site.
    assert site.requests and all(r["cookie"] == "" for r in site.requests)

    page.click("text=Details, hashes and files")
    expect(page.locator(".capture-signature")).to_contain_text("valid")  # the page is there
    body = page.content()
    for f in Capture.objects.get().files.all():
        assert f.sha256 in body
    assert "/r2" in body and "Ana Reporter" in body
    shot(page, f"capture-{width}")

    site.requests.clear()
    page.click("text=View the archived page")
    frame = page.frame_locator("iframe.capture-replay")
    assert frame.locator("h1").inner_text() == "Family kidnapped after return to Nuevo Laredo"
    expect(frame.locator("img[alt='The bridge']")).to_have_js_property("naturalWidth", 120)
    shot(page, f"replay-{width}")
    assert site.requests == []  # replayed from the archive alone
