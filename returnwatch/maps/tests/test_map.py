"""/map/: one circle per city with matching published cases, counts equal to the search's
facet counts, links that keep the search, nothing unpublished and nothing finer than a city."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from returnwatch.maps import draw, geo

SVG = "{http://www.w3.org/2000/svg}"


def main_svg(html: str) -> ET.Element:
    """The page's map, parsed by an XML parser (it must be well-formed on its own)."""
    match = re.search(r'<svg[^>]*id="rw-map".*?</svg>', html, re.S)
    assert match, "no map on the page"
    return ET.fromstring(match.group(0))


def circles(svg: ET.Element) -> dict[str, tuple[int, str]]:
    """city code -> (count written in the circle, link)."""
    out = {}
    for a in svg.iter(f"{SVG}a"):
        assert len(a.findall(f"{SVG}circle")) == 1
        out[a.get("data-city")] = (int(a.find(f"{SVG}text").text), a.get("href"))
    return out


def facet_counts(client: Any, query: str, param: str = "city") -> dict[str, int]:
    response = client.get(f"/incidents/?{query}")
    facet = next(f for f in response.context["facets"] if f.param == param)
    return {v.code: v.count for v in facet.values if v.count}


@pytest.fixture
def cases(make_incident: Any) -> None:
    make_incident(city="tijuana", types=["kidnapping"], date=dt.date(2019, 5, 1))
    make_incident(city="tijuana", types=["kidnapping", "extortion"], date=dt.date(2020, 2, 1))
    make_incident(city="tijuana", types=["extortion"], date=dt.date(2020, 3, 1))
    make_incident(city="reynosa", types=["kidnapping"], date=dt.date(2020, 7, 1))
    make_incident(city="matamoros", types=["kidnapping"], date=dt.date(2020, 8, 1))
    make_incident(city="other-unknown", types=["kidnapping"], date=dt.date(2020, 9, 1))
    make_incident(city=None, types=["kidnapping"], date=dt.date(2020, 9, 2))
    # Never on a public map:
    make_incident(city="nogales", status="draft", title="Draft in Nogales")
    make_incident(city="nogales", status="review", title="In review in Nogales")
    make_incident(city="ciudad-juarez", status="retracted", title="Retracted in Juárez")


def test_projection_places_points_where_d3_does() -> None:
    for size in ("full", "mini"):
        project = geo.projection(size)
        for lonlat, expected in geo.basemap()[size]["check"]:
            x, y = project(*lonlat)
            assert x == pytest.approx(expected[0], abs=1e-6)
            assert y == pytest.approx(expected[1], abs=1e-6)


def test_map_is_valid_svg_with_one_circle_per_city_with_published_cases(client, cases) -> None:
    response = client.get("/map/")
    assert response.status_code == 200
    svg = main_svg(response.content.decode())
    drawn = circles(svg)
    # other-unknown has no coordinates: listed, not drawn. Drafts, reviews, retractions: nowhere.
    assert drawn.keys() == {"tijuana", "reynosa", "matamoros"}
    assert len(list(svg.iter(f"{SVG}circle"))) == 3
    html = response.content.decode()
    assert "Nogales" not in html.split('class="rw-places"')[1].split("</ol>")[0]
    assert "Draft in Nogales" not in html and "Retracted" not in html
    assert "Other or unknown" in html and "not on the map" in html
    assert "1 matching case has no city." in html


def test_counts_equal_the_facet_counts_of_the_same_search(client, cases) -> None:
    for query in ("", "type=kidnapping", "type=extortion&year=2020", "q=family", "city=reynosa"):
        drawn = circles(main_svg(client.get(f"/map/?{query}").content.decode()))
        expected = facet_counts(client, query)
        expected.pop("other-unknown", None)  # no coordinates: in the list, not on the map
        assert {code: n for code, (n, _) in drawn.items()} == expected, query


def test_each_circle_and_list_entry_links_to_the_search_narrowed_to_its_city(client, cases) -> None:
    html = client.get("/map/?type=kidnapping&year=2020&q=kidnapped").content.decode()
    for code, (_, href) in circles(main_svg(html)).items():
        url = urlsplit(href)
        assert url.path == "/incidents/"
        assert parse_qs(url.query) == {
            "q": ["kidnapped"],
            "type": ["kidnapping"],
            "year": ["2020"],
            "city": [code],
        }
    listed = re.findall(r'<li><a href="([^"]+)" data-city="([^"]+)"', html)
    assert {code for _, code in listed} == {"tijuana", "reynosa", "matamoros", "other-unknown"}
    for href, code in listed:
        assert parse_qs(urlsplit(href.replace("&amp;", "&")).query)["city"] == [code]
        assert parse_qs(urlsplit(href.replace("&amp;", "&")).query)["type"] == ["kidnapping"]


def test_following_a_city_link_shows_exactly_its_count(client, cases) -> None:
    html = client.get("/map/?type=kidnapping").content.decode()
    for _code, (n, href) in circles(main_svg(html)).items():
        response = client.get(href)
        assert response.context["page"].paginator.count == n


def test_search_page_links_to_the_map_of_the_same_search(client, cases) -> None:
    html = client.get("/incidents/?type=kidnapping&year=2020").content.decode()
    assert '<a href="/map/?type=kidnapping&amp;year=2020">' in html


def test_year_strip_links_keep_the_search(client, cases) -> None:
    html = client.get("/map/?type=kidnapping&year=2020").content.decode()
    strip = html.split('class="rw-strip"')[1].split("</nav>")[0]
    links = re.findall(r'<a href="(/map/\?[^"]*)"', strip)
    years = [parse_qs(urlsplit(h.replace("&amp;", "&")).query) for h in links]
    assert {"type": ["kidnapping"]} in years  # all years
    assert {"type": ["kidnapping"], "year": ["2019"]} in years
    assert {"type": ["kidnapping"], "year": ["2020"]} in years
    assert 'aria-current="page"><svg' in strip  # 2020 is the year shown
    for mini in re.findall(r'<svg[^>]*class="rw-mini".*?</svg>', strip, re.S):
        ET.fromstring(mini)


def test_small_places_are_grouped_into_their_state(client, cases, settings) -> None:
    settings.RETURNWATCH_MAP_MIN_CITY_INCIDENTS = 2
    html = client.get("/map/").content.decode()
    drawn = circles(main_svg(html))
    # Reynosa and Matamoros have one case each: one circle for Tamaulipas, no city named.
    assert set(drawn) == {"tijuana", "state-mx-tamaulipas"}
    n, href = drawn["state-mx-tamaulipas"]
    assert n == 2
    assert parse_qs(urlsplit(href).query) == {"city": ["matamoros", "reynosa"]}
    svg_text = html.split('id="rw-map"')[1].split("</svg>")[0]
    assert "Reynosa" not in svg_text and "Matamoros" not in svg_text
    assert "Smaller places in Tamaulipas" in html
    # Drawn where the state's point is, not at either city.
    a = next(e for e in main_svg(html).iter(f"{SVG}a") if e.get("data-city").startswith("state"))
    c = a.find(f"{SVG}circle")
    x, y = geo.projection()(*geo.state_points()[("MX", "Tamaulipas")])
    assert float(c.get("cx")) == pytest.approx(x, abs=20)
    assert float(c.get("cy")) == pytest.approx(y, abs=20)


def test_unknown_values_give_a_notice_not_an_error(client, cases) -> None:
    response = client.get("/map/?city=atlantis&year=abc")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Unknown value “atlantis” for “city” was ignored." in html
    assert circles(main_svg(html)).keys() == {"tijuana", "reynosa", "matamoros"}


def test_map_in_spanish(client, cases) -> None:
    html = client.get("/es/map/").content.decode()
    assert "Mapa de casos" in html
    assert 'href="/es/incidents/?city=tijuana"' in html
    assert "Tijuana: 3 casos" in html


def test_statistics_page_shows_the_map_of_all_published_cases(client, cases) -> None:
    html = client.get("/stats/").content.decode()
    drawn = circles(main_svg(html))
    assert {code: n for code, (n, _) in drawn.items()} == {
        "tijuana": 3,
        "reynosa": 1,
        "matamoros": 1,
    }
    assert "Most cases: Tijuana (3)" in html


def test_text_alternative_names_the_top_cities(client, cases) -> None:
    html = client.get("/map/").content.decode()
    svg = main_svg(html)
    desc = svg.find(f"{SVG}desc").text
    assert desc.startswith("Most cases: Tijuana (3), Matamoros (1)")
    assert "<figcaption>Most cases: Tijuana (3)" in html


def test_circles_never_overlap_after_layout() -> None:
    anchors = [(100.0, 100.0), (101.0, 100.0), (100.0, 102.0), (300.0, 50.0), (100.5, 100.5)]
    radii = [17.0, 12.0, 9.0, 9.0, 7.5]
    centres = draw.spread(anchors, radii, 400, 298)
    for i in range(len(centres)):
        for j in range(i + 1, len(centres)):
            d = ((centres[i][0] - centres[j][0]) ** 2 + (centres[i][1] - centres[j][1]) ** 2) ** 0.5
            assert d >= radii[i] + radii[j] - 0.01
    assert centres[3] == pytest.approx((300.0, 50.0))  # a lone circle stays at its city


def test_same_search_is_answered_from_the_cache_until_the_data_changes(
    client, cases, make_incident, django_assert_max_num_queries
) -> None:
    client.get("/map/?type=kidnapping")
    with django_assert_max_num_queries(3):  # the data version, the search's own vocabulary
        client.get("/map/?type=kidnapping")
    make_incident(city="reynosa", types=["kidnapping"])
    drawn = circles(main_svg(client.get("/map/?type=kidnapping").content.decode()))
    assert drawn["reynosa"][0] == 2


def test_each_small_map_counts_what_the_search_of_its_year_counts(client, cases) -> None:
    from django.http import QueryDict

    from returnwatch.incidents import filters
    from returnwatch.maps import places

    for query in ("", "type=kidnapping", "type=kidnapping&year=2020"):
        data = places.compute(filters.parse(QueryDict(query)))
        assert [y.year for y in data.years] == [2019, 2020]
        base = "&".join(p for p in query.split("&") if p and not p.startswith("year="))
        for y in data.years:
            expected = facet_counts(client, f"{base}&year={y.year}")
            assert {p.key: p.count for p in y.places} == expected, (query, y.year)
            assert y.count == facet_counts(client, base, "year")[str(y.year)]
