"""Leak test: nothing restricted reaches any public page, in any language.

Every restricted field is filled with a unique marker; then the public site is crawled from
its entry points (following every same-site link, so new public pages are covered without
editing this test) plus each facet, statistics table and export address; no response may
contain a marker.
"""

import datetime as dt
import re
from urllib.parse import urljoin, urlparse

import pytest

from returnwatch.incidents.models import (
    AccountabilityStep,
    Citation,
    Document,
    DocumentKind,
    Person,
)

MARKERS: list[str] = []


def marker(name: str) -> str:
    value = f"LEAKMARK{name.upper()}{len(MARKERS):03d}"
    MARKERS.append(value)
    return value


@pytest.fixture
def restricted_world(make_incident, make_user):
    MARKERS.clear()
    assignee = make_user(marker("username").lower(), "researcher", first_name=marker("firstname"))
    published = make_incident(
        title="Public title of a kidnapping in Reynosa",
        summary="Public summary: a family was kidnapped.",
        city="reynosa",
        types=["kidnapping"],
        groups=["child"],
        nationalities=["hn"],
        narrative=marker("narrative"),
        assignee=assignee,
        external_id=marker("externalid"),
    )
    Person.objects.create(
        incident=published,
        name=marker("name"),
        a_number="A" + marker("anumber"),
        contact=marker("contact"),
        notes=marker("notes"),
    )
    AccountabilityStep.objects.create(
        incident=published,
        date=dt.date(2020, 1, 2),
        kind="filed",
        office="crcl",
        reference_number=marker("crclreference"),
        note="A complaint was filed.",
    )
    interview = Document.objects.create(
        kind=DocumentKind.objects.get(code="interview"),
        title=marker("interviewtitle"),
        summary=marker("interviewsummary"),
        url="https://example.org/" + marker("interviewurl"),
    )
    Citation.objects.create(
        incident=published, document=interview, excerpt=marker("interviewexcerpt")
    )
    news = Document.objects.create(
        kind=DocumentKind.objects.get(code="news"),
        title="A public news report",
        url="https://example.org/news/1",
        date_published=dt.date(2019, 11, 3),
    )
    Citation.objects.create(incident=published, document=news, excerpt="a public excerpt")
    for status in ("draft", "review"):
        make_incident(
            title=marker(f"{status}title"),
            summary=marker(f"{status}summary"),
            status=status,
            city="matamoros",
            types=["rape"],
            nationalities=["sv"],
            narrative=marker(f"{status}narrative"),
        )
    make_incident(
        title="Retracted case title",
        summary=marker("retractedsummary"),
        status="retracted",
        retraction_reason="Found to be a duplicate report.",
        narrative=marker("retractednarrative"),
    )
    return published


LINK = re.compile(r'(?:href|src|action)="([^"#]+)"')
ENTRY_POINTS = [
    "/",
    "/es/",
    "/incidents/",
    "/es/incidents/",
    "/stats/",
    "/es/stats/",
    "/incidents/?q=LEAKMARK",
    "/incidents/?q=leakmarknarrative",
    "/incidents/?accountability=crcl-filed",
    "/es/incidents/?accountability=crcl-filed",
    "/api/v1/incidents/?accountability=crcl-filed&facets=1",
    "/resources/",
    "/es/resources/",
    "/data/",
    "/es/data/",
    "/report/",
    "/es/report/",
    "/complaint/",
    "/es/complaint/",
    "/exports/incidents.csv",
    "/exports/incidents.json",
    "/exports/incidents.geojson",
    "/feeds/incidents.atom",
    "/api/v1/incidents/",
    "/api/v1/statistics/",
    "/api/schema/",
    "/sitemap.xml",
    "/sitemap-pages.xml",
    "/sitemap-incidents.xml",
    "/sitemap-library.xml",
    "/incidents/RW-2019-99999/",
    "/no-such-page/",
]
SKIP_PREFIXES = ("/staff/", "/admin/", "/static/", "/media/")


def crawl(client, start: list[str], limit: int = 400) -> dict[str, bytes]:
    seen: dict[str, bytes] = {}
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        body = (
            response.content
            if not getattr(response, "streaming", False)
            else b"".join(response.streaming_content)
        )
        seen[url] = body
        assert response.status_code < 500, f"{url} answered {response.status_code}"
        if "html" not in response.get("Content-Type", ""):
            continue
        for link in LINK.findall(body.decode("utf-8", "replace")):
            link = link.replace("&amp;", "&")
            absolute = urljoin(url, link)
            parsed = urlparse(absolute)
            if parsed.netloc and parsed.netloc != "testserver":
                continue
            path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
            if (
                path.startswith(SKIP_PREFIXES)
                or "page=" in parsed.query
                and parsed.query.count("=") > 3
            ):
                continue
            if path not in seen:
                queue.append(path)
    return seen


def test_no_restricted_value_on_any_public_page(client, restricted_world):
    pages = crawl(
        client,
        [
            *ENTRY_POINTS,
            f"/incidents/{restricted_world.reference}/",
            "/es" + f"/incidents/{restricted_world.reference}/",
        ],
    )
    assert len(pages) > 30  # the crawl really went through the site
    for url, body in pages.items():
        text = body.decode("utf-8", "replace")
        for m in MARKERS:
            assert m not in text, f"{m} leaked on {url}"
            assert m.lower() not in text.lower(), f"{m} leaked (case-folded) on {url}"


def test_crawl_reaches_facets_stats_tables_and_the_case(client, restricted_world):
    pages = crawl(client, ENTRY_POINTS)
    urls = set(pages)
    assert any("type=kidnapping" in u for u in urls)
    assert any("accountability=crcl-filed" in u for u in urls)  # the facet's own links
    assert any(u.startswith("/stats/") and u.endswith(".csv") for u in urls)
    assert f"/incidents/{restricted_world.reference}/" in urls
