"""Hostile query strings on every public address: never a server error (PostgreSQL refuses
NUL bytes in text, so they must never reach a query)."""

import pytest

pytestmark = pytest.mark.django_db

ADDRESSES = [
    "/incidents/",
    "/es/incidents/",
    "/stats/",
    "/resources/",
    "/es/resources/",
    "/data/",
    "/report/",
    "/report/follow-up/",
    "/complaint/",
    "/exports/incidents.csv",
    "/exports/incidents.json",
    "/exports/incidents.geojson",
    "/feeds/incidents.atom",
    "/follow/",
    "/follow/sent/",
    "/api/v1/incidents/",
    "/api/v1/library/",
]
PARAMS = [
    "q",
    "type",
    "city",
    "kind",
    "organization",
    "language",
    "program",
    "year",
    "from",
    "to",
    "sort",
    "page",
    "document",
    "cursor",
    "lang",
    "step",
]
VALUES = ["%00", "a%00b", "%FF%FE", "'%22;--", "9" * 30, "%E2%80%AE", "%C2%B2", "-1"]


@pytest.mark.parametrize("address", ADDRESSES)
def test_no_server_error_whatever_the_query_string(client, make_incident, address):
    make_incident()
    for value in VALUES:
        query = "&".join(f"{p}={value}" for p in PARAMS)
        response = client.get(f"{address}?{query}")
        assert response.status_code < 500, (address, value, response.status_code)
