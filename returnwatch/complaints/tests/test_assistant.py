"""The steps of the assistant: navigation that keeps what was typed, validation, five languages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from returnwatch.complaints.forms import steps_for
from returnwatch.complaints.models import LegalService, Office
from returnwatch.complaints.state import State
from returnwatch.complaints.vocab import term_label
from returnwatch.incidents.models import City

from .conftest import LANGUAGES, MARKERS, answers, token_of, walk

pytestmark = pytest.mark.django_db

# A phrase of each language's step titles and errors, as the person must see them.
EXPECTED = {
    "en": {
        "start": "Start",
        "filer": "Who is filing",
        "person": "The person harmed",
        "a_number_error": "An A-number has 8 or 9 digits",
        "future_error": "This date is in the future",
        "required_error": "Please describe what happened.",
        "review": "Your complaint is ready",
    },
    "es": {
        "start": "Empezar",
        "filer": "Quién presenta la queja",
        "person": "La persona que sufrió el daño",
        "a_number_error": "El número A tiene 8 o 9 dígitos",
        "future_error": "Esta fecha está en el futuro",
        "required_error": "Por favor, describa lo que pasó.",
        "review": "Su queja está lista",
    },
    "ht": {
        "start": "Kòmanse",
        "filer": "Kiyès k ap depoze",
        "person": "Moun ki te viktim nan",
        "a_number_error": "Yon nimewo A gen 8 oswa 9 chif",
        "future_error": "Dat sa a nan lavni",
        "required_error": "Tanpri rakonte sa k te pase.",
        "review": "Plent ou pare",
    },
    "pt": {
        "start": "Começar",
        "filer": "Quem apresenta a queixa",
        "person": "A pessoa que sofreu o dano",
        "a_number_error": "O número A tem 8 ou 9 dígitos",
        "future_error": "Esta data está no futuro",
        "required_error": "Por favor, descreva o que aconteceu.",
        "review": "Sua queixa está pronta",
    },
    "fr": {
        "start": "Commencer",
        "filer": "Qui dépose la plainte",
        "person": "La personne qui a subi le préjudice",
        "a_number_error": "Un numéro A compte 8 ou 9 chiffres",
        "future_error": "Cette date est dans le futur",
        "required_error": "Veuillez décrire ce qui s&#x27;est passé.",
        "review": "Votre plainte est prête",
    },
}


def prefix_for(language: str) -> str:
    return "" if language == "en" else f"/{language}"


def post_step(client, prefix, response, slug, data, action="next"):
    return client.post(
        f"{prefix}/complaint/",
        {"state": token_of(response), "step": slug, "action": action, **data},
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_renders_the_whole_assistant_and_its_errors(client, language):
    words = EXPECTED[language]
    prefix = prefix_for(language)
    intro = client.get(f"{prefix}/complaint/")
    assert intro.status_code == 200
    assert words["start"] in intro.content.decode()
    # The language switch offers all five languages.
    for code in LANGUAGES:
        assert f'hreflang="{code}"' in intro.content.decode() or code == language

    steps = answers()
    response = client.post(f"{prefix}/complaint/", {"action": "start"})
    assert words["filer"] in response.content.decode()
    # Every step renders in the language, with its own title from the catalog.
    steps_shown = steps_for("attorney")  # the consent step too
    for number, (step, (slug, data)) in enumerate(zip(steps_shown, steps.items(), strict=True), 1):
        html = response.content.decode()
        assert f'data-step="{slug}"' in html
        with translation.override(language):
            assert str(step.title).replace("'", "&#x27;") in html, (language, slug)
            progress = gettext("Step %(number)s of %(total)s") % {
                "number": number,
                # Until the filer says they file for someone else, the consent step is not counted.
                "total": len(steps_for("self")) if slug == "filer" else len(steps_shown),
            }
            assert progress in html
        if slug == "person":
            bad = post_step(client, prefix, response, slug, {**data, "a_number": "12345"})
            assert words["a_number_error"] in bad.content.decode()
        if slug == "return":
            future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
            bad = post_step(client, prefix, response, slug, {**data, "return_date": future})
            assert words["future_error"] in bad.content.decode()
        if slug == "harm":
            bad = post_step(client, prefix, response, slug, {**data, "narrative": ""})
            assert words["required_error"] in bad.content.decode()
        response = post_step(client, prefix, response, slug, data)
        assert response.status_code == 200, (language, slug)
    assert words["review"] in response.content.decode()


def test_errors_appear_beside_the_field_and_nothing_typed_is_lost(client):
    response = walk(client, answers(), until="person")
    data = answers()["person"]
    bad = post_step(client, "", response, "person", {**data, "a_number": "A12-34"})
    html = bad.content.decode()
    # The message sits inside the field's own block, after its input.
    field_block = html.split('name="a_number"')[1].split('<div class="field')[0]
    assert "An A-number has 8 or 9 digits" in field_block
    assert MARKERS["full_name"] in html  # what was typed is still there
    assert 'value="A12-34"' in html


def test_a_number_is_optional_and_normalized(client):
    response = walk(client, answers(person__a_number=""), until="return")
    assert b"Step 4 of 12" in response.content
    response = walk(client, answers(person__a_number="A-123 456 78"), until="return")
    state = State.load(token_of(response))
    form = state.bound("person")
    assert form.is_valid()
    assert form.cleaned_data["a_number"] == "12345678"


def test_required_answers_are_checked(client):
    response = client.post("/complaint/", {"action": "start"})
    bad = post_step(client, "", response, "filer", {})
    assert "Please choose who is filing." in bad.content.decode()
    # Filing for someone else needs the filer's name and a way to reach them (the consent
    # has its own step: test_consent.py).
    bad = post_step(client, "", response, "filer", {"filer_role": "family"})
    html = bad.content.decode()
    assert "Please give your name: you are filing." in html
    assert "Give at least one way to reach you" in html


def test_back_and_forward_keep_what_was_typed(client):
    response = walk(client, answers(), until="harm")
    half_typed = {"narrative": "Half a sentence, not finished", "violence_types": ["rape"]}
    # Going back does not validate and keeps this step's answers...
    back = post_step(client, "", response, "harm", half_typed, action="back")
    assert b'data-step="officers"' in back.content
    assert b"Officer with badge number 4471" in back.content  # the earlier step, as typed
    # ...and coming forward again shows them.
    forward = post_step(client, "", back, "officers", answers()["officers"])
    html = forward.content.decode()
    assert "Half a sentence, not finished" in html
    assert re.search(r'value="rape"[^>]*checked', html)
    assert not re.search(r'value="kidnapping"[^>]*checked', html)
    state = State.load(token_of(forward))
    assert state.answers["harm"]["violence_types"] == ["rape"]


def test_summary_shows_answers_offices_with_verified_date_and_legal_help(client):
    office = Office.objects.get(code="crcl")
    office.last_verified = dt.date(2026, 1, 15)
    office.save()
    response = walk(client, answers())
    html = response.content.decode()
    assert "Your complaint is ready" in html
    assert MARKERS["full_name"] in html
    assert "A987-654-321" in html
    assert "These details were last verified on 2026-01-15." in html
    assert "crcl@dhs.gov" in html and "202-401-4708" in html
    for channel in ("By email", "Online portal", "By mail", "By fax", "By phone"):
        assert channel in html
    for alternative in ("Inspector General", "Joint Intake Center", "Detention Ombudsman"):
        assert alternative in html
    # Legal help: the demo entries, marked as fictional; the one serving Matamoros comes first.
    assert "Fictional example" in html
    assert html.index("Example Border Rights Clinic (demo)") < html.index(
        "Fictional Legal Aid Project (demo)"
    )
    # The text to paste, in English.
    assert "Subject:" in html and "Civil rights complaint" in html
    # Never kept by the browser cache.
    assert "no-store" in response["Cache-Control"]


def test_summary_change_button_returns_to_the_step_with_answers(client):
    response = walk(client, answers())
    back = client.post("/complaint/", {"state": token_of(response), "action": "goto:witnesses"})
    assert b'data-step="witnesses"' in back.content
    assert MARKERS["witnesses"].encode() in back.content
    again = client.post("/complaint/", {"state": token_of(back), "action": "goto:review"})
    assert b"Your complaint is ready" in again.content


def test_switching_language_inside_the_form_keeps_answers(client):
    response = walk(client, answers(), until="harm")
    switched = client.post(
        "/fr/complaint/",
        {"state": token_of(response), "step": "harm", "action": "goto:harm", "narrative": "Là-bas"},
    )
    html = switched.content.decode()
    assert "Ce qui s&#x27;est passé après le renvoi" in html
    assert "Là-bas" in html


def test_tampered_state_is_ignored(client):
    response = client.post("/complaint/", {"state": "not-a-signed-value", "action": "goto:review"})
    # The first unanswered step comes back, with its errors; nothing breaks.
    assert response.status_code == 200
    assert b'data-step="filer"' in response.content


def test_summary_in_spanish_uses_spanish_labels(client):
    response = walk(client, answers(), prefix="/es")
    html = response.content.decode()
    assert "Descargar la carta para la CRCL (PDF, en inglés)" in html
    assert "Descargar la copia en español (PDF)" in html
    assert "Fecha de devolución a México" in html
    assert "1 de octubre de 2019" in html


def test_where_page_lists_offices_and_legal_services_in_each_language(client):
    for language in LANGUAGES:
        response = client.get(f"{prefix_for(language)}/complaint/where/")
        assert response.status_code == 200
        html = response.content.decode()
        assert "crcl@dhs.gov" in html
        assert "1-800-323-8603" in html
    html = client.get("/ht/complaint/where/").content.decode()
    assert "Egzanp fiktif pou demonstrasyon" in html  # the entry's own Creole description
    city = City.objects.get(code="mexico-city")
    assert term_label(city, "ht") in html  # city names in the person's language


def test_reference_data_loaded_by_migration():
    crcl = Office.objects.get(code="crcl")
    assert crcl.is_primary and crcl.fax == "202-401-4708" and crcl.tty == "1-866-644-8361"
    assert crcl.last_verified is not None
    assert {"oig", "cbp-jic", "oido"} <= set(Office.objects.values_list("code", flat=True))
    demo = LegalService.objects.filter(is_demo=True)
    assert demo.count() == 3
    assert all(s.email.endswith("example.org") for s in demo)
    assert all(s.description_ht and s.description_pt and s.description_fr for s in demo)


def test_admin_edits_office_details_and_legal_services(client, site_admin):
    from conftest import verified_login  # admin pages need a second factor

    verified_login(client, site_admin)
    office = Office.objects.get(code="crcl")
    assert client.get(f"/admin/complaints/office/{office.pk}/change/").status_code == 200
    response = client.get("/admin/complaints/legalservice/add/")
    assert response.status_code == 200
    response = client.post(
        "/admin/complaints/legalservice/add/",
        {
            "name": "Real Clinic",
            "active": "on",
            "languages": ["es", "ht"],
            "email": "help@clinic.example.org",
            "description_en": "Helps",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    clinic = LegalService.objects.get(name="Real Clinic")
    assert clinic.languages == ["es", "ht"] and not clinic.is_demo


def test_bare_address_follows_the_browser_language_unless_english_was_chosen(client):
    response = client.get("/complaint/", HTTP_ACCEPT_LANGUAGE="ht,fr;q=0.8,en;q=0.5")
    assert response.status_code == 302 and response["Location"] == "/ht/complaint/"
    response = client.get("/complaint/where/", HTTP_ACCEPT_LANGUAGE="pt-BR,pt;q=0.9")
    assert response["Location"] == "/pt/complaint/where/"
    chosen = client.get("/complaint/?lang=en", HTTP_ACCEPT_LANGUAGE="ht")
    assert chosen.status_code == 200 and b"Start" in chosen.content
    # The language links keep an explicit choice of English.
    html = client.get("/es/complaint/").content.decode()
    assert 'href="/complaint/?lang=en"' in html
    assert client.get("/complaint/", HTTP_ACCEPT_LANGUAGE="de,en;q=0.5").status_code == 200
