"""References never run out: RW-YYYY-NNNNN for the first 99,999 of a year, then more digits,
from one allocator that two creations at once cannot both draw the same number from."""

from __future__ import annotations

import csv
import datetime as dt
import io
import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from conftest import verified_login
from returnwatch.imports import importer
from returnwatch.incidents import references
from returnwatch.incidents.models import Incident, ReferenceCounter

pytestmark = pytest.mark.django_db


def test_the_first_of_a_year_has_five_digits(make_incident: Any) -> None:
    assert make_incident(date=dt.date(2031, 5, 1)).reference == "RW-2031-00001"
    assert make_incident(date=dt.date(2031, 6, 1)).reference == "RW-2031-00002"


def test_past_99999_a_reference_gets_more_digits_and_works_everywhere(
    make_incident: Any, editor: Any
) -> None:
    ReferenceCounter.objects.create(year=2025, last=99_999)
    case = make_incident(
        title="Zanahoria kidnapping", date=dt.date(2025, 2, 3), summary="Zanahoria story."
    )
    assert case.reference == "RW-2025-100000"
    public = Client()
    page = public.get(f"/incidents/{case.reference}/")
    assert page.status_code == 200 and "Zanahoria kidnapping" in page.content.decode()
    listing = public.get("/incidents/", {"q": "zanahoria"})
    assert (
        listing.status_code == 200 and f"/incidents/{case.reference}/" in listing.content.decode()
    )
    body = public.get("/exports/incidents.csv").getvalue().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert [r["reference"] for r in rows] == [case.reference]
    api = public.get(f"/api/v1/incidents/{case.reference}/")
    assert api.status_code == 200 and api.json()["reference"] == case.reference
    staff = Client()
    verified_login(staff, editor)
    assert staff.get(f"/staff/incidents/{case.reference}/").status_code == 200
    # An import that names it finds it (public records are never changed by an import).
    table = importer.read_table(
        f"Reference,Title\n{case.reference},Zanahoria kidnapping\n".encode(), "x.csv"
    )
    report = importer.plan(table, importer.guess_mapping(table.headers), editor)
    assert [(p.action, p.incident_id) for p in report.plans] == [("unchanged", case.pk)], (
        report.errors
    )


def test_numbers_continue_after_records_made_before_the_counter(make_incident: Any) -> None:
    first = make_incident(date=dt.date(2026, 1, 1))
    Incident.objects.filter(pk=first.pk).update(reference="RW-2026-100007")
    ReferenceCounter.objects.filter(year=2026).delete()
    # Numerically after 100007, although "RW-2026-99999" sorts after it as text.
    assert make_incident(date=dt.date(2026, 2, 1)).reference == "RW-2026-100008"


def test_an_import_numbers_its_new_records_from_the_same_counter(
    researcher: Any, make_incident: Any
) -> None:
    ReferenceCounter.objects.create(year=2024, last=99_998)
    table = importer.read_table(
        b"Title,Date,City\nOne,2024-01-02,Reynosa\nTwo,2024-01-03,Reynosa\n", "x.csv"
    )
    report = importer.plan(table, importer.guess_mapping(table.headers), researcher)
    importer.apply(report, researcher)
    got = sorted(Incident.objects.values_list("reference", flat=True))
    assert got == ["RW-2024-100000", "RW-2024-99999"]
    assert make_incident(date=dt.date(2024, 5, 5)).reference == "RW-2024-100001"


def test_the_pattern_is_the_one_the_addresses_check() -> None:
    for ok in ("RW-2019-00001", "RW-2025-100000", "RW-2025-999999999"):
        assert references.REGEX.match(ok)
    for bad in ("RW-2019-0001", "RW-19-00001", "RW-2019-00001x"):
        assert not references.REGEX.match(bad)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_two_creations_at_once_get_distinct_references() -> None:
    from django.db import connections

    barrier = threading.Barrier(2)
    made: list[str] = []

    def create() -> None:
        try:
            barrier.wait()
            for _ in range(20):
                made.append(Incident.objects.create(title="x", date=dt.date(2027, 1, 1)).reference)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 40 and len(set(made)) == 40
    assert sorted(references.number_of(r) for r in made) == list(range(1, 41))
