"""Every export format, read back by its real reader."""

from __future__ import annotations

import asyncio
import concurrent.futures
import csv
import io
import json
import sqlite3
import zipfile

import geojson
import hxl
import pytest

from returnwatch.exports import formats

from .helpers import body

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(make_incident):
    a = make_incident(
        title="Kidnapping in Reynosa",
        city="reynosa",
        types=["kidnapping", "extortion"],
        groups=["child", "family"],
        nationalities=["hn", "gt"],
        perpetrators=["cartel"],
        victims_count=4,
        children_count=2,
        complaint_crcl=True,
    )
    b = make_incident(title="Robbery in Tijuana", city="tijuana", types=["armed-robbery"])
    c = make_incident(title="Undated, no city", city=None, date=None, types=[])
    return a, b, c


def _csv(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.streaming
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8"))))


def test_csv_reads_back_with_multi_valued_fields_joined_by_semicolons(client, three):
    rows = _csv(client, "/exports/incidents.csv")
    assert [r["reference"] for r in rows] == [i.reference for i in three]
    first = rows[0]
    assert first["title"] == "Kidnapping in Reynosa"
    assert first["violence_types"] == "kidnapping;extortion"  # vocabulary order
    assert set(first["nationalities"].split(";")) == {"hn", "gt"}
    assert first["victim_groups"] == "child;family"
    assert first["city"] == "reynosa" and first["city_name"] == "Reynosa"
    assert first["complaint_crcl"] == "true" and first["lawsuit"] == "false"
    assert first["url"].endswith(f"/incidents/{three[0].reference}/")
    assert list(rows[0]) == list(formats.COLUMNS)
    assert rows[2]["city"] == "" and rows[2]["date"] == "" and rows[2]["violence_types"] == ""


def test_exports_take_the_search_parameters(client, three):
    rows = _csv(client, "/exports/incidents.csv?city=reynosa&type=kidnapping")
    assert [r["title"] for r in rows] == ["Kidnapping in Reynosa"]
    rows = _csv(client, "/exports/incidents.csv?q=tijuana")
    assert [r["title"] for r in rows] == ["Robbery in Tijuana"]
    # Unknown codes are ignored, never an error.
    rows = _csv(client, "/exports/incidents.csv?city=atlantis")
    assert len(rows) == 3


def test_no_row_cap_and_chunks_join_up(client, make_incident, monkeypatch):
    from returnwatch import public

    original = public.export_chunks
    monkeypatch.setattr(
        public, "export_chunks", lambda qs, chunk_size=7, **kw: original(qs, chunk_size, **kw)
    )
    made = [make_incident(title=f"Case {n}") for n in range(23)]
    rows = _csv(client, "/exports/incidents.csv")
    assert [r["reference"] for r in rows] == [i.reference for i in made]
    data = json.loads(body(client.get("/exports/incidents.json")))
    assert len(data["incidents"]) == 23


def test_multi_valued_codes_follow_vocabulary_order_not_insertion_order(client, make_incident):
    from returnwatch.incidents.models import Incident, ViolenceType

    incident = make_incident(types=[])
    through = Incident.violence_types.through
    for code in ("other", "extortion", "kidnapping"):  # positions 14, 9, 0
        through.objects.create(incident=incident, violencetype=ViolenceType.objects.get(code=code))
    (row,) = _csv(client, "/exports/incidents.csv")
    assert row["violence_types"] == "kidnapping;extortion;other"
    data = json.loads(body(client.get("/exports/incidents.json")))
    assert data["incidents"][0]["violence_types"] == ["kidnapping", "extortion", "other"]


def test_hxl_row_reads_with_libhxl(client, three):
    text = body(client.get("/exports/incidents.csv?hxl=1")).decode()
    source = hxl.data(hxl.input.make_input(io.BytesIO(text.encode()), hxl.input.InputOptions()))
    tags = source.display_tags
    assert "#event+id" in tags and "#adm2+code" in tags and "#affected+num" in tags
    rows = list(source)
    assert len(rows) == 3
    assert rows[0].get("#event+id") == three[0].reference
    assert rows[0].get("#adm2+name") == "Reynosa"
    assert rows[0].get("#affected+num") == "4"


def test_json_reads_back_with_lists_licence_and_citation(client, three, settings):
    settings.DATA_LICENSE = "CC-BY-4.0"
    data = json.loads(body(client.get("/exports/incidents.json?city=reynosa")))
    assert data["license"]["name"] == "CC-BY-4.0"
    assert "/data/" in data["citation"]
    assert data["parameters"] == [["city", "reynosa"]]
    (record,) = data["incidents"]
    assert record["violence_types"] == ["kidnapping", "extortion"]
    assert record["victims_count"] == 4 and record["complaint_crcl"] is True
    assert record["date"] == "2019-10-03"
    assert record["latitude"] == pytest.approx(26.0508, abs=0.01)


def test_geojson_is_valid_with_points_at_city_coordinates(client, three):
    text = body(client.get("/exports/incidents.geojson"))
    collection = geojson.loads(text)
    assert collection.is_valid, collection.errors()
    features = collection["features"]
    assert len(features) == 3
    reynosa = features[0]
    from returnwatch.incidents.models import City

    city = City.objects.get(code="reynosa")
    assert reynosa["geometry"]["coordinates"] == [float(city.longitude), float(city.latitude)]
    assert reynosa["properties"]["violence_types"] == ["kidnapping", "extortion"]
    assert features[2]["geometry"] is None  # no city: no point, never a guess


def test_sqlite_opens_with_lookup_tables_links_and_full_text(client, three, tmp_path):
    response = client.get("/exports/incidents.sqlite")
    assert response["Content-Type"] == "application/vnd.sqlite3"
    path = tmp_path / "rw.sqlite"
    path.write_bytes(body(response))
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM incidents").fetchone() == (3,)
    row = db.execute(
        "SELECT violence_types, victims_count, complaint_crcl FROM incidents WHERE city='reynosa'"
    ).fetchone()
    assert row == ("kidnapping;extortion", 4, 1)
    name = db.execute(
        "SELECT c.name FROM incidents i JOIN cities c ON c.code = i.city WHERE i.city='tijuana'"
    ).fetchone()
    assert name == ("Tijuana",)
    assert db.execute(
        "SELECT count(*) FROM incident_violence_types WHERE violence_type='kidnapping'"
    ).fetchone() == (1,)
    hits = db.execute(
        "SELECT i.title FROM incidents_fts f JOIN incidents i ON i.rowid = f.rowid "
        "WHERE incidents_fts MATCH 'robbery'"
    ).fetchall()
    assert hits == [("Robbery in Tijuana",)]
    db.close()


def test_sqlite_file_works_in_datasette(client, three, tmp_path):
    from datasette.app import Datasette

    path = tmp_path / "returnwatch.db"
    path.write_bytes(body(client.get("/exports/incidents.sqlite")))

    async def run():
        ds = Datasette([str(path)])
        await ds.invoke_startup()
        tables = (await ds.client.get("/returnwatch.json")).json()["tables"]
        incidents = next(t for t in tables if t["name"] == "incidents")
        assert incidents["fts_table"] == "incidents_fts"
        found = (
            await ds.client.get("/returnwatch/incidents.json?_search=kidnapping&_shape=array")
        ).json()
        assert [r["title"] for r in found] == ["Kidnapping in Reynosa"]
        # The city column is a foreign key Datasette labels from the lookup table.
        labelled = (
            await ds.client.get("/returnwatch/incidents.json?_shape=array&_labels=on&city=tijuana")
        ).json()
        assert labelled[0]["city"] == {"value": "tijuana", "label": "Tijuana"}
        facet = (
            await ds.client.get("/returnwatch/incident_violence_types.json?_facet=violence_type")
        ).json()
        counts = {
            f["value"]: f["count"] for f in facet["facet_results"]["violence_type"]["results"]
        }
        assert counts["kidnapping"] == 1

    # In a thread of its own: this process's browser tests (Playwright's sync API) may keep an
    # event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, run()).result()


def test_datapackage_passes_frictionless_validate(client, three, tmp_path):
    from frictionless import validate

    response = client.get("/exports/datapackage.zip?city=reynosa&city=tijuana")
    data = body(response)
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    archive.extractall(tmp_path)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"
    assert "citation" in descriptor
    assert descriptor["resources"][0]["schema"]["primaryKey"] == ["reference"]
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = list(csv.DictReader(io.StringIO((tmp_path / "incidents.csv").read_text())))
    assert {r["city"] for r in rows} == {"reynosa", "tijuana"}


def test_vocabulary_csv_downloads(client):
    text = body(client.get("/exports/vocabularies/violence_types.csv")).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    kidnapping = next(r for r in rows if r["code"] == "kidnapping")
    assert kidnapping["label_es"] == "Secuestro"
    assert client.get("/exports/vocabularies/persons.csv").status_code == 404


def test_search_page_links_every_export_of_the_current_search(client, three):
    html = client.get("/incidents/?city=reynosa").content.decode()
    for path in ("incidents.csv", "incidents.json", "incidents.geojson", "incidents.sqlite",
                 "datapackage.zip"):  # fmt: skip
        assert f"/exports/{path}?city=reynosa" in html
    assert "/feeds/incidents.atom?city=reynosa" in html


def test_data_page_documents_fields_vocabularies_licence_in_english_and_spanish(client, settings):
    settings.DATA_LICENSE = "CC-BY-4.0"
    html = client.get("/data/").content.decode()
    for name in formats.COLUMNS:
        assert f"<code>{name}</code>" in html
    assert "/exports/vocabularies/violence_types.csv" in html
    assert "Creative Commons Attribution 4.0" in html
    assert "Counting rules" in html
    assert "kidnapping;extortion" in html
    spanish = client.get("/es/data/").content.decode()
    assert "Reglas de conteo" in spanish
    assert "Secuestro" in spanish


def test_exports_are_not_in_another_language_for_a_spanish_browser(client, three):
    data = json.loads(body(client.get("/exports/incidents.json", HTTP_ACCEPT_LANGUAGE="es")))
    assert data["incidents"][0]["violence_types"] == ["kidnapping", "extortion"]


def test_streaming_export_does_not_build_the_whole_file_in_memory(make_incident):
    """The CSV generator yields one piece per chunk of rows, not one piece at the end."""
    from returnwatch import public

    for n in range(12):
        make_incident(title=f"Case {n}")
    qs = public.incidents()
    pieces = list(formats.csv_chunks(qs))
    assert len(pieces) == 2  # header, then one chunk of rows
    chunks = list(public.export_rows(qs, chunk_size=5))
    assert [len(c) for c in chunks] == [5, 5, 2]


def test_filtered_export_reads_many_valued_fields_of_its_own_rows(client, make_incident):
    """A search that leaves gaps in the id range (the sparse path) still gets each row's codes."""
    for n in range(9):
        city = "reynosa" if n % 3 == 0 else "tijuana"
        types = ["kidnapping", "extortion"] if n % 3 == 0 else ["armed-robbery"]
        make_incident(title=f"Case {n}", city=city, types=types, nationalities=["hn"])
    rows = _csv(client, "/exports/incidents.csv?city=reynosa")
    assert [r["title"] for r in rows] == ["Case 0", "Case 3", "Case 6"]
    assert {r["violence_types"] for r in rows} == {"kidnapping;extortion"}
    assert {r["nationalities"] for r in rows} == {"hn"}
