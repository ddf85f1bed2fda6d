"""/resources/: filters, search, sorting, paging, counts of citing cases; item pages; lawsuits."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from returnwatch import public
from returnwatch.incidents.models import Citation
from returnwatch.library.models import LawsuitStatusChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf(make_item: Any) -> dict[str, Any]:
    """Five items of different kinds, organizations, years, languages and programs."""
    return {
        "report": make_item(
            "Stranded at the border",
            title_es="Varados en la frontera",
            summary_es="Informe sobre ataques en Nuevo Laredo.",
            date=dt.date(2019, 12, 5),
        ),
        "investigation": make_item(
            "Oversight review of returns",
            kind="investigation",
            document_kind="government",
            publisher="Office of the Demo Inspector General",
            date=dt.date(2021, 1, 12),
            summary="Officers rarely asked about fear of return.",
        ),
        "news": make_item(
            "Secuestros en Reynosa",
            kind="news-investigation",
            document_kind="news",
            publisher="Diario Ejemplo",
            language="es",
            date=dt.date(2020, 8, 2),
            summary="Investigación sobre redes de secuestro en Tamaulipas.",
        ),
        "lawsuit": make_item(
            "Doe Families v. Secretary",
            kind="lawsuit",
            document_kind="court",
            publisher="Example Legal Aid",
            date=dt.date(2019, 2, 14),
            court="District Court (fictional)",
            docket_number="0:19-cv-00001",
            parties="Doe Families v. Secretary",
            filing_date=dt.date(2019, 2, 14),
            lawsuit_status="appealed",
        ),
        "title42": make_item(
            "Expelled under Title 42",
            programs=("title-42",),
            date=dt.date(2022, 4, 21),
        ),
    }


def titles(response: Any) -> list[str]:
    html = response.content.decode()
    section = html.split('id="results-heading"', 1)[1]
    return re.findall(r"<h3><a href=\"[^\"]+\">([^<]+)</a></h3>", section)


def get(client: Client, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, url
    return response


@pytest.mark.parametrize(
    "query, expected",
    [
        ("", {"Stranded at the border", "Oversight review of returns", "Secuestros en Reynosa",
              "Doe Families v. Secretary", "Expelled under Title 42"}),
        ("kind=lawsuit", {"Doe Families v. Secretary"}),
        ("kind=lawsuit&kind=investigation", {"Doe Families v. Secretary", "Oversight review of returns"}),
        ("organization=Diario+Ejemplo", {"Secuestros en Reynosa"}),
        ("year=2019", {"Stranded at the border", "Doe Families v. Secretary"}),
        ("language=es", {"Secuestros en Reynosa"}),
        ("program=title-42", {"Expelled under Title 42"}),
        ("program=mpp-2019&year=2021", {"Oversight review of returns"}),
        ("kind=report&year=2022", {"Expelled under Title 42"}),
    ],
)  # fmt: skip
def test_filters(client: Client, shelf: Any, query: str, expected: set[str]) -> None:
    assert set(titles(get(client, f"/resources/?{query}"))) == expected


@pytest.mark.parametrize(
    "q, expected",
    [
        ("stranded", {"Stranded at the border"}),
        ("varados", {"Stranded at the border"}),  # Spanish title of an English report
        ("NUEVO LAREDO", {"Stranded at the border"}),  # Spanish summary, any case
        ("investigacion", {"Secuestros en Reynosa"}),  # no accent finds "Investigación"
        ("secuestro", {"Secuestros en Reynosa"}),  # word start
        ("fear return", {"Oversight review of returns"}),  # every word must appear
        ("inspector", {"Oversight review of returns"}),  # publisher
        ("0 19 cv", {"Doe Families v. Secretary"}),  # docket number
        ("ecuestros", set()),  # not inside a word
        ("nothing-like-this", set()),
    ],
)
def test_search_titles_and_summaries_in_both_languages(
    client: Client, shelf: Any, q: str, expected: set[str]
) -> None:
    assert set(titles(get(client, f"/resources/?q={q}"))) == expected


def test_sort_by_date_and_paging(client: Client, make_item: Any) -> None:
    for n in range(25):
        make_item(f"Report {n:02d}", date=dt.date(2000 + n, 1, 1))
    first = titles(get(client, "/resources/"))
    assert len(first) == 20 and first[0] == "Report 24" and first[-1] == "Report 05"
    second = get(client, "/resources/?page=2")
    assert titles(second) == [f"Report {n:02d}" for n in range(4, -1, -1)]
    assert "25 items" in second.content.decode()
    assert titles(get(client, "/resources/?sort=oldest"))[0] == "Report 00"
    # The next page link keeps the filters.
    html = get(client, "/resources/?sort=oldest&year=2001&year=2002").content.decode()
    assert "2 items" in html


def test_facet_counts_apply_other_filters(client: Client, shelf: Any) -> None:
    html = get(client, "/resources/?year=2019").content.decode()
    kinds = html.split('class="facet-kind"', 1)[1].split("</ul>", 1)[0]
    # With year=2019 there is one report and one lawsuit; other kinds are not offered.
    assert re.search(r"Human rights report</a> <span class=\"count\">1<", kinds)
    assert re.search(r"Lawsuit</a> <span class=\"count\">1<", kinds)
    assert "News investigation" not in kinds
    years = html.split('class="facet-year"', 1)[1].split("</ul>", 1)[0]
    # Its own facet ignores its own filter, so other years stay offered.
    assert "2022" in years and "2021" in years and "✕ 2019" in years


def test_unknown_values_are_notices_not_errors(client: Client, shelf: Any) -> None:
    response = get(client, "/resources/?kind=poem&program=nope&year=19x&sort=sideways&page=99")
    html = response.content.decode()
    assert "Unknown value ignored: kind=poem" in html
    assert "Unknown value ignored: program=nope" in html
    assert "Unknown sort order ignored" in html
    assert len(titles(response)) == 5  # page 99 shows the last page


def test_counts_only_published_cases(client: Client, make_item: Any, make_incident: Any) -> None:
    published = [make_incident(title=f"Published case {n}") for n in range(3)]
    draft = make_incident(title="Draft case", status="draft")
    review = make_incident(title="Case in review", status="review")
    retracted = make_incident(title="Retracted case", status="retracted")
    merged = make_incident(title="Merged duplicate", merged_into=published[0])
    item = make_item("Counting report", cited_by=(*published, draft, review, retracted, merged))

    rows = public.with_incident_counts(public.library_items()).get(pk=item.pk)
    assert rows.incident_count == 3  # type: ignore[attr-defined]  # annotate()d

    listing = get(client, "/resources/").content.decode()
    assert "Documents 3 published cases" in listing
    assert f'href="/incidents/?document={item.document_id}"' in listing

    page = get(client, f"/resources/{item.slug}/").content.decode()
    assert "This report documents 3 published cases" in page
    assert f'href="/incidents/?document={item.document_id}"' in page
    for incident in published:
        assert f'href="/incidents/{incident.reference}/"' in page
    for hidden in (draft, review, retracted, merged):
        assert hidden.reference not in page
        assert hidden.title not in page


def test_no_count_when_nothing_published_cites(
    client: Client, make_item: Any, make_incident: Any
) -> None:
    item = make_item("Lonely report", cited_by=(make_incident(status="draft"),))
    page = get(client, f"/resources/{item.slug}/").content.decode()
    assert "No published case in the database cites this item yet." in page
    assert "/incidents/?document=" not in page


def test_item_page_shows_summary_publisher_date_link_and_hash(
    client: Client, make_item: Any
) -> None:
    item = make_item("Hashed report", summary="What the report found.")
    doc = item.document
    doc.sha256 = "a" * 64
    doc.size = 2048
    doc.media_type = "application/pdf"
    doc.captured_at = dt.datetime(2020, 2, 1, tzinfo=dt.UTC)
    doc.save()
    page = get(client, "/resources/hashed-report/").content.decode()
    for text in ("Hashed report", "What the report found.", "Fictional Rights Watch (demo)",
                 "Jan. 15, 2020", "https://example.org/hashed-report", "a" * 64, "Human rights report"):  # fmt: skip
        assert text in page
    # The archived file itself is never linked in public.
    assert "/media/" not in page and "archive/" not in page


def test_lawsuit_page_shows_court_docket_parties_status_history_and_filings(
    client: Client, shelf: Any, make_item: Any
) -> None:
    suit = shelf["lawsuit"]
    LawsuitStatusChange.objects.create(item=suit, date=dt.date(2019, 2, 14), status="pending",
                                       note="Complaint filed.", note_es="Se presentó la demanda.")  # fmt: skip
    LawsuitStatusChange.objects.create(item=suit, date=dt.date(2019, 5, 7), status="appealed",
                                       note="The government appealed.", note_es="El gobierno apeló.")  # fmt: skip
    filing = make_item(
        "Order granting injunction", slug="order", kind="lawsuit", document_kind="court"
    )
    suit.key_filings.create(document=filing.document)
    interview = make_item("Interview with plaintiff", slug="int", document_kind="interview")
    suit.key_filings.create(document=interview.document, position=2)

    page = get(client, f"/resources/{suit.slug}/").content.decode()
    for text in ("District Court (fictional)", "0:19-cv-00001", "Doe Families v. Secretary",
                 "Feb. 14, 2019", "Appealed", "Complaint filed.", "The government appealed.",
                 "Order granting injunction", "Key filings"):  # fmt: skip
        assert text in page
    assert page.index("Complaint filed.") < page.index("The government appealed.")
    assert "Interview with plaintiff" not in page  # a non-public kind is never a public filing

    es = get(client, f"/es/resources/{suit.slug}/").content.decode()
    assert "Se presentó la demanda." in es and "El gobierno apeló." in es


def test_spanish_pages_use_spanish_titles(client: Client, shelf: Any) -> None:
    es = get(client, "/es/resources/")
    assert "Varados en la frontera" in titles(es)
    assert "Secuestros en Reynosa" in titles(es)  # no Spanish title: the original
    page = get(client, f"/es/resources/{shelf['report'].slug}/").content.decode()
    assert "Varados en la frontera" in page and "Informe sobre ataques en Nuevo Laredo." in page
    en = get(client, f"/resources/{shelf['report'].slug}/").content.decode()
    assert "Varados en la frontera" not in en


def test_unlisted_and_non_public_kinds_are_not_found(client: Client, make_item: Any) -> None:
    make_item("Hidden report", slug="hidden", listed=False)
    make_item("Tip turned item", slug="tip-item", document_kind="tip")
    assert client.get("/resources/hidden/").status_code == 404
    assert client.get("/resources/tip-item/").status_code == 404
    assert client.get("/resources/no-such-item/").status_code == 404
    listing = get(client, "/resources/").content.decode()
    assert "Hidden report" not in listing and "Tip turned item" not in listing


def test_library_items_for_cites_published_incidents_only(
    make_item: Any, make_incident: Any
) -> None:
    published = make_incident()
    draft = make_incident(status="draft")
    retracted = make_incident(status="retracted")
    report = make_item("Cites all three", cited_by=(published, draft, retracted))
    make_item(
        "Cites the published one", slug="second", date=dt.date(2021, 1, 1), cited_by=(published,)
    )
    make_item("Hidden", slug="hidden", listed=False, cited_by=(published,))
    make_item("Interview", slug="interview", document_kind="interview", cited_by=(published,))
    make_item("Not citing", slug="not-citing")

    items = public.library_items_for(published.reference)
    assert [i.title for i in items] == ["Cites the published one", "Cites all three"]
    assert (
        items[1].slug == report.slug
        and items[1].get_absolute_url() == "/resources/cites-all-three/"
    )
    assert public.library_items_for(draft.reference) == []
    assert public.library_items_for(retracted.reference) == []
    assert public.library_items_for("RW-1999-00001") == []


def test_incident_items_template(make_item: Any, make_incident: Any) -> None:
    incident = make_incident()
    make_item("A report", title_es="Un informe", cited_by=(incident,))
    make_item("A lawsuit", slug="suit", kind="lawsuit", document_kind="court",
              court="Court", lawsuit_status="settled", cited_by=(incident,))  # fmt: skip
    items = public.library_items_for(incident.reference)
    html = render_to_string("library/incident_items.html", {"items": items})
    assert 'href="/resources/a-report/"' in html and "A report" in html
    assert "Lawsuit" in html and "Settled" in html
    with translation.override("es"):
        html_es = render_to_string("library/incident_items.html", {"items": items})
    assert "Un informe" in html_es and 'href="/es/resources/a-report/"' in html_es
    assert render_to_string("library/incident_items.html", {"items": []}).strip() == ""


def test_editing_a_document_elsewhere_refreshes_search(client: Client, make_item: Any) -> None:
    item = make_item("Old title")
    item.document.title = "Brand new wording"
    item.document.save()
    assert titles(get(client, "/resources/?q=wording")) == ["Brand new wording"]
    assert titles(get(client, "/resources/?q=old")) == []


def test_item_cited_by_many_lists_ten_and_links_the_rest(
    client: Client, make_item: Any, make_incident: Any
) -> None:
    incidents = [make_incident(title=f"Case {n}") for n in range(12)]
    item = make_item("Big report", cited_by=tuple(incidents))
    page = get(client, f"/resources/{item.slug}/").content.decode()
    assert "This report documents 12 published cases" in page
    assert page.count('href="/incidents/RW-') == 10
    assert "See all 12 cases" in page
    assert Citation.objects.filter(document=item.document).count() == 12


def test_spanish_labels(client: Client, shelf: Any) -> None:
    html = get(client, "/es/resources/?kind=lawsuit").content.decode()
    for text in ("Biblioteca", "Demanda judicial", "Apelada", "Palabras en títulos y resúmenes",
                 "1 elemento", "Más recientes primero", "Organización", "Año", "Programa"):  # fmt: skip
        assert text in html, text
    page = get(client, f"/es/resources/{shelf['lawsuit'].slug}/").content.decode()
    for text in (
        "La demanda",
        "Tribunal",
        "Número de expediente",
        "Partes",
        "Fecha de presentación",
    ):
        assert text in page, text
    assert "Docket number" not in page and "The lawsuit" not in page


def test_case_pages_list_the_items_and_the_count_matches_the_case_search(
    client: Client, make_item: Any, make_incident: Any
) -> None:
    published = [make_incident(title=f"Published case {n}") for n in range(4)]
    hidden = [
        make_incident(title="Draft case", status="draft"),
        make_incident(title="Retracted case", status="retracted"),
        make_incident(title="Merged duplicate", merged_into=published[0]),
    ]
    item = make_item("Shared report", title_es="Informe compartido", cited_by=(*published, *hidden))
    page = get(client, f"/incidents/{published[1].reference}/").content.decode()
    assert 'href="/resources/shared-report/"' in page and "In the library" in page
    es = get(client, f"/es/incidents/{published[1].reference}/").content.decode()
    assert 'href="/es/resources/shared-report/"' in es and "Informe compartido" in es
    retracted = client.get(f"/incidents/{hidden[1].reference}/").content.decode()
    assert "/resources/shared-report/" not in retracted
    # The count on the library page is the number of cases the linked search finds.
    search = get(client, f"/incidents/?document={item.document_id}").content.decode()
    found = set(re.findall(r"RW-\d{4}-\d{5}", search))
    assert found == {i.reference for i in published}
    assert (
        "This report documents 4 published cases"
        in get(client, "/resources/shared-report/").content.decode()
    )
