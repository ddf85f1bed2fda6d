"""In Chromium: a researcher adds a lawsuit, updates its status, and the public page shows it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import sign_in
from returnwatch.library.models import LibraryItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_researcher_adds_a_lawsuit_and_its_history_goes_public(
    live_server: Any, page: Any, researcher: Any, tmp_path: Any
) -> None:
    sign_in(page, live_server, researcher.username)
    page.goto(f"{live_server.url}/staff/library/")
    page.click("text=New lawsuit")
    assert page.locator("select[name=kind]").input_value() == "lawsuit"
    page.fill("input[name=title]", "Doe Families v. Secretary of Border Affairs (fictional)")
    page.fill("input[name=title_es]", "Familias Doe c. Secretaría de Asuntos Fronterizos")
    page.fill("input[name=publisher]", "Example Legal Aid Collective (demo)")
    page.fill("input[name=date_published]", "2019-02-14")
    page.fill("input[name=url]", "https://example.org/doe-v-secretary")
    page.fill("textarea[name=summary]", "A fictional challenge to returns to danger.")
    page.check("input[name=programs] >> nth=0")
    page.fill("input[name=court]", "U.S. District Court for the Demo District")
    page.fill("input[name=docket_number]", "0:19-cv-00001-DEMO")
    page.fill("textarea[name=parties]", "Doe Families (plaintiffs); Secretary (defendant)")
    page.fill("input[name=filing_date]", "2019-02-14")
    page.select_option("select[name=lawsuit_status]", "pending")
    page.click("form.library-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("Library item added.")
    assert "/staff/library/" in page.url

    # A later decision, then an appeal, recorded with their dates.
    page.fill("form.status-form input[name=date]", "2019-04-08")
    page.select_option("form.status-form select[name=status]", "decided")
    page.fill("form.status-form input[name=note]", "The court granted a preliminary injunction.")
    page.fill("form.status-form input[name=note_es]", "El tribunal concedió una medida cautelar.")
    page.click("form.status-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("Status change recorded.")
    page.fill("form.status-form input[name=date]", "2019-05-07")
    page.select_option("form.status-form select[name=status]", "appealed")
    page.fill("form.status-form input[name=note]", "The government appealed.")
    page.click("form.status-form button[type=submit]")
    page.wait_for_load_state()
    page.screenshot(path=str(tmp_path / "staff-lawsuit.png"), full_page=True)

    suit = LibraryItem.objects.get()
    assert suit.lawsuit_status == "appealed"
    page.click("text=Public page")
    page.wait_for_load_state()
    assert page.url.endswith(f"/resources/{suit.slug}/")
    history = page.locator("ol.lawsuit-history li")
    assert history.count() == 3
    assert "Pending" in history.nth(0).inner_text()
    assert "The court granted a preliminary injunction." in history.nth(1).inner_text()
    assert "Appealed" in history.nth(2).inner_text()
    expect(page.locator("body")).to_contain_text("0:19-cv-00001-DEMO")
    assert page.locator(".lawsuit dd .status").inner_text() == "Appealed"
    page.screenshot(path=str(tmp_path / "public-lawsuit.png"), full_page=True)

    page.goto(f"{live_server.url}/es/resources/{suit.slug}/")
    assert "Familias Doe c. Secretaría de Asuntos Fronterizos" in page.locator("h1").inner_text()
    expect(page.locator("body")).to_contain_text("El tribunal concedió una medida cautelar.")
