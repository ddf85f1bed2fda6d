"""Accountability followed over time: dated steps per incident, public (without the office's
reference number) on the case page and in statistics, for published incidents only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from conftest import verified_login
from returnwatch.incidents.models import AccountabilityStep
from returnwatch.public import accountability

pytestmark = pytest.mark.django_db

SECRET_REF = "CRCL-2020-SECRET-0042"


def step(incident: Any, kind: str, date: dt.date, office: str = "crcl", **kw: Any) -> Any:
    return AccountabilityStep.objects.create(
        incident=incident, kind=kind, date=date, office=office, **kw
    )


def test_editor_records_steps_and_the_public_sees_them_without_the_reference(
    editor: Any, make_incident: Any
) -> None:
    case = make_incident(status="published")
    c = Client()
    verified_login(c, editor)
    url = f"/staff/incidents/{case.reference}/accountability/"
    data = {"date": "2020-02-01", "kind": "filed", "office": "crcl", "reference_number": SECRET_REF}
    assert c.post(url, data).status_code == 302
    c.post(
        url,
        {
            "date": "2020-05-11",
            "kind": "closed-no-finding",
            "office": "crcl",
            "note": "Closed without a finding.",
        },
    )
    staff = c.get(f"/staff/incidents/{case.reference}/").content.decode()
    assert SECRET_REF in staff
    page = Client().get(f"/incidents/{case.reference}/").content.decode()
    assert "Complaint filed" in page and "Closed without a finding." in page
    assert SECRET_REF not in page
    stats = Client().get("/stats/").content.decode()
    assert "Median days to an answer" in stats and SECRET_REF not in stats
    # The reference number is encrypted at rest and never in the history.
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT reference_number FROM incidents_accountabilitystep")
        assert all(SECRET_REF not in (r[0] or "") for r in cur.fetchall())


def test_counts_follow_the_counting_rules(make_incident: Any) -> None:
    a, b, draft = make_incident(), make_incident(), make_incident(status="draft")
    step(a, "filed", dt.date(2020, 1, 1))
    step(a, "acknowledged", dt.date(2020, 1, 11))
    step(a, "filed", dt.date(2020, 1, 2), office="oig")
    step(b, "filed", dt.date(2020, 3, 1))
    step(b, "investigating", dt.date(2020, 3, 31))
    step(b, "no-answer", dt.date(2020, 6, 1), office="oig")
    step(draft, "filed", dt.date(2020, 1, 1))  # not published: not counted
    s = accountability.summary()
    assert (s.filed, s.answered, s.median_days, s.no_answer) == (3, 2, 20, 1)


def test_a_researcher_cannot_change_a_published_record_this_way(
    researcher: Any, make_incident: Any
) -> None:
    case = make_incident(status="published")
    c = Client()
    c.force_login(researcher)
    url = f"/staff/incidents/{case.reference}/accountability/"
    assert c.post(url, {"date": "2020-02-01", "kind": "filed", "office": "crcl"}).status_code == 403
    assert not AccountabilityStep.objects.exists()
