"""In Chromium, as a visitor clicks it: search a word, narrow by two facet values, download
exactly what the page counts, remove a filter — in English and in Spanish; and on a 360-px
phone without JavaScript, reach the filters (below the results there) at once."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORD = "ransom"


@pytest.fixture
def cases(make_incident: Any) -> None:
    """Six cases mention the word: four in Reynosa (three of them kidnappings), two
    kidnappings in Tijuana. Three more kidnappings in Reynosa do not mention it."""
    for n, (city, types) in enumerate(
        [
            ("reynosa", ["kidnapping", "extortion"]),
            ("reynosa", ["kidnapping", "extortion"]),
            ("reynosa", ["kidnapping"]),
            ("reynosa", ["extortion"]),
            ("tijuana", ["kidnapping"]),
            ("tijuana", ["kidnapping", "assault"]),
        ]
    ):
        make_incident(
            title=f"Niña y su madre retenidas {n}",
            summary=f"A mother and child returned under MPP were held for {WORD}.",
            city=city,
            types=types,
            date=dt.date(2020, 3, 1) + dt.timedelta(days=n),
        )
    for n in range(3):
        make_incident(title=f"Kidnapped at the bus station {n}", city="reynosa")


def count(page: Any) -> int:
    """The number of cases the page says it found ("1,234 cases", "1 234 casos")."""
    heading = page.locator("#results-heading").inner_text()
    return int(re.sub(r"\D", "", heading.split(" ")[0].replace("\xa0", "")))


def click(page: Any, target: Any) -> None:
    with page.expect_navigation():
        target.click()


def facet(page: Any, label: str) -> Any:
    return page.locator("aside.facets").get_by_role("link", name=label, exact=True)


def download(page: Any, name: str) -> bytes:
    with page.expect_download() as info:
        page.locator("p.downloads").get_by_role("link", name=name, exact=True).click()
    return Path(info.value.path()).read_bytes()


def search_narrow_download_widen(
    page: Any,
    *,
    search_button: str,
    city: str,
    kidnapping: str,
    remove_city: str,
    remove_kidnapping: str,
    excel: str,
) -> None:
    """The journey both languages share, from a page with a search box."""
    page.locator("main form[role=search] input[type=search]").fill(WORD)
    click(page, page.locator("main form[role=search]").get_by_role("button", name=search_button))
    assert count(page) == 6

    click(page, facet(page, city))
    assert count(page) == 4
    assert page.locator("#q").input_value() == WORD

    click(page, facet(page, kidnapping))
    assert count(page) == 3
    assert page.locator("#q").input_value() == WORD

    data = download(page, "CSV")
    assert not data.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(data.decode("utf-8").splitlines()))
    assert len(rows) == count(page) == 3
    assert all(WORD in r["summary"] and r["city"] == "reynosa" for r in rows)
    assert all("kidnapping" in r["violence_types"].split(";") for r in rows)

    excel_data = download(page, excel)
    assert excel_data.startswith(codecs.BOM_UTF8)
    excel_rows = list(csv.DictReader(excel_data.decode("utf-8-sig").splitlines()))
    assert len(excel_rows) == 3 and excel_rows[0]["title"].startswith("Niña y su madre")

    click(page, page.locator("ul.applied").get_by_role("link", name=remove_city))
    assert count(page) == 5  # the kidnappings that mention the word, in both cities
    assert page.locator("#q").input_value() == WORD
    expect(facet(page, remove_kidnapping)).to_be_visible()  # still applied, shown as such


def test_search_facets_download_and_remove_a_filter_in_english(
    page: Any, live_server: Any, cases: None
) -> None:
    page.goto(f"{live_server.url}/incidents/")
    search_narrow_download_widen(
        page,
        search_button="Search",
        city="Reynosa",
        kidnapping="Kidnapping",
        remove_city="Remove filter City: Reynosa",
        remove_kidnapping="Remove filter Kidnapping",
        excel="CSV for Excel",
    )
    assert page.url.startswith(f"{live_server.url}/incidents/?")


def test_search_facets_download_and_remove_a_filter_in_spanish(
    page: Any, live_server: Any, cases: None
) -> None:
    page.goto(f"{live_server.url}/")
    click(page, page.locator("nav.languages").get_by_role("link", name="español"))
    assert page.locator("html").get_attribute("lang") == "es"
    click(page, page.locator("header.site nav").get_by_role("link", name="Casos", exact=True))
    search_narrow_download_widen(
        page,
        search_button="Buscar",
        city="Reynosa",
        kidnapping="Secuestro",
        remove_city="Quitar filtro Ciudad: Reynosa",
        remove_kidnapping="Quitar filtro Secuestro",
        excel="CSV para Excel",
    )
    assert page.url.startswith(f"{live_server.url}/es/incidents/?")
    assert page.locator("html").get_attribute("lang") == "es"


def test_on_a_phone_without_javascript_the_filters_are_one_tap_away(
    chromium: Any, live_server: Any, make_incident: Any
) -> None:
    for n in range(55):
        make_incident(
            title=f"Case {n}",
            city="tijuana" if n % 5 == 0 else "reynosa",
            date=dt.date(2020, 1, 1) + dt.timedelta(days=n),
        )
    context = chromium.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/incidents/")
    filters = page.locator("#filters-heading")
    assert filters.bounding_box()["y"] > 5 * 740  # below all 50 results
    jump = page.get_by_role("link", name=re.compile(r"^Filters"))
    expect(jump).to_be_visible()
    assert jump.bounding_box()["y"] < 740  # on the first screen

    jump.click()
    page.wait_for_function("() => location.hash === '#filters'")
    box = filters.bounding_box()
    assert 0 <= box["y"] < 740, box  # scrolled to the filters
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    click(page, facet(page, "Tijuana"))
    assert count(page) == 11
    expect(page.get_by_role("link", name="Filters (1) ↓")).to_be_visible()
    page.get_by_role("link", name="↑ Back to the results").click()
    assert 0 <= page.locator("#results-heading").bounding_box()["y"] < 740
    context.close()


def test_on_a_wide_screen_the_filters_sit_beside_the_results(
    page: Any, live_server: Any, make_incident: Any
) -> None:
    make_incident(title="One case", city="tijuana")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/incidents/")
    assert page.locator("#filters-heading").bounding_box()["y"] < 900
    expect(page.get_by_role("link", name=re.compile(r"^Filters"))).to_be_hidden()
    expect(page.get_by_role("link", name="↑ Back to the results")).to_be_hidden()
