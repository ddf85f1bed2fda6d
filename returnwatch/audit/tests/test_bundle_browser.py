"""In Chromium, with a real huey consumer: a researcher opens an incident's change history,
clicks Prepare, watches the page until Download shows, and downloads the zip."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import sign_in

from .helpers import archived_document, cite

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.access("/usr/bin/chromium", os.X_OK), reason="no chromium"),
]


@pytest.fixture(autouse=True)
def _vocabularies(_django_db_marker: None) -> None:
    from django.apps import apps

    from returnwatch.incidents.models import City
    from returnwatch.incidents.vocabularies.load import load

    if not City.objects.exists():
        load(apps)


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_prepare_wait_for_download_and_download(
    page: Any,
    live_server: Any,
    researcher: Any,
    media: None,
    worker: None,
    make_incident: Any,
    tmp_path: Path,
) -> None:
    incident = make_incident()
    cite(incident, archived_document(b"%PDF report", researcher, title="NGO report"), researcher)
    sign_in(page, live_server, researcher.username)
    page.get_by_role("link", name="Change history").click()
    page.fill("#audit-incident", incident.reference)
    page.click("form.inline button[type=submit]")
    page.click("text=Prepare the evidence bundle")
    page.wait_for_selector("a.bundle-download", timeout=60_000)
    assert "Ready: 1 document." in page.inner_text(".job-progress")
    assert page.locator("progress").get_attribute("value") == "100"
    if os.environ.get("BUNDLE_SCREENSHOTS"):
        for width in (1280, 360):
            page.set_viewport_size({"width": width, "height": 800})
            page.screenshot(path=f"{os.environ['BUNDLE_SCREENSHOTS']}/bundle-{width}.png")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1
    with page.expect_download() as info:
        page.click("a.bundle-download")
    download = info.value
    assert download.suggested_filename == f"{incident.reference}-evidence.zip"
    z = zipfile.ZipFile(io.BytesIO(Path(download.path()).read_bytes()))
    manifest = json.loads(z.read("manifest.json"))
    assert [f["title"] for f in manifest["files"]] == ["NGO report"]
    assert manifest["files"][0]["path"] in z.namelist()
