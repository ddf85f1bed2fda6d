"""In Chromium, with a real huey consumer taking the jobs: a researcher uploads a spreadsheet
by clicking, watches the check and then the import on the progress bar until it is done,
leaves the page and finds the result again; and fixes a file with a bad row."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import expect

from conftest import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.access("/usr/bin/chromium", os.X_OK), reason="no chromium"),
]
SHOTS = Path(os.environ["IMPORT_SCREENSHOTS"]) if os.environ.get("IMPORT_SCREENSHOTS") else None


@pytest.fixture(autouse=True)
def _vocabularies(_django_db_marker: None) -> None:
    from django.apps import apps

    from returnwatch.incidents.models import City
    from returnwatch.incidents.vocabularies.load import load

    if not City.objects.exists():
        load(apps)


def shot(page: Any, name: str) -> None:
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 360])
def test_upload_by_clicking_and_watch_the_progress_reach_done(
    page: Any, live_server: Any, researcher: Any, worker: None, tmp_path: Path, width: int
) -> None:
    from returnwatch.incidents.models import Incident

    path = tmp_path / "partner-export.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["ID", "Title", "Date", "City", "Type", "Source"])
        for i in range(600):
            out.writerow(
                [f"p-{i}", f"Case {i}", "2024-06-01", "Reynosa", "kidnapping",
                 f"https://example.org/p/{i}"]
            )  # fmt: skip
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, researcher.username)
    page.click("text=Import")
    page.set_input_files("input[type=file]", str(path))
    page.click("form.import-form button[type=submit]")
    # The worker checks it; the page follows (its script polls) and shows the result.
    page.wait_for_selector("text=600 rows: 600 to create", timeout=60_000)
    assert page.locator("progress").get_attribute("value") == "100"
    assert "Checked: 600 rows." in page.inner_text(".import-progress")
    shot(page, f"checked-{width}")
    page.click("button[value=apply]")
    # Queued or already under way: the bar is there, and it ends at done.
    expect(page.locator(".import-progress progress")).to_be_visible()
    shot(page, f"running-{width}")
    page.wait_for_selector("text=Done: 600 rows imported.", timeout=120_000)
    assert "Imported: 600 created as drafts, 0 updated, 0 unchanged." in page.inner_text("main")
    assert page.locator("progress").get_attribute("value") == "100"
    shot(page, f"done-{width}")
    assert Incident.objects.filter(external_id__startswith="p-", status="draft").count() == 600
    # Leaving and coming back: the list of imports leads to the result.
    page.click("text=Import another file")
    page.click("ul.import-recent >> text=result")
    assert "Imported: 600 created as drafts" in page.inner_text("main")
    if width == 360:
        assert page.evaluate("document.documentElement.scrollWidth") <= 360 + 1


def test_researcher_imports_a_spreadsheet(
    page: Any, live_server: Any, researcher: Any, worker: None, tmp_path: Path
) -> None:
    from returnwatch.incidents.models import Incident

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ID", "Título", "Fecha", "Ciudad", "Tipo de violencia"])
    sheet.append(["x-1", "Secuestro en la central", "octubre 2019", "Reynosa", "Secuestro"])
    sheet.append(["x-2", "Robo", "2019-11-02", "Atlantis", "robo"])
    path = tmp_path / "cases.xlsx"
    book.save(path)
    sign_in(page, live_server, researcher.username)
    page.goto(f"{live_server.url}/staff/data/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("form.import-form button[type=submit]")
    page.wait_for_selector("text=1 bad")
    assert page.locator("button[value=apply]").is_disabled()
    assert "“Atlantis” is not a known city" in page.inner_text("table.import-errors")
    # Fix the file (drop the bad row) and upload it again.
    sheet.delete_rows(3)
    book.save(path)
    page.goto(f"{live_server.url}/staff/data/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("form.import-form button[type=submit]")
    page.wait_for_selector("text=1 to create")
    page.click("button[value=apply]")
    page.wait_for_selector("text=Imported: 1 created as drafts")
    incident = Incident.objects.get(external_id="x-1")
    assert (incident.status, incident.date_precision, incident.city.code) == (
        "draft",
        "month",
        "reynosa",
    )
