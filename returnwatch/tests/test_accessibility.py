"""Every public page in a real Chromium on a 360-px phone: axe-core finds no serious or
critical problem, no request fails (favicon included), chart text is legible; without
JavaScript no dead button shows; workspace pages fit the screen.

axe-core comes from the PyPI package axe-playwright-python (pinned in the dev dependencies,
it ships axe.min.js, MPL-2.0): nothing is downloaded when the tests run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from conftest import sign_in
from returnwatch.complaints.tests.conftest import answers
from returnwatch.incidents.models import Incident
from returnwatch.library.tests import conftest as library_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
make_item = library_fixtures.make_item  # the library's fixture, used here too

AXE = Axe()
SERIOUS = {"serious", "critical"}


def problems(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line each."""
    results = AXE.run(page)
    return [
        f"{page.url} [{v['impact']}] {v['id']}: {v['help']} — "
        + "; ".join(
            n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
            for n in v["nodes"][:3]
        )
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.fixture
def cases(make_incident: Any, make_item: Any) -> dict[str, Any]:
    now = dt.datetime(2024, 3, 5, 12, tzinfo=dt.UTC)
    case = make_incident(
        title="Family kidnapped after return",
        city="reynosa",
        types=["kidnapping", "extortion"],
        groups=["child"],
        nationalities=["hn"],
    )
    make_incident(title="Robbery near the bridge", city="tijuana", types=["armed-robbery"])
    retracted = make_incident(
        title="A case entered twice", status="retracted", retraction_reason="Entered twice."
    )
    Incident.objects.update(published_at=now)
    Incident.objects.filter(pk=retracted.pk).update(retracted_at=now + dt.timedelta(days=3))
    item = make_item(title="Stranded at the border", cited_by=(case,))
    return {"case": case, "retracted": retracted, "item": item}


def watch_failures(page: Any) -> list[str]:
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    return failed


def fill_step(page: Any, data: dict[str, Any]) -> None:
    """Answer one step of the complaint assistant as a person would, field by field."""
    for name, value in data.items():
        values = value if isinstance(value, list) else [value]
        if not [v for v in values if v]:
            continue
        fields = page.locator(f"main [name={name}]")
        if not fields.count():
            continue
        kind = fields.first.get_attribute("type")
        tag = fields.first.evaluate("e => e.tagName.toLowerCase()")
        if kind in ("radio", "checkbox") and fields.count() > 1:
            for v in values:
                page.check(f"main [name={name}][value='{v}']")
        elif kind == "checkbox":
            page.check(f"main [name={name}]")
        elif tag == "select":
            page.select_option(f"main [name={name}]", values)
        elif fields.first.is_visible():
            fields.first.fill(str(value))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_public_page_passes_axe_on_a_phone(
    phone_page: Any, live_server: Any, cases: Any, lang: str
) -> None:
    page = phone_page
    prefix = "" if lang == "en" else f"/{lang}"
    base = live_server.url + prefix
    failed = watch_failures(page)
    found: list[str] = []
    visited: list[str] = []

    def check(expect_status: int = 200) -> None:
        page.wait_for_load_state()
        visited.append(page.url)
        found.extend(problems(page))

    page.goto(base + "/")
    check()
    # The main navigation, as a person clicks it.
    nav = page.locator("header.site nav").first
    for i in range(nav.locator("a").count()):
        nav.locator("a").nth(i).click()
        check()
    # Search, a facet, a case, its library item.
    page.goto(base + "/incidents/")
    page.fill("main input[type=search]", "kidnapped" if lang == "en" else "familia")
    page.locator("main form.search button").first.click()
    check()
    page.locator("main p.follow a").click()  # follow this search by e-mail
    check()
    page.goto(base + f"/incidents/{cases['case'].reference}/")
    check()
    page.goto(base + f"/incidents/{cases['retracted'].reference}/")
    check()
    page.goto(base + "/resources/")
    page.click(f"text={cases['item'].document.title}")
    check()
    page.goto(base + "/report/follow-up/")
    check()
    if lang == "en":
        page.goto(live_server.url + "/api/docs/")
        check()
    # The complaint assistant, every step up to the summary.
    page.goto(base + "/complaint/")
    page.click("button[value=start]")
    check()
    for data in answers().values():
        fill_step(page, data)
        with page.expect_navigation():  # the next step's fields, not this one's, are filled next
            page.click("button[name=action][value=next]")
        check()
    assert page.locator("#summary").count() == 1, f"the summary was not reached ({page.url})"
    # A page that does not exist.
    page.goto(base + "/incidents/RW-1999-00001/")
    check()
    assert len(visited) >= 14
    assert found == [], "\n".join(found)
    # Nothing but the 404 above failed: no missing favicon or stylesheet on any page.
    assert [f for f in failed if "RW-1999-00001" not in f] == []


def test_favicon_answers_on_every_page(client: Any) -> None:
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200
    assert b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get("/").content.decode()
    assert 'rel="icon" href="/static/returnwatch/favicon.svg"' in page
    svg = client.get("/static/returnwatch/favicon.svg")
    assert svg.status_code == 200 and b"<svg" in b"".join(svg.streaming_content)


def test_pages_and_json_are_sent_gzipped(client: Any, cases: Any) -> None:
    import gzip

    for address in (
        "/",
        "/es/report/",
        f"/incidents/{cases['case'].reference}/",
        "/api/v1/incidents/",
    ):
        plain = client.get(address)
        zipped = client.get(address, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert zipped["Content-Encoding"] == "gzip", address
        assert "Accept-Encoding" in zipped["Vary"]
        assert len(zipped.content) < len(plain.content) / 2, address
        # The same page, padded against BREACH (so not byte-identical each time).
        assert (
            gzip.decompress(zipped.content).replace(b"\r", b"")[:200]
            == plain.content.replace(b"\r", b"")[:200]
        )


def test_chart_text_is_legible_on_a_phone(phone_page: Any, live_server: Any, cases: Any) -> None:
    """The statistics charts. The map's own labels are checked in maps/tests (on a phone its
    region names are hidden; its city list carries every count in the page's text size)."""
    page = phone_page
    page.goto(live_server.url + "/")
    page.click("header.site nav >> text=Statistics")
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('.chart svg:not(.rw-map):not(.rw-mini) text, .bar-chart span')]
          .filter(e => e.getClientRects().length && e.textContent.trim())
          .map(e => {
            const px = parseFloat(getComputedStyle(e).fontSize);
            const svg = e.closest('svg');
            const scale = svg && e.tagName === 'text' ? svg.getScreenCTM().a : 1;
            return [e.textContent.trim(), Math.round(px * scale * 10) / 10];
          })"""
    )
    assert len(sizes) > 10
    small = [s for s in sizes if s[1] < 11]
    assert small == [], small
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_without_javascript_the_complaint_summary_shows_no_dead_buttons(
    chromium: Any, live_server: Any
) -> None:
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    try:
        page.goto(live_server.url + "/complaint/")
        page.click("button[value=start]")
        for data in answers().values():
            fill_step(page, data)
            with page.expect_navigation():  # else the next step may be filled too early
                page.click("button[name=action][value=next]")
        expect(page.locator("#summary")).to_be_visible()
        assert page.locator("button.copy-text").count() == 1
        expect(page.locator("button.copy-text")).to_be_hidden()
        expect(page.locator("button.print-page")).to_be_hidden()
        # What works without script stays: the letter text to copy by hand, the PDF button.
        expect(page.locator("#complaint-text")).to_be_visible()
        expect(page.locator("button[name=output][value=pdf]")).to_be_visible()
    finally:
        context.close()


def test_workspace_pages_fit_a_phone(
    phone_page: Any, live_server: Any, researcher: Any, make_incident: Any
) -> None:
    make_incident(title="A case with a rather long title to see how the table copes on a phone")
    page = phone_page
    sign_in(page, live_server, "rita", second_factor=False)
    bar = page.locator("nav.workspace-bar a")
    wide = []
    for i in range(bar.count() - 1):  # the last link is the account page
        bar.nth(i).click()
        page.wait_for_load_state()
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 361:
            wide.append((page.url, width))
    bar.first.click()  # back to the incidents, then one incident's own page
    page.locator("main table a").first.click()
    page.wait_for_load_state()
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 361:
        wide.append((page.url, width))
    assert wide == []
