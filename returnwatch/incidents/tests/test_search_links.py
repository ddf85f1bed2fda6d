"""Every link of the search page keeps the rest of the search: facet values, "remove filter",
sort, pages and downloads all come from Search.query_string (unit tests, then the page)."""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.http import QueryDict

from returnwatch.incidents import filters

pytestmark = pytest.mark.django_db


def search(query: str) -> filters.Search:
    return filters.parse(QueryDict(query))


def pairs(query_string: str) -> list[tuple[str, str]]:
    assert query_string == "" or query_string.startswith("?")
    return parse_qsl(query_string[1:])


# ---------------------------------------------------------------- the function


def test_adding_a_facet_value_keeps_words_other_filters_and_sort():
    s = search("q=secuestro&city=reynosa&sort=date")
    assert s.query_string(toggle=("type", "kidnapping")) == (
        "?q=secuestro&type=kidnapping&city=reynosa&sort=date"
    )


def test_removing_a_value_keeps_the_rest():
    s = search("q=secuestro&city=reynosa&city=tijuana&type=kidnapping&sort=date")
    assert pairs(s.query_string(toggle=("city", "reynosa"))) == [
        ("q", "secuestro"),
        ("type", "kidnapping"),
        ("city", "tijuana"),
        ("sort", "date"),
    ]


def test_words_years_and_dates_are_removable_like_facet_values():
    s = search("q=juárez&year=2019&from=2019-01-01&to=2019-12-31&group=child")
    assert pairs(s.query_string(toggle=("q", "juárez"))) == [
        ("group", "child"),
        ("year", "2019"),
        ("from", "2019-01-01"),
        ("to", "2019-12-31"),
    ]
    assert ("year", "2019") not in pairs(s.query_string(toggle=("year", "2019")))
    assert ("from", "2019-01-01") not in pairs(s.query_string(toggle=("from", "2019-01-01")))


def test_one_address_per_search_whatever_the_click_order():
    a = search("city=reynosa").query_string(toggle=("type", "kidnapping"))
    b = search("type=kidnapping").query_string(toggle=("city", "reynosa"))
    assert a == b == "?type=kidnapping&city=reynosa"


def test_words_are_encoded_once_and_read_back_as_typed():
    s = search("q=" + "niña%20%26%20madre")
    qs = s.query_string(toggle=("city", "tijuana"))
    assert qs == "?q=ni%C3%B1a+%26+madre&city=tijuana"
    again = filters.parse(QueryDict(qs[1:]))
    assert again.q == "niña & madre" and [t.code for t in again.selected["city"]] == ["tijuana"]


def test_usual_sort_is_left_out_and_another_is_kept():
    assert search("q=x").query_string() == "?q=x"  # relevance is the usual order with words
    assert search("q=x&sort=-date").query_string() == "?q=x&sort=-date"
    assert search("city=reynosa&sort=-date").query_string() == "?city=reynosa"
    assert search("city=reynosa&sort=date").query_string() == "?city=reynosa&sort=date"


def test_removing_the_words_drops_a_relevance_order_they_needed():
    assert search("q=x&city=tijuana").query_string(toggle=("q", "x")) == "?city=tijuana"
    s = search("q=x&city=tijuana&sort=-date")
    assert s.query_string(toggle=("q", "x")) == "?city=tijuana"  # newest first is usual then


def test_sort_links_change_only_the_order():
    s = search("q=x&type=kidnapping&page=3")
    assert s.query_string(sort="date") == "?q=x&type=kidnapping&sort=date"
    assert s.query_string(sort="relevance") == "?q=x&type=kidnapping"


def test_page_links_keep_search_and_sort_and_page_one_is_the_bare_search():
    s = search("q=x&city=tijuana&sort=date")
    assert s.query_string(page=2) == "?q=x&city=tijuana&sort=date&page=2"
    assert s.query_string(page=1) == "?q=x&city=tijuana&sort=date"


def test_download_links_carry_the_filters_without_sort_or_page(make_incident):
    from returnwatch.incidents.models import Citation, Document, DocumentKind

    # A document the public sees (a public source of a published case): the filter keeps it.
    doc = Document.objects.create(kind=DocumentKind.objects.get(code="news"), title="N")
    Citation.objects.create(incident=make_incident(), document=doc)
    s = search(f"q=x&city=tijuana&sort=date&page=2&document={doc.pk}")
    assert s.query_string(export=True) == f"?q=x&city=tijuana&document={doc.pk}"
    assert s.query_string(export=True, extra=[("bom", "1")]) == (
        f"?q=x&city=tijuana&document={doc.pk}&bom=1"
    )
    assert search("").query_string(export=True, extra=[("bom", "1")]) == "?bom=1"


def test_an_empty_search_links_to_the_bare_address():
    assert search("").query_string() == ""
    assert search("sort=-date").query_string() == ""
    assert search("type=kidnapping").query_string(toggle=("type", "kidnapping")) == ""


def test_filters_in_use_each_link_to_the_search_without_it():
    s = search("q=x&city=reynosa&year=2020&from=2020-02-01")
    applied = {(a.name, a.value): pairs(a.remove_query) for a in s.applied()}
    assert applied == {
        ("Words", "x"): [("city", "reynosa"), ("year", "2020"), ("from", "2020-02-01")],
        ("City", "Reynosa"): [("q", "x"), ("year", "2020"), ("from", "2020-02-01")],
        ("Year", "2020"): [("q", "x"), ("city", "reynosa"), ("from", "2020-02-01")],
        ("From", "Feb. 1, 2020"): [("q", "x"), ("city", "reynosa"), ("year", "2020")],
    }


# ---------------------------------------------------------------- the page


class Links(HTMLParser):
    """Every <a href> of a page, with its text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href") or "", []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            text = " ".join("".join(self._text).split())
            self.links.append((self._href, text.removeprefix("✕ ")))
            self._href = None


def links(html: str) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(html)
    return parser.links


@pytest.fixture
def cases(make_incident, monkeypatch):
    from returnwatch.incidents import views

    monkeypatch.setattr(views, "PER_PAGE", 5)  # two pages and more from a few cases
    for n in range(12):
        make_incident(
            title=f"Kidnapping {n}",
            summary="Held for ransom after return.",
            city="reynosa" if n % 2 else "tijuana",
            types=["kidnapping", "extortion"] if n % 3 else ["kidnapping"],
            date=dt.date(2020, 1, 1) + dt.timedelta(days=n),
        )


def test_every_search_link_on_the_page_keeps_words_filters_and_sort(client, cases):
    html = client.get("/incidents/?q=ransom&type=kidnapping&sort=date").content.decode()
    search_links = [
        (h, t) for h, t in links(html) if urlsplit(h).path == "/incidents/" and urlsplit(h).query
    ]
    facet_links = [(h, t) for h, t in search_links if "city=" in h]
    assert {t for _, t in facet_links} >= {"Reynosa", "Tijuana"}
    for href, text in search_links:
        got = parse_qsl(urlsplit(href).query)
        assert ("q", "ransom") in got or text.startswith("Remove filter Words"), (href, text)
        if text in ("Relevance", "Newest first"):  # the other orders (this one is not a link)
            assert (
                got[-1] == ("sort", "-date") if text == "Newest first" else "sort" not in dict(got)
            )
        else:
            assert ("sort", "date") in got, (href, text)
        assert ("type", "kidnapping") in got or "Kidnapping" in text, (href, text)
    reynosa = next(h for h, t in facet_links if t == "Reynosa")
    assert reynosa == "/incidents/?q=ransom&type=kidnapping&city=reynosa&sort=date"
    assert "/incidents/?q=ransom&type=kidnapping&sort=date&page=2" in dict(search_links)
    hrefs = dict(links(html))
    assert "/exports/incidents.csv?q=ransom&type=kidnapping" in hrefs
    assert "/exports/incidents.csv?q=ransom&type=kidnapping&bom=1" in hrefs
    assert "/feeds/incidents.atom?q=ransom&type=kidnapping" in hrefs


def test_following_a_facet_link_narrows_the_search_it_came_from(client, cases):
    html = client.get("/incidents/?q=ransom").content.decode()
    reynosa = next(h for h, t in links(html) if t == "Reynosa")
    narrowed = client.get(reynosa)
    assert narrowed.context["search"].q == "ransom"
    assert narrowed.context["page"].paginator.count == 6
    extortion = next(h for h, t in links(narrowed.content.decode()) if t == "Extortion")
    both = client.get(extortion)
    assert both.context["page"].paginator.count == 4
    html = both.content.decode()
    assert 'value="ransom"' in html  # the search box still holds the words
    remove = next(h for h, t in links(html) if t == "Remove filter City: Reynosa")
    assert client.get(remove).context["page"].paginator.count == 8


def test_cached_facets_of_the_whole_database_carry_each_visitors_sort(client, cases):
    assert client.get("/incidents/").status_code == 200  # fills the cache
    html = client.get("/incidents/?sort=date").content.decode()
    assert ("/incidents/?city=reynosa&sort=date", "Reynosa") in links(html)
    html = client.get("/incidents/").content.decode()
    assert ("/incidents/?city=reynosa", "Reynosa") in links(html)


def test_the_form_carries_the_filters_it_has_no_field_for(client, cases):
    html = client.get("/incidents/?q=ransom&city=reynosa&year=2020&sort=date").content.decode()
    assert '<input type="hidden" name="city" value="reynosa">' in html
    assert '<input type="hidden" name="year" value="2020">' in html
    assert '<input type="hidden" name="sort" value="date">' in html
    assert 'name="q" value="ransom"' in html and '<input type="hidden" name="q"' not in html


def test_spanish_search_links_stay_in_spanish(client, cases):
    html = client.get("/es/incidents/?q=ransom").content.decode()
    hrefs = [h for h, t in links(html) if t != "English"]  # the language switch
    assert "/es/incidents/?q=ransom&city=reynosa" in hrefs
    assert not [h for h in hrefs if h.startswith("/incidents/?")]


def test_a_search_narrowed_to_a_library_document_names_it_and_can_drop_it(client, make_incident):
    from returnwatch.incidents.models import Citation, Document, DocumentKind
    from returnwatch.library.models import LibraryItem

    document = Document.objects.create(
        kind=DocumentKind.objects.get(code="ngo-report"), title="Stranded at the border"
    )
    LibraryItem.objects.create(document=document, slug="stranded", kind="report")
    Citation.objects.create(incident=make_incident(title="Cited case"), document=document)
    make_incident(title="Other case")
    response = client.get(f"/incidents/?document={document.pk}")
    assert response.context["page"].paginator.count == 1
    remove = {t: h for h, t in links(response.content.decode())}
    assert remove["Remove filter Cited in: Stranded at the border"] == "/incidents/"
