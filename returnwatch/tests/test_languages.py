"""Every page in English and Spanish: public pages by address, the workspace by choice."""

import pytest

pytestmark = pytest.mark.django_db


def test_public_pages_take_the_language_from_the_address(client, make_incident):
    make_incident()
    assert "Casos" in client.get("/es/incidents/").content.decode()
    english = client.get("/incidents/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<h1>Cases</h1>" in english


def test_the_language_switch_links_to_the_same_page_in_the_other_language(client, make_incident):
    make_incident()
    page = client.get("/incidents/?city=reynosa").content.decode()
    assert 'href="/es/incidents/?city=reynosa"' in page
    assert (
        'href="/incidents/?city=reynosa"'
        in client.get("/es/incidents/?city=reynosa").content.decode()
    )


def test_workspace_follows_the_browser_then_an_explicit_choice(client, researcher):
    client.force_login(researcher)
    assert "Incidentes" in client.get("/staff/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get("/staff/?lang=en", HTTP_ACCEPT_LANGUAGE="es")
    assert "Incidents" in english.content.decode()
    # The choice is remembered over the browser's preference.
    assert "Incidents" in client.get("/staff/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    spanish = client.get("/staff/?lang=es").content.decode()
    assert "Cerrar sesión" in spanish and 'href="/staff/?lang=en"' in spanish
