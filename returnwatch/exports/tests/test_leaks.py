"""Restricted data never reaches any export, the feed or the API.

Marker strings are planted in every restricted place (narratives, persons, drafts, records in
review, retracted and merged records, interview and tip documents, tags, external IDs,
assignees, organizations); then every public data surface is fetched and searched for them."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.cache import cache

from returnwatch.incidents.models import AccountabilityStep, Person, Tag

from .helpers import add_source, body

pytestmark = pytest.mark.django_db

MARKERS = {
    "narrative": "LEAKNARRATIVE7731",
    "person": "LEAKPERSONNAME4420",
    "a_number": "A099887766",
    "draft": "LEAKDRAFTTITLE1183",
    "review": "LEAKREVIEWTITLE5521",
    "retracted": "LEAKRETRACTEDSUMMARY9921",
    "merged": "LEAKMERGEDTITLE6610",
    "interview": "LEAKINTERVIEWDOC3301",
    "tip": "LEAKTIPDOC8802",
    "tag": "leaktag-5590",
    "external": "LEAKEXTERNALID2207",
    "assignee": "leakassignee3391",
    "organization": "LEAKORG4478",
    "office_reference": "LEAKCRCLREF5512",
}


@pytest.fixture
def planted(make_incident, make_user):
    cache.clear()
    assignee = make_user(MARKERS["assignee"], "researcher", org=MARKERS["organization"])
    public = make_incident(
        title="Public case in Reynosa",
        city="reynosa",
        types=["kidnapping"],
        narrative=f"Names: {MARKERS['narrative']}",
        external_id=MARKERS["external"],
        assignee=assignee,
        organization=assignee.organization,
    )
    Person.objects.create(incident=public, name=MARKERS["person"], a_number=MARKERS["a_number"])
    public.tags.add(Tag.objects.create(name=MARKERS["tag"]))
    # A complaint with the office's reference number (restricted): the public facet
    # `accountability` shows the step, never the number.
    AccountabilityStep.objects.create(
        incident=public,
        date=public.date or dt.date(2020, 1, 1),
        kind="filed",
        office="crcl",
        reference_number=MARKERS["office_reference"],
    )
    add_source(public, kind="interview", title=MARKERS["interview"])
    add_source(public, kind="tip", title=MARKERS["tip"])
    add_source(public, title="Newspaper report")
    make_incident(title=MARKERS["draft"], status="draft", city="reynosa", types=["kidnapping"])
    make_incident(title=MARKERS["review"], status="review", city="reynosa", types=["kidnapping"])
    make_incident(
        title="Retracted case",
        summary=MARKERS["retracted"],
        status="retracted",
        retraction_reason="Duplicate report",
    )
    make_incident(title=MARKERS["merged"], status="published", merged_into=public)
    return public


def _surfaces(client, reference):
    yield "/exports/incidents.csv", None
    yield "/exports/incidents.csv?hxl=1", None
    yield "/exports/incidents.json", None
    yield "/exports/incidents.geojson", None
    yield "/exports/incidents.sqlite", None
    yield "/exports/datapackage.zip", "zip"
    yield "/exports/incidents.csv?q=leakdrafttitle1183", None
    yield "/feeds/incidents.atom", None
    yield "/feeds/incidents.atom?city=reynosa", None
    yield "/api/v1/", None
    yield "/api/v1/incidents/?city=reynosa&facets=1", None
    yield "/api/v1/incidents/?accountability=crcl-filed&facets=1", None
    yield "/incidents/?accountability=crcl-filed", None
    yield "/feeds/incidents.atom?accountability=crcl-filed", None
    yield "/exports/incidents.csv?accountability=crcl-filed", None
    yield "/api/v1/incidents/?q=leaknarrative7731", None
    yield f"/api/v1/incidents/{reference}/", None
    yield "/api/v1/statistics/", None
    yield "/api/v1/vocabularies/", None
    yield "/api/v1/library/", None
    yield "/api/schema/", None
    yield "/data/", None
    for name in ("violence_types", "cities", "nationalities"):
        yield f"/exports/vocabularies/{name}.csv", None
        yield f"/api/v1/vocabularies/{name}/", None


def _text(data: bytes, kind: str | None) -> str:
    if kind == "zip":
        archive = zipfile.ZipFile(io.BytesIO(data))
        return "\n".join(archive.read(n).decode("utf-8") for n in archive.namelist())
    return data.decode("utf-8", errors="replace")


def test_no_restricted_marker_reaches_any_export_feed_or_api(client, planted):
    from returnwatch.incidents.models import Incident

    checked = 0
    for url, kind in _surfaces(client, planted.reference):
        cache.clear()
        response = client.get(url)
        assert response.status_code == 200, url
        text = _text(body(response), kind).lower()
        for name, marker in MARKERS.items():
            assert marker.lower() not in text, f"{name} leaked through {url}"
        checked += 1
    assert checked >= 28
    # The facet is there, with the step and without the number.
    found = client.get("/api/v1/incidents/?accountability=crcl-filed&facets=1").json()
    assert found["count"] == 1
    facet = next(f for f in found["facets"] if f["param"] == "accountability")
    assert [(v["code"], v["count"]) for v in facet["values"]] == [("crcl-filed", 1)]
    # The public record itself is there (the test would pass on empty answers otherwise).
    assert planted.reference in _text(body(client.get("/exports/incidents.csv")), None)
    # Non-public references never appear either.
    hidden = Incident.objects.exclude(pk=planted.pk).exclude(status="retracted")
    export = _text(body(client.get("/exports/incidents.json")), None)
    for reference in hidden.values_list("reference", flat=True):
        assert reference not in export
        # Drafts, records in review and merged duplicates have no API record either.
        assert client.get(f"/api/v1/incidents/{reference}/").status_code == 404, reference
