"""The public API: list with search, facets and cursors; detail; statistics; vocabularies;
library; the OpenAPI schema and its documentation page; a bounded schemathesis run."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from django.core.cache import cache

from returnwatch.exports.tests.helpers import add_source
from returnwatch.incidents import stats

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()


def test_list_takes_search_parameters_with_facets_and_notices(client, make_incident):
    make_incident(title="Kidnapping in Reynosa", city="reynosa", types=["kidnapping"])
    make_incident(title="Robbery in Tijuana", city="tijuana", types=["armed-robbery"])
    make_incident(title="Draft", status="draft", city="reynosa", types=["kidnapping"])
    data = client.get("/api/v1/incidents/?city=reynosa&type=nosuch").json()
    assert data["count"] == 1
    assert [r["title"] for r in data["results"]] == ["Kidnapping in Reynosa"]
    assert data["results"][0]["violence_types"] == ["kidnapping"]
    assert any("nosuch" in n for n in data["notices"])
    cities = next(f for f in data["facets"] if f["param"] == "city")
    assert cities["values"] == [
        {"code": "reynosa", "label": "Reynosa", "count": 1, "selected": True}
    ]


def test_cursor_pagination_walks_every_record_once(client, make_incident):
    made = {make_incident(title=f"Case {n}").reference for n in range(7)}
    seen = []
    url = "/api/v1/incidents/?page_size=3"
    pages = 0
    while url:
        data = client.get(url).json()
        if pages:
            assert "facets" not in data  # facet counts come with the first page
        seen += [r["reference"] for r in data["results"]]
        url = data["next"]
        pages += 1
    assert pages == 3
    assert sorted(seen) == sorted(made) and len(seen) == 7


def test_detail_gives_public_record_and_public_sources_only(client, make_incident):
    incident = make_incident(title="Public case")
    add_source(incident, title="Newspaper report", url="https://example.org/report")
    add_source(incident, kind="interview", title="Interview notes")
    data = client.get(f"/api/v1/incidents/{incident.reference}/").json()
    assert data["title"] == "Public case" and data["status"] == "published"
    assert [s["title"] for s in data["sources"]] == ["Newspaper report"]
    draft = make_incident(title="Draft", status="draft")
    assert client.get(f"/api/v1/incidents/{draft.reference}/").status_code == 404
    retracted = make_incident(title="Withdrawn", status="retracted", retraction_reason="Duplicate")
    data = client.get(f"/api/v1/incidents/{retracted.reference}/").json()
    assert data == {
        "reference": retracted.reference,
        "url": data["url"],
        "status": "retracted",
        "title": "Withdrawn",
        "retraction_reason": "Duplicate",
    }


def test_detail_record_is_the_same_as_the_export_record(client, make_incident):
    import json

    from returnwatch.exports.tests.helpers import body

    incident = make_incident(groups=["child"], nationalities=["sv"])
    exported = json.loads(body(client.get("/exports/incidents.json")))["incidents"][0]
    detail = client.get(f"/api/v1/incidents/{incident.reference}/").json()
    assert {k: detail[k] for k in exported} == exported


def test_statistics_are_the_numbers_on_the_stats_page(client, make_incident):
    make_incident(types=["kidnapping"], groups=["child"], victims_count=3, children_count=1)
    make_incident(types=["kidnapping", "extortion"], city="tijuana")
    make_incident(status="draft")
    data = client.get("/api/v1/statistics/").json()
    numbers = stats.compute()
    assert data["incidents"] == numbers.incidents == 2
    assert data["people"] == numbers.people == 4
    assert data["children_kidnapped_incidents"] == numbers.children_kidnapped_incidents == 1
    by_type = next(b for b in data["breakdowns"] if b["name"] == "type")
    assert {r["code"]: r["count"] for r in by_type["rows"]} == {"kidnapping": 2, "extortion": 1}
    assert data["months"][-1]["running_total"] == 2


def test_vocabularies(client):
    index = client.get("/api/v1/vocabularies/").json()
    assert {v["name"] for v in index} >= {"violence_types", "cities", "nationalities"}
    cities = client.get("/api/v1/vocabularies/cities/").json()["terms"]
    tijuana = next(t for t in cities if t["code"] == "tijuana")
    assert tijuana["latitude"] and tijuana["state"] == "Baja California"
    assert client.get("/api/v1/vocabularies/users/").status_code == 404


def test_library_lists_public_items_only(client, make_incident):
    from returnwatch.incidents.models import Document, DocumentKind
    from returnwatch.library.models import LibraryItem

    report = Document.objects.create(kind=DocumentKind.objects.get(code="ngo-report"), title="R1")
    LibraryItem.objects.create(document=report, slug="r1", kind="report", listed=True)
    hidden = Document.objects.create(kind=DocumentKind.objects.get(code="ngo-report"), title="R2")
    LibraryItem.objects.create(document=hidden, slug="r2", kind="report", listed=False)
    data = client.get("/api/v1/library/").json()
    assert [i["slug"] for i in data["results"]] == ["r1"]
    assert client.get("/api/v1/library/r1/").json()["title_en"] == "R1"
    assert client.get("/api/v1/library/r2/").status_code == 404


def test_openapi_schema_is_valid_openapi_3(client):
    from openapi_spec_validator import validate

    response = client.get("/api/schema/")
    assert response.status_code == 200
    spec = yaml.safe_load(response.content)
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/incidents/" in spec["paths"]
    assert "tokenAuth" in spec["components"]["securitySchemes"]


def test_docs_page_is_one_light_page_generated_from_the_schema(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" not in html and "<style" not in html and "cdn" not in html.lower()
    assert len(response.content) < 150_000  # Swagger UI weighed 2 MB
    spec = yaml.safe_load(client.get("/api/schema/").content)
    for path, item in spec["paths"].items():
        for method, op in item.items():
            assert f'id="op-{op["operationId"]}"' in html, (method, path)
            assert f"<code>{path}</code>" in html
    for name in spec["components"]["schemas"]:
        assert f'id="schema-{name}"' in html
    # Parameters with their descriptions, schema fields with links to the schemas they use.
    assert "City code (repeat for any of several values)." in html
    assert 'href="#schema-PublicIncident"' in html
    assert '<a href="/api/v1/statistics/"><code>GET /api/v1/statistics/</code></a>' in html


def test_anonymous_requests_are_rate_limited_without_storing_the_address(client, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates: dict[str, Any] = {**api_settings.DEFAULT_THROTTLE_RATES, "anon": "3/minute"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [client.get("/api/v1/vocabularies/").status_code for _ in range(4)]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 200, 429]
    keys = list(cache._cache.keys())  # type: ignore[attr-defined]  # locmem: the throttle's keys
    assert keys and not any("127.0.0.1" in k for k in keys)


def test_schemathesis_finds_no_server_error(db, make_incident):
    """Generated requests against every public read operation, through the real WSGI
    application: never a server error. Kept small (a few examples each) to stay fast."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    make_incident(title="Kidnapping in Reynosa", city="reynosa", types=["kidnapping"])
    # As Django's test client does: the WSGI handler must not close the test's connection
    # (inside the test transaction) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        operations, statuses, failures = _run_schemathesis()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert len(operations) >= 7
    assert failures == []
    assert len(statuses) > 3 * len(operations) and 200 in statuses


def _run_schemathesis():
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hsettings

    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operations = [
        result.ok()  # type: ignore[union-attr]  # an Err raises
        for result in schema.get_all_operations()
        if result.ok().method.upper() == "GET"  # type: ignore[union-attr]  # an Err raises
    ]
    failures = []
    statuses = []
    for operation in operations:

        @hsettings(
            max_examples=12,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy())
        def check(case):
            cache.clear()  # no throttling in this test
            response = case.call()
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(
                    (case.method, case.formatted_path, case.query, response.status_code)
                )

        check()
    return operations, statuses, failures


def test_schemathesis_all_checks_pass_on_every_operation(db, make_incident):
    """Every check schemathesis has (status codes, content types, headers, response schemas,
    negative data rejected, positive data accepted, unsupported methods, ignored auth, …)
    on generated requests to every operation, reads and writes, valid and invalid, through
    the real WSGI application: any failed check fails the test."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    make_incident(title="Kidnapping in Reynosa", city="reynosa", types=["kidnapping"])
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        operations, failures = _run_all_checks()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    assert len(operations) >= 11
    assert failures == [], "\n\n".join(failures)


def _run_all_checks():
    import schemathesis
    from django.core.wsgi import get_wsgi_application
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hsettings
    from hypothesis.errors import Unsatisfiable
    from schemathesis import GenerationMode
    from schemathesis.checks import CHECKS, load_all_checks
    from schemathesis.core.failures import Failure, FailureGroup

    load_all_checks()
    checks = CHECKS.get_all()
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]  # an Err raises
    failures = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @hsettings(
                max_examples=6,
                deadline=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
                database=None,
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case):
                cache.clear()  # no throttling here (429 is declared and tested apart)
                try:
                    # The WSGI transport does not undo gzip as an HTTP client does.
                    case.call_and_validate(checks=checks, headers={"Accept-Encoding": "identity"})
                except (Failure, FailureGroup) as error:
                    failures.append(f"{case.method} {case.formatted_path} {case.query}: {error}")

            try:
                check()
            except Unsatisfiable:
                # An operation with no input (no parameter, no body) has no invalid request.
                assert mode == GenerationMode.NEGATIVE, operation.label
    return operations, failures


@pytest.mark.parametrize("path", ["index", "sql"])
def test_cursor_walks_newest_first_by_date_and_back_while_records_are_added(
    client, make_incident, monkeypatch, path
):
    """The list pages the search's match set by (date, id) cursors: newest incidents first,
    `previous` gives the page before, and a case published mid-walk is neither seen twice
    nor makes a record skipped. The same with SQL while the facet index is being built."""
    import datetime as dt

    from returnwatch.incidents import facets

    if path == "sql":
        monkeypatch.setattr(facets, "index", lambda **kw: None)

    for n in range(7):
        make_incident(title=f"Case {n}", date=dt.date(2020, 1, 1 + n), types=["kidnapping"])
    make_incident(title="Undated", date=None, types=["kidnapping"])
    first = client.get("/api/v1/incidents/?type=kidnapping&page_size=3").json()
    assert first["count"] == 8 and first["previous"] is None
    make_incident(title="Added later", date=dt.date(2019, 1, 1), types=["kidnapping"])
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()
    assert [r["title"] for r in back["results"]] == [r["title"] for r in first["results"]]
    seen = [r["title"] for r in first["results"]]
    page = second
    while True:
        seen += [r["title"] for r in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    dated = [t for t in seen if t.startswith("Case")]
    assert dated == [f"Case {n}" for n in range(6, -1, -1)]
    assert sorted(seen) == sorted([*(f"Case {n}" for n in range(7)), "Undated", "Added later"])
    assert client.get("/api/v1/incidents/?cursor=bm9wZQ").status_code == 404
