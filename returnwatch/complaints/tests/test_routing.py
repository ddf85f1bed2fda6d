"""The "which office?" step: what happened decides which offices the person is shown."""

from __future__ import annotations

import html

import pytest

from returnwatch.complaints.routing import route

from .conftest import answers, walk

pytestmark = pytest.mark.django_db


def codes(concerns, components=()):
    return [r.office.code for r in route(concerns, components)]


def test_each_kind_of_problem_goes_to_the_offices_that_handle_it():
    assert codes(["return-harm"]) == ["crcl", "oig"]
    assert codes(["custody-death"], ["ice"]) == ["oig", "ice-opr", "crcl"]
    assert codes(["officer-crime"], ["border-patrol"]) == ["oig", "cbp-jic"]
    # The agency not known: both offices of professional responsibility.
    assert set(codes(["officer-crime"], ["unknown"])) == {"oig", "cbp-jic", "ice-opr"}
    assert codes(["detention-conditions"]) == ["oido", "crcl"]
    assert codes(["uscis-case"]) == ["cis-ombudsman"]
    # Offices handling more of what happened come first.
    assert codes(["return-harm", "officer-abuse"], ["cbp-ofo"])[:2] == ["crcl", "oig"]


def test_summary_shows_the_routed_offices_with_addresses_and_what_is_not_verified(client):
    steps = answers(office__concerns=["custody-death", "detention-conditions"])
    body = html.unescape(walk(client, steps).content.decode())
    routes = body.split('id="which-office"')[1].split('id="alternatives"')[0]
    assert "Someone died or was badly hurt in CBP or ICE custody" in routes
    assert routes.index("Inspector General") < routes.index("Detention Ombudsman")
    assert "245 Murray Lane SW" in routes  # the OIG's mailing address
    assert "These details have not been verified yet" in routes
    # The agency in this complaint is CBP: CBP's Joint Intake Center, not ICE's OPR.
    assert "Joint Intake Center" in routes and "ICE Office of Professional" not in routes


def test_crcl_is_not_offered_as_the_office_for_a_uscis_case(client):
    body = html.unescape(walk(client, answers(office__concerns=["uscis-case"])).content.decode())
    routes = body.split('id="which-office"')[1].split('id="alternatives"')[0]
    assert "CRCL may not be the right office for this" in routes
    assert "Mail Stop 0180" in routes


def test_where_page_routes_without_the_assistant(client):
    page = client.get("/es/complaint/where/")
    assert "¿Qué oficina? Elija lo que pasó" in html.unescape(page.content.decode())
    routed = client.get("/complaint/where/", {"about": ["officer-crime", "bogus"]})
    body = html.unescape(routed.content.decode())
    assert "Crimes by DHS employees are investigated by the Inspector General" in body
    assert body.count('name="about" value="officer-crime" checked') == 1
