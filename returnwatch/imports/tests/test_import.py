"""Import of spreadsheets: messy files, the report, all or nothing, updates, round trips."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from returnwatch.audit.models import Entry
from returnwatch.exports.tests.helpers import body
from returnwatch.imports import importer
from returnwatch.imports.models import ImportBatch, ImportMapping
from returnwatch.incidents.models import Citation, Document, Incident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    # Reports are in the language of the request; these tests call the engine directly,
    # after other tests may have left another language active in this thread.
    from django.utils import translation

    with translation.override("en"):
        yield


HEADERS = [
    "ID", "Título", "Resumen", "Fecha", "Ciudad", "Tipo de violencia", "Grupo", "Nacionalidad",
    "Víctimas", "Niños", "Fuente", "Miedo", "Narrativa",
]  # fmt: skip
GOOD: list[list[Any]] = [
    ["A-1", "Secuestro en la central", "Resumen uno", dt.datetime(2019, 10, 3), "Nuevo Laredo",
     "Secuestro; EXTORSIÓN", "niña o niño", "Honduras", 3, 1, "https://example.org/a", "sí",
     "Nombre de la persona"],
    ["A-2", "Agresión a una familia", None, "octubre 2019", "REYNOSA", "agresion fisica", None,
     "hn", 2, None, None, "no", None],
    ["A-3", "Robo en Tijuana", "", "oct. 2019", "tijuana", "Robbery or armed robbery", "",
     "GUATEMALA", 1, 0, "", "", ""],
    ["A-4", "Intento de secuestro", "x", "03/10/2019", "matamoros", "attempted-kidnapping",
     "Family", "sv", "1", "0", "https://example.org/b; https://example.org/c", "unknown", None],
]  # fmt: skip
BAD: list[Any] = ["A-5", "Fila mala", "x", "32/13/2019", "Atlantis", "volar", None, None, 1, 5,
       "no es una dirección", "quizás", None]  # fmt: skip
YEAR_ONLY = ["A-6", "Solo el año", "x", 2020, None, None, None, None, None, None, None, None, None]
FIXED: list[Any] = ["A-5", "Fila arreglada", "x", "c. 2019-05", "Ciudad Juárez", "Tortura", None, None, 1,
         0, None, None, None]  # fmt: skip


def xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def messy(fixed: bool = False) -> bytes:
    # Rows with blank cells, a fully blank row in the middle, and one bad row.
    return xlsx([*GOOD, [None] * len(HEADERS), FIXED if fixed else BAD, YEAR_ONLY])


def run(data: bytes, user, name="cases.xlsx", **options):
    table = importer.read_table(data, name)
    mapping = importer.guess_mapping(table.headers)
    return importer.plan(table, mapping, user, importer.Options(**options))


def test_messy_spreadsheet_gives_the_right_report_and_applies_nothing(researcher):
    report = run(messy(), researcher)
    assert report.rows == 6  # the blank row is skipped
    assert (report.creates, report.updates, report.bad_rows) == (5, 0, 1)
    bad = {(e.row, e.column) for e in report.errors}
    # The bad row is row 7 of the sheet (header, four rows, a blank row).
    assert bad == {
        (7, "Fecha"), (7, "Ciudad"), (7, "Tipo de violencia"), (7, "Fuente"), (7, "Miedo"),
        (7, "Niños"),
    }  # fmt: skip
    messages = " ".join(e.message for e in report.errors)
    assert "“Atlantis” is not a known city" in messages
    assert "“32/13/2019” is not a date that exists" in messages
    assert "There cannot be more children than people harmed (1)." in messages
    with pytest.raises(importer.NotApplied):
        importer.apply(report, researcher)
    assert Incident.objects.count() == 0 and Document.objects.count() == 0


def test_fixed_spreadsheet_imports_drafts_with_every_value_read(researcher):
    report = run(messy(fixed=True), researcher)
    assert report.ok, report.describe()
    importer.apply(report, researcher)
    assert Incident.objects.count() == 6
    assert set(Incident.objects.values_list("status", flat=True)) == {"draft"}
    a1 = Incident.objects.get(external_id="A-1")
    assert (a1.date, a1.date_precision) == (dt.date(2019, 10, 3), "day")
    assert a1.city.code == "nuevo-laredo"
    assert sorted(a1.violence_types.values_list("code", flat=True)) == ["extortion", "kidnapping"]
    assert list(a1.victim_groups.values_list("code", flat=True)) == ["child"]
    assert list(a1.nationalities.values_list("code", flat=True)) == ["hn"]
    assert (a1.victims_count, a1.children_count, a1.fear_expressed) == (3, 1, "yes")
    assert a1.narrative == "Nombre de la persona"
    assert a1.created_by == researcher and a1.organization == researcher.organization
    assert Citation.objects.get(incident=a1).document.url == "https://example.org/a"
    a2 = Incident.objects.get(external_id="A-2")
    assert (a2.date, a2.date_precision, a2.summary, a2.children_count) == (
        dt.date(2019, 10, 1),
        "month",
        "",
        0,
    )
    assert list(a2.violence_types.values_list("code", flat=True)) == ["assault"]
    a3 = Incident.objects.get(external_id="A-3")
    assert (a3.date_precision, a3.fear_expressed) == ("month", "unknown")
    assert list(a3.nationalities.values_list("code", flat=True)) == ["gt"]
    a4 = Incident.objects.get(external_id="A-4")
    assert a4.date == dt.date(2019, 10, 3)  # day first by default
    assert a4.citations.count() == 2
    a5 = Incident.objects.get(external_id="A-5")
    assert (a5.date, a5.date_precision, a5.city.code) == (
        dt.date(2019, 5, 1),
        "approximate",
        "ciudad-juarez",
    )
    a6 = Incident.objects.get(external_id="A-6")
    assert (a6.date, a6.date_precision, a6.reference) == (
        dt.date(2020, 1, 1),
        "year",
        "RW-2020-00001",
    )
    # Found by the search index like any record.
    from returnwatch.incidents import search

    assert search.filter_text(Incident.objects.all(), "extorsion", scope="everything").count() == 1
    # The index written from memory is what indexing the saved record gives.
    from returnwatch.incidents.models import SearchEntry

    for incident in search.prefetched(list(Incident.objects.values_list("pk", flat=True))):
        entry = SearchEntry.objects.get(incident=incident)
        assert (entry.public, entry.everything) == search.texts(incident)
    # The history chain still verifies after entries appended in bulk.
    from returnwatch.audit.integrity import verify_chain

    problems, count, _last = verify_chain()
    assert problems == [] and count >= 6
    # Every new incident has its entry in the change history.
    assert Entry.objects.filter(action="create", target_type="incidents.incident").count() == 6


def test_month_first_order_is_a_choice(researcher):
    report = run(messy(fixed=True), researcher, date_order="mdy")
    a4 = next(p for p in report.plans if p.values["external_id"] == "A-4")
    assert a4.values["date"] == dt.date(2019, 3, 10)


def test_reimporting_with_external_ids_updates_instead_of_duplicating(researcher):
    importer.apply(run(messy(fixed=True), researcher), researcher)
    again = run(messy(fixed=True), researcher)
    assert (again.creates, again.updates, again.unchanged) == (0, 0, 6)
    rows = [list(r) for r in GOOD]
    rows[1][1] = "Agresión a una familia (corregido)"
    changed = run(xlsx(rows), researcher)
    assert (changed.creates, changed.updates, changed.unchanged) == (0, 1, 3)
    assert changed.plans[1].changed == ["title"]
    importer.apply(changed, researcher)
    assert Incident.objects.count() == 6
    assert Incident.objects.get(external_id="A-2").title.endswith("(corregido)")
    assert Entry.objects.filter(action="update", fields=["title"]).count() == 1


def test_import_never_changes_what_the_public_sees(researcher, make_incident):
    published = make_incident(title="Old title", external_id="A-1")
    report = run(xlsx([GOOD[0]]), researcher)
    assert report.bad_rows == 1
    assert "public (published)" in report.errors[0].message
    published.refresh_from_db()
    assert published.title == "Old title"


def test_duplicate_keys_in_one_file_are_bad_rows(researcher):
    report = run(xlsx([GOOD[0], GOOD[0]]), researcher)
    assert [e.row for e in report.errors] == [3]
    assert "already in row 2" in report.errors[0].message


def test_export_then_import_gives_back_the_same_records(client, researcher, make_incident):
    make_incident(
        title="Kidnapping with everything",
        city="reynosa",
        place="bus-station",
        types=["kidnapping", "extortion"],
        perpetrators=["cartel"],
        groups=["child", "family"],
        nationalities=["hn", "gt"],
        victims_count=4,
        children_count=2,
        gender="mixed",
        fear_expressed="yes",
        complaint_crcl=True,
        lawsuit=True,
        verification="several",
        date_precision="month",
        date=dt.date(2019, 10, 1),
        date_reported=dt.date(2019, 11, 2),
    )
    make_incident(title="Bare", city=None, date=None, types=[], program=None)
    exported = body(client.get("/exports/incidents.csv")).decode()
    # Into the same database: every row is the record it came from, unchanged.
    same = run(exported.encode(), researcher, name="incidents.csv")
    assert (same.unchanged, same.creates, same.bad_rows) == (2, 0, 0)
    # Into an empty one: the same records come back.
    Incident.objects.all().delete()
    report = run(exported.encode(), researcher, name="incidents.csv")
    assert report.ok and report.creates == 2, report.describe()
    importer.apply(report, researcher)
    Incident.objects.update(status="published")
    again = body(client.get("/exports/incidents.csv")).decode()
    skip = {"reference", "url", "published_at"}
    before = [
        {k: v for k, v in r.items() if k not in skip} for r in csv.DictReader(io.StringIO(exported))
    ]
    after = [
        {k: v for k, v in r.items() if k not in skip} for r in csv.DictReader(io.StringIO(again))
    ]
    for row in before:
        row["is_demo"] = "false"
    assert after == before
    # The old references became external IDs: the same file updates these records again.
    assert run(exported.encode(), researcher, name="incidents.csv").creates == 0


def test_hxl_export_imports_too(client, researcher, make_incident):
    make_incident(title="With HXL")
    data = body(client.get("/exports/incidents.csv?hxl=1"))
    Incident.objects.all().delete()
    report = run(data, researcher, name="x.csv")
    assert report.ok and report.rows == 1 and report.creates == 1


def test_command_dry_run_writes_nothing_and_apply_writes(tmp_path, researcher):
    path = tmp_path / "cases.xlsx"
    path.write_bytes(messy())
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_incidents", str(path), user="rita", stdout=out)
    assert "row 7, Ciudad: “Atlantis” is not a known city" in out.getvalue()
    assert Incident.objects.count() == 0
    path.write_bytes(messy(fixed=True))
    out = io.StringIO()
    call_command("import_incidents", str(path), user="rita", dry_run=True, stdout=out)
    assert "6 to create" in out.getvalue() and Incident.objects.count() == 0
    call_command("import_incidents", str(path), user="rita", stdout=io.StringIO())
    assert Incident.objects.count() == 6
    csv_path = tmp_path / "other.csv"
    csv_path.write_text("Case;Headline;When\nz-1;A title;2019-01-02\n", encoding="utf-8")
    out = io.StringIO()
    call_command(
        "import_incidents", str(csv_path), user="rita", map=["Case=external_id", "Headline=title",
        "When=date"], stdout=out,
    )  # fmt: skip
    assert Incident.objects.get(external_id="z-1").date == dt.date(2019, 1, 2)


def test_staff_page_preview_then_apply_with_a_saved_mapping(
    client, researcher, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    # The check and the import run on the worker (huey, immediate mode) once the request
    # commits: what the worker found is on the import's page.
    worker = lambda: django_capture_on_commit_callbacks(execute=True)  # noqa: E731
    client.force_login(researcher)
    upload = SimpleUploadedFile("cases.xlsx", messy())
    with worker():
        response = client.post("/staff/data/import/", {"file": upload})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/import/{batch.pk}/")
    page = client.get(response["Location"]).content.decode()
    assert "5 to create, 0 to update, 0 unchanged, 1 bad" in page
    assert "“Atlantis” is not a known city" in page
    form = {f"col_{i}": importer.guess_mapping(HEADERS)[h] for i, h in enumerate(HEADERS)}
    form |= {"date_order": "dmy", "document_kind": "news", "save_as": "Partner sheet"}
    refused = client.post(response["Location"], {**form, "action": "apply"})
    assert "Nothing was imported" in refused.content.decode()
    assert Incident.objects.count() == 0
    assert ImportMapping.objects.get(name="Partner sheet").columns["Ciudad"] == "city"
    client.post(response["Location"], {**form, "action": "discard"})
    batch.refresh_from_db()
    assert batch.state == "discarded" and not batch.file
    # The fixed file, with the saved mapping.
    mapping = ImportMapping.objects.get()
    with worker():
        response = client.post(
            "/staff/data/import/",
            {"file": SimpleUploadedFile("cases.xlsx", messy(fixed=True)), "mapping": mapping.pk},
        )
    review = response["Location"]
    assert "6 to create" in client.get(review).content.decode()
    form["save_as"] = ""
    with worker():
        done = client.post(review, {**form, "action": "apply"})
    assert done.status_code == 302
    assert Incident.objects.filter(status="draft").count() == 6
    batch = ImportBatch.objects.get(state="applied")
    assert not batch.file and batch.summary["create"] == 6


def test_import_pages_are_for_researchers_only(client, make_user):
    assert client.get("/staff/data/import/").status_code == 302
    client.force_login(make_user("visitor", ""))
    assert client.get("/staff/data/import/").status_code == 403


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2019-10-03", (dt.date(2019, 10, 3), "day")),
        ("2019-10", (dt.date(2019, 10, 1), "month")),
        ("2019", (dt.date(2019, 1, 1), "year")),
        ("03/10/2019", (dt.date(2019, 10, 3), "day")),
        ("3.10.19", (dt.date(2019, 10, 3), "day")),
        ("October 2019", (dt.date(2019, 10, 1), "month")),
        ("oct. 2019", (dt.date(2019, 10, 1), "month")),
        ("Octubre de 2019", (dt.date(2019, 10, 1), "month")),
        ("3 de octubre de 2019", (dt.date(2019, 10, 3), "day")),
        ("October 3, 2019", (dt.date(2019, 10, 3), "day")),
        ("approx. March 2020", (dt.date(2020, 3, 1), "approximate")),
    ],
)
def test_dates_in_the_usual_formats(text, expected):
    assert importer.parse_date(text) == expected


@pytest.mark.parametrize("text", ["soon", "13/13/2019", "31/02/2019", "2019-14", "octember 2019"])
def test_dates_that_are_not(text):
    with pytest.raises(importer.BadValue):
        importer.parse_date(text)
