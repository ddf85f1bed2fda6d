"""The CSV for Excel (`?bom=1`) starts with a UTF-8 byte-order mark, the plain CSV does not,
and both pages that offer downloads link to it; the data page's markup has no control
inside another."""

from __future__ import annotations

import codecs
import csv
import io
import re

import pytest

from .helpers import body

pytestmark = pytest.mark.django_db


@pytest.fixture
def accented(make_incident):
    return make_incident(
        title="Niña secuestrada en Ciudad Juárez",
        summary="Una niña y su mamá, devueltas bajo el MPP, fueron secuestradas.",
        city="ciudad-juarez",
    )


def test_bom_1_starts_the_csv_with_a_utf8_byte_order_mark(client, accented):
    data = body(client.get("/exports/incidents.csv?bom=1"))
    assert data.startswith(codecs.BOM_UTF8)
    assert data.count(codecs.BOM_UTF8) == 1
    # Read as Excel does with the mark (utf-8-sig): headers and accents intact.
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["title"] for r in rows] == ["Niña secuestrada en Ciudad Juárez"]
    assert list(rows[0])[0] == "reference"


def test_the_plain_csv_has_no_byte_order_mark(client, accented):
    for url in ("/exports/incidents.csv", "/exports/incidents.csv?bom=0"):
        data = body(client.get(url))
        assert data.startswith(b"reference,url,"), url
        assert codecs.BOM_UTF8 not in data


def test_bom_goes_with_hxl_and_the_search_filters(client, accented, make_incident):
    make_incident(title="Other city", city="tijuana")
    data = body(client.get("/exports/incidents.csv?bom=1&hxl=1&city=ciudad-juarez"))
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("reference,") and lines[1].startswith("#event+id,")
    assert len(lines) == 3


@pytest.mark.parametrize(
    "page, label",
    [
        ("/incidents/?q=juarez", "CSV for Excel"),
        ("/data/", "CSV for Excel"),
        ("/es/incidents/", "CSV para Excel"),
        ("/es/data/", "CSV para Excel"),
    ],
)
def test_search_and_data_pages_link_to_the_csv_for_excel(client, accented, page, label):
    html = client.get(page).content.decode()
    link = re.search(r'<a href="(/exports/incidents\.csv\?[^"]*bom=1[^"]*)">', html)
    assert link, page
    assert label in html[link.start() - 60 : link.end() + 40]
    assert body(client.get(link.group(1).replace("&amp;", "&"))).startswith(codecs.BOM_UTF8)


def test_data_page_has_no_link_inside_a_summary(client):
    """axe's nested-interactive: a <summary> is a control, so a link inside it is not
    reachable on its own. Each vocabulary's CSV link sits beside its summary instead."""
    html = client.get("/data/").content.decode()
    summaries = re.findall(r"<summary>(.*?)</summary>", html, flags=re.S)
    assert len(summaries) == 8
    assert [s for s in summaries if re.search(r"<(a|button|input|select)\b", s)] == []
    for name in ("violence_types", "cities", "ports_of_entry"):
        assert f'<a href="/exports/vocabularies/{name}.csv">{name}.csv</a>' in html
