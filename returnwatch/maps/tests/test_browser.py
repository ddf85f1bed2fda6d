"""In Chromium: a person goes from a search to its map, clicks a city and sees the search
narrowed to it; nothing is requested from another site; the page is light on a phone, its
names do not overlap, and axe-core finds no serious or critical problem."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGE_BUDGET = 60 * 1024


@pytest.fixture(autouse=True)
def _vocabularies(_django_db_marker: None) -> None:
    from django.apps import apps

    from returnwatch.incidents.models import City
    from returnwatch.incidents.vocabularies.load import load

    if not City.objects.exists():
        load(apps)


def _record(page: Any) -> list[str]:
    """Every request the page makes, of any kind."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    return requests


def _outside(requests: list[str], live_server: Any) -> list[str]:
    return [u for u in requests if not u.startswith(live_server.url) and not u.startswith("data:")]


def test_person_clicks_a_city_on_the_map_and_sees_the_search_narrowed_to_it(
    page, live_server, make_incident
):
    for _ in range(3):
        make_incident(city="tijuana", types=["kidnapping"], title="Kidnapping in Tijuana")
    make_incident(city="tijuana", types=["extortion"], title="Extortion in Tijuana")
    make_incident(city="reynosa", types=["kidnapping"], title="Kidnapping in Reynosa")
    requests = _record(page)
    page.goto(f"{live_server.url}/incidents/")
    page.fill("#q", "kidnapping")
    page.click("form.search button[type=submit]")
    page.wait_for_url(lambda u: "q=kidnapping" in u)
    page.click("text=Map of these results")
    page.wait_for_url(lambda u: u.endswith("/map/?q=kidnapping"))
    assert page.locator("svg#rw-map a.city").count() == 2
    assert page.locator("svg#rw-map a.city[data-city=tijuana] text").text_content() == "3"
    page.locator("svg#rw-map a.city[data-city=tijuana] circle").click()
    page.wait_for_url(lambda u: "city=tijuana" in u)
    query = parse_qs(urlsplit(page.url).query)
    assert query == {"q": ["kidnapping"], "city": ["tijuana"]}
    assert page.locator("#results-heading").inner_text() == "3 cases"
    titles = page.locator("ul.results h3, ul.results li a").all_inner_texts()
    assert any("Kidnapping in Tijuana" in t for t in titles)
    assert not any("Reynosa" in t or "Extortion" in t for t in titles)
    assert requests and _outside(requests, live_server) == []


def test_map_zooms_pans_and_shows_a_tooltip_with_javascript(page, live_server, make_incident):
    make_incident(city="tijuana", types=["kidnapping"])
    make_incident(city="matamoros", types=["kidnapping"])
    requests = _record(page)
    page.goto(f"{live_server.url}/map/")
    svg = page.locator("svg#rw-map")
    whole = svg.get_attribute("viewBox")
    page.click("button[aria-label='Zoom in']")
    zoomed = svg.get_attribute("viewBox")
    assert zoomed != whole
    assert float(zoomed.split()[2]) < float(whole.split()[2])
    box = svg.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    assert svg.get_attribute("viewBox") != zoomed  # dragged
    page.click("button[aria-label='Whole map']")
    assert [float(v) for v in svg.get_attribute("viewBox").split()] == [
        float(v) for v in whole.split()
    ]
    page.locator("a.city[data-city=tijuana] circle").hover()
    tip = page.locator(".rw-map-tip")
    expect(tip).to_be_visible()
    assert tip.inner_text() == "Tijuana: 1 case"
    assert _outside(requests, live_server) == []


def test_without_javascript_the_map_and_its_links_work(chromium, live_server, make_incident):
    make_incident(city="nogales", types=["kidnapping"], title="Kidnapping in Nogales")
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/map/")
        assert page.locator(".rw-map-controls").count() == 0
        page.click("ol.rw-places a:has-text('Nogales')")
        page.wait_for_url(lambda u: u.endswith("/incidents/?city=nogales"))
        assert page.locator("#results-heading").inner_text() == "1 case"
    finally:
        context.close()


@pytest.fixture
def demo_data(db: Any) -> None:
    # Every city of the vocabulary and every year 2019-2026: the heaviest map there is today.
    call_command("load_demo", count=150, verbosity=0)


def test_map_page_weighs_under_60_kb_on_a_phone_and_fits_its_width(
    chromium, live_server, demo_data
):
    for path in ("/map/", "/es/map/"):  # Spanish strings are longer
        # A fresh phone each time: nothing comes from the browser's cache.
        context = chromium.new_context(
            viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
        )
        page = context.new_page()
        sizes: dict[str, int] = {}
        # What crosses the network (the page is sent gzipped), as a phone's data plan counts it.
        page.on(
            "requestfinished",
            lambda r, sizes=sizes: sizes.__setitem__(
                r.url, r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"]
            ),
        )
        try:
            page.goto(f"{live_server.url}{path}", wait_until="networkidle")
            assert sum(sizes.values()) < PAGE_BUDGET, sizes
            # The page, the stylesheet, the map's script and the site's icon.
            assert len(sizes) == 4, sizes
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            assert _outside(list(sizes), live_server) == []
        finally:
            context.close()


def test_names_on_the_map_overlap_neither_each_other_nor_circles_at_360_px(
    phone_page, live_server, demo_data
):
    phone_page.goto(f"{live_server.url}/map/")
    overlaps = phone_page.evaluate(
        """() => {
        const svg = document.querySelector('svg#rw-map');
        const boxes = (sel) => [...svg.querySelectorAll(sel)].map((e) => {
            const b = e.getBBox(); return [e.textContent || e.getAttribute('r'), b];
        });
        const names = boxes('.labels text, .base-labels text');
        const circles = boxes('a.city circle');
        const hit = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width
            && a.y < b.y + b.height && b.y < a.y + a.height;
        const out = [];
        names.forEach(([t, b], i) => {
            names.slice(i + 1).forEach(([u, c]) => { if (hit(b, c)) out.push([t, u]); });
            circles.forEach(([r, c]) => { if (hit(b, c)) out.push([t, 'circle ' + r]); });
        });
        return {out, names: names.length};
    }"""
    )
    assert overlaps["names"] >= 5
    assert overlaps["out"] == []


def test_axe_finds_no_serious_or_critical_violation_on_the_map(
    page, phone_page, live_server, demo_data
):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for pg, path in ((page, "/map/"), (phone_page, "/es/map/?year=2020"), (page, "/stats/")):
        pg.goto(f"{live_server.url}{path}")
        results = axe.run(pg)
        bad = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert bad == [], (path, bad)


def test_year_strip_is_a_row_of_links(page, live_server, make_incident):
    make_incident(city="tijuana", date=dt.date(2019, 4, 1))
    make_incident(city="reynosa", date=dt.date(2021, 4, 1))
    page.goto(f"{live_server.url}/map/")
    page.click(".rw-strip a:has-text('2021')")
    page.wait_for_url(lambda u: u.endswith("/map/?year=2021"))
    assert page.locator("svg#rw-map a.city").count() == 1
    assert page.locator("svg#rw-map a.city[data-city=reynosa]").count() == 1
