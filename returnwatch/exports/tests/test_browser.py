"""In Chromium: the data page and the API documentation work with the site's strict
Content-Security-Policy and make no request to another site. (Imports: imports/tests.)"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

# Transactional (the live server reads what the test writes). Not serialized_rollback: its
# reload of the whole database at setup clashes with content types other tests created;
# the vocabularies (rows of a data migration) are loaded again when a flush emptied them.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _vocabularies(_django_db_marker: None) -> None:
    from django.apps import apps

    from returnwatch.incidents.models import City
    from returnwatch.incidents.vocabularies.load import load

    if not City.objects.exists():
        load(apps)


def _watch(page: Any, live_server: Any) -> tuple[list[str], list[str]]:
    problems: list[str] = []
    outside: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on(
        "request",
        lambda r: (
            outside.append(r.url)
            if not r.url.startswith(live_server.url) and not r.url.startswith("data:")
            else None
        ),
    )
    return problems, outside


def test_api_docs_lead_to_a_working_example_from_this_site_only(page, live_server, make_incident):
    make_incident(title="Kidnapping in Reynosa", city="reynosa")
    problems, outside = _watch(page, live_server)
    page.goto(f"{live_server.url}/data/")
    page.click("text=interactive documentation")
    assert page.locator("h1").inner_text().startswith("ReturnWatch API")
    page.locator("nav.api-toc").get_by_role("link", name="GET /api/v1/statistics/").click()
    section = page.locator("#op-statistics")
    assert "The numbers on /stats/" in section.inner_text()
    section.get_by_role("link", name="GET /api/v1/statistics/").click()
    assert '"incidents": 1' in page.locator("body").inner_text().replace('":1', '": 1')
    assert outside == []
    assert not [p for p in problems if "Content Security Policy" in p], problems


def test_data_page_in_english_and_spanish(page, live_server):
    problems, outside = _watch(page, live_server)
    page.goto(f"{live_server.url}/data/")
    assert page.locator("h1").inner_text() == "Data"
    page.click("#vocabulary-violence_types summary")
    expect(
        page.locator("#vocabulary-violence_types").get_by_text("kidnapping", exact=True)
    ).to_be_visible()
    page.click("text=español")
    assert page.locator("h1").inner_text() == "Datos"
    expect(page.get_by_role("heading", name="Reglas de conteo")).to_be_visible()
    assert outside == []
    assert not [p for p in problems if "Content Security Policy" in p], problems
