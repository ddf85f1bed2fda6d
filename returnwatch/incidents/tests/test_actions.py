"""Every way of creating a draft goes through incidents/actions.py and incidents/rules.py:
the same rules, the same message, the same audit entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from returnwatch.api.models import ApiToken
from returnwatch.audit.models import Entry
from returnwatch.imports import importer
from returnwatch.incidents.models import Incident

pytestmark = pytest.mark.django_db

MESSAGE = "There cannot be more children than people harmed (2)."


def test_more_children_than_people_is_refused_alike_everywhere(researcher: Any) -> None:
    client = Client()
    client.force_login(researcher)
    form = client.post(
        "/staff/incidents/new/",
        {"title": "T", "summary": "S", "victims_count": 2, "children_count": 3,
         "date_precision": "day", "verification": "unverified", "fear_expressed": "unknown"},
    )  # fmt: skip
    assert MESSAGE in form.content.decode()
    _token, raw = ApiToken.issue(researcher, "t")
    api = Client().post(
        "/api/v1/incidents/",
        {"title": "T", "summary": "S", "victims_count": 2, "children_count": 3},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {raw}",
    )
    assert api.status_code == 400 and api.json()["children_count"] == [MESSAGE]
    table = importer.read_table(b"Title,Victims,Children\nT,2,3\n", "x.csv")
    report = importer.plan(table, importer.guess_mapping(table.headers), researcher)
    assert [e.message for e in report.errors] == [MESSAGE]
    assert not Incident.objects.exists()


def test_a_future_date_is_refused_alike_everywhere(researcher: Any) -> None:
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    _token, raw = ApiToken.issue(researcher, "t")
    api = Client().post(
        "/api/v1/incidents/",
        {"title": "T", "summary": "S", "date": future},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {raw}",
    )
    assert api.json()["date"] == ["The date of the incident cannot be in the future."]
    table = importer.read_table(f"Title,Date\nT,{future}\n".encode(), "x.csv")
    report = importer.plan(table, importer.guess_mapping(table.headers), researcher)
    assert [e.message for e in report.errors] == [
        "The date of the incident cannot be in the future."
    ]


def test_every_creation_is_recorded_as_create(researcher: Any) -> None:
    _token, raw = ApiToken.issue(researcher, "t")
    Client().post(
        "/api/v1/incidents/",
        {"title": "From the API", "summary": "S"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {raw}",
    )
    client = Client()
    client.force_login(researcher)
    client.post(
        "/staff/incidents/new/",
        {"title": "From the form", "summary": "S", "victims_count": 1, "children_count": 0,
         "date_precision": "day", "verification": "unverified", "fear_expressed": "unknown"},
    )  # fmt: skip
    made = Incident.objects.all()
    assert sorted(i.title for i in made) == ["From the API", "From the form"]
    assert all(i.status == "draft" and i.organization == researcher.organization for i in made)
    actions = Entry.objects.filter(target_type="incidents.incident").values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["create", "create"]
