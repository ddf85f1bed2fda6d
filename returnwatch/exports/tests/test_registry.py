"""The public column registry (returnwatch/public/columns.py) is the one list of public
fields: the docs, every format and the API agree with it; "public" is one queryset rule."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from returnwatch import public
from returnwatch.exports import fields, formats
from returnwatch.incidents.models import Incident
from returnwatch.public import columns

from .helpers import body

pytestmark = pytest.mark.django_db

DOCS = Path(__file__).resolve().parents[3] / "docs" / "data.md"


def test_docs_field_table_is_the_registry():
    assert columns.markdown_table() in DOCS.read_text(encoding="utf-8"), (
        "docs/data.md's field table differs from returnwatch/public/columns.py: print the "
        "table with columns.markdown_table() and paste it into docs/data.md"
    )


def test_every_format_has_the_registry_columns_in_order():
    assert formats.COLUMNS == columns.NAMES
    assert [f["name"] for f in formats.table_schema()["fields"]] == list(columns.NAMES)
    assert [f["name"] for f in fields.fields()] == list(columns.NAMES)
    assert list(formats.HXL) == list(columns.NAMES)


def test_exported_record_equals_the_registry_reading_of_the_model(client, make_incident):
    made = make_incident(
        city="reynosa",
        place="street",
        types=["kidnapping", "extortion"],
        perpetrators=["cartel"],
        groups=["child"],
        nationalities=["hn", "gt"],
        date_reported=dt.date(2019, 10, 5),
        victims_count=3,
        children_count=1,
        complaint_oig=True,
        published_at=timezone.now().replace(microsecond=0),
    )
    row = public.incidents().get(pk=made.pk)
    expected = {c.name: formats.json_value(c.read(row)) for c in columns.COLUMNS}
    (exported,) = json.loads(body(client.get("/exports/incidents.json")))["incidents"]
    assert exported == expected
    (api,) = client.get("/api/v1/incidents/").json()["results"]
    assert api == expected
    csv_text = body(client.get("/exports/incidents.csv")).decode()
    header, line = csv_text.splitlines()[:2]
    assert header.split(",") == list(columns.NAMES)
    assert line.split(",")[columns.NAMES.index("complaint_oig")] == "true"
    assert line.split(",")[columns.NAMES.index("lawsuit")] == "false"


def test_public_queryset_is_published_and_not_merged(make_incident):
    shown = make_incident(title="Shown")
    make_incident(title="Draft", status="draft")
    merged = make_incident(title="Merged duplicate")
    Incident.objects.filter(pk=merged.pk).update(merged_into=shown)
    assert list(Incident.objects.public().values_list("title", flat=True)) == ["Shown"]
    assert [i.title for i in public.incidents()] == ["Shown"]
