"""The assistant in a real Chromium: an attorney on a desktop, a person in Spanish on a phone."""

from __future__ import annotations

import os
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import pdf_text

# serialized_rollback: the data migrations' rows are restored for the tests that follow.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SHOTS = os.environ.get("COMPLAINT_SCREENSHOTS")  # a folder, to look at the pages by eye


def shot(page: Any, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def next_step(page: Any) -> None:
    page.click("button[name=action][value=next]")


def assert_no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport + 1, f"page is {width}px wide on a {viewport}px screen"


def test_attorney_files_for_a_client_in_english_and_downloads_the_pdf(page, live_server):
    page.goto(f"{live_server.url}/complaint/")
    page.click("button[value=start]")
    # 1. Who is filing
    page.check("input[name=filer_role][value=attorney]")
    page.fill("input[name=rep_name]", "Dana Whitfield")
    page.fill("input[name=rep_organization]", "Border Justice Clinic")
    page.fill("input[name=rep_relationship]", "Attorney of record")
    page.fill("input[name=rep_email]", "dana@clinic.example.org")
    next_step(page)
    # 2. The client
    page.fill("input[name=full_name]", "Josué Éliacin Moïse")
    page.fill("input[name=a_number]", "A 201 555 019")
    page.fill("input[name=date_of_birth]", "1988-02-29")
    page.select_option("select[name=nationality]", "ht")
    page.fill("input[name=phone]", "+52 868 555 0100")
    page.check("input[name=gender][value=man]")
    page.select_option("select[name=language]", "ht")
    next_step(page)
    # 3. The client's consent, naming him; both consents are needed.
    assert "Josué Éliacin Moïse agrees that I file this complaint" in page.inner_text("form")
    page.check("input[name=consent_file]")
    page.check("input[name=consent_how][value=sign]")
    next_step(page)
    assert "Without this waiver CRCL cannot discuss the case with you." in page.inner_text("form")
    page.check("input[name=consent_share]")
    shot(page, "attorney-consent-step")
    next_step(page)
    # 4. Return: a 2025 date with the 2019–2021 program is questioned, and corrected.
    page.fill("input[name=return_date]", "2025-09-12")
    page.select_option("select[name=port_of_entry]", "brownsville")
    page.select_option("select[name=return_city]", "matamoros")
    page.select_option("select[name=program]", "mpp-2019")
    page.fill("input[name=incident_date]", "2019-09-20")
    next_step(page)
    warning = page.locator(".complaint-warnings")
    assert "but the return date is 2025-09-12" in warning.inner_text()
    shot(page, "attorney-return-warning")
    page.fill("input[name=return_date]", "2019-09-12")
    next_step(page)
    # 4. What was said
    page.check("input[name=fear_expressed][value=yes]")
    page.fill(
        "textarea[name=what_said]", "He told the CBP officer in Creole that he feared for his life."
    )
    page.check("input[name=interview][value=no]")
    next_step(page)
    # 5. Officers
    page.check("input[name=components][value=cbp-ofo]")
    page.fill("textarea[name=officers]", "Officer badge 2231")
    next_step(page)
    # 6. Harm: try to go on without a description first.
    next_step(page)
    assert page.locator(".has-error").count() == 1
    assert "Please describe what happened." in page.inner_text(".has-error")
    page.check("input[name=violence_types][value=kidnapping]")
    page.fill(
        "textarea[name=narrative]",
        "Three days after the return he was taken from the bus station and held for ransom.",
    )
    next_step(page)
    # 7-10 as they are, going back once to check that nothing is lost.
    page.fill("textarea[name=witnesses]", "His cousin, reachable through counsel")
    page.click("button[name=action][value=back]")
    assert "held for ransom" in page.input_value("textarea[name=narrative]")
    next_step(page)
    assert page.input_value("textarea[name=witnesses]") == "His cousin, reachable through counsel"
    next_step(page)
    page.check("input[name=documents][value=nta]")
    next_step(page)
    next_step(page)
    # Which office: abuse by CBP officers at the port.
    page.check("input[name=concerns][value=officer-abuse]")
    next_step(page)
    shot(page, "attorney-share-step")
    next_step(page)
    # The summary
    assert page.inner_text("h1") == "Your complaint is ready"
    assert "Josué Éliacin Moïse" in page.inner_text("#summary")
    assert "A201-555-019" in page.inner_text("#summary")
    assert "last verified on" in page.inner_text("#send")
    routes = page.inner_text("#which-office")
    assert "US officers abused me" in routes and "CBP Joint Intake Center" in routes
    assert "ICE Office of Professional" not in routes  # the officers were CBP's
    shot(page, "attorney-summary")
    with page.expect_download() as download_info:
        page.click("button[name=output][value=pdf]")
    download = download_info.value
    assert download.suggested_filename.endswith("-en.pdf")
    content = open(download.path(), "rb").read()
    assert content.startswith(b"%PDF")
    text, pages = pdf_text(content)
    flat = " ".join(text.split())
    for expected in (
        "Josué Éliacin Moïse",
        "A201-555-019",
        "Dana Whitfield",
        "Border Justice Clinic",
        "feared for his life",
        "held for ransom",
        "His cousin, reachable through counsel",
        "1. Notice to Appear",
        "Consent to file a complaint and privacy waiver",
    ):
        assert expected in flat, expected
    assert "Consent to file a complaint and privacy waiver" in pages[-1]
    # The client's own-language copy is offered (Haitian Creole).
    expect(page.locator("button[name=output][value=pdf-own]")).to_be_visible()


def test_a_person_files_in_spanish_on_a_phone(phone_page, live_server):
    page = phone_page
    page.goto(f"{live_server.url}/es/complaint/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert_no_sideways_scroll(page)
    page.click("button[value=start]")
    page.check("input[name=filer_role][value=self]")
    # With JavaScript, the representative's questions are hidden for someone filing alone.
    expect(page.locator("fieldset.complaint-group")).to_be_hidden()
    shot(page, "phone-es-step1")
    next_step(page)
    page.fill("input[name=full_name]", "María Ángeles Núñez")
    page.check("input[name=gender][value=woman]")
    page.fill("input[name=a_number]", "12")
    page.fill("input[name=phone]", "+52 899 555 0123")
    next_step(page)
    # The error is beside the field, in Spanish, and what was typed is still there.
    error = page.locator(".has-error .error").first
    assert "El número A tiene 8 o 9 dígitos" in error.inner_text()
    assert page.input_value("input[name=full_name]") == "María Ángeles Núñez"
    assert_no_sideways_scroll(page)
    shot(page, "phone-es-error")
    page.fill("input[name=a_number]", "")
    assert page.input_value("select[name=language]") == "es"
    next_step(page)
    page.fill("input[name=return_date]", "2020-01-15")
    page.select_option("select[name=return_city]", "nuevo-laredo")
    page.fill("input[name=incident_date]", "2020-01-10")  # before the return: she is asked
    next_step(page)
    assert "antes de la devolución a México" in page.inner_text(".complaint-warnings")
    assert_no_sideways_scroll(page)
    shot(page, "phone-es-warning")
    page.click("button[name=keep]")  # she keeps it: it was so
    assert page.locator("form.complaint-step").get_attribute("data-step") == "officials"
    page.check("input[name=fear_expressed][value=yes]")
    page.check("input[name=interview][value=unknown]")
    next_step(page)
    page.check("input[name=components][value=unknown]")
    next_step(page)
    page.check("input[name=violence_types][value=extortion]")
    page.fill("textarea[name=narrative]", "Nos pidieron dinero en la central; tuvimos mucho miedo.")
    next_step(page)
    for _ in range(3):
        next_step(page)
    page.check("input[name=concerns][value=return-harm]")
    next_step(page)
    next_step(page)
    assert page.inner_text("h1") == "Su queja está lista"
    assert "María Ángeles Núñez" in page.inner_text("#summary")
    assert "Extorsión" in page.inner_text("#summary")
    assert_no_sideways_scroll(page)
    shot(page, "phone-es-summary")
    with page.expect_download() as download_info:
        page.click("button[name=output][value=pdf-own]")
    text, pages = pdf_text(open(download_info.value.path(), "rb").read())
    flat = " ".join(text.split())
    assert "Copia en español para la persona que sufrió el daño" in flat
    assert "María Ángeles Núñez" in flat and "tuvimos mucho miedo" in flat
    assert "después de ser devuelta a México" in flat  # she said she is a woman
    assert "Consentimiento para presentar una queja" not in flat  # filed for herself
