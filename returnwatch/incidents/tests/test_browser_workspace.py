"""In Chromium: a researcher records a case with a source, an editor publishes it, the public
finds it by a word of its summary and by a facet, in English and in Spanish."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import sign_in
from returnwatch.incidents.models import Citation, City, Document, Incident, ViolenceType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORD = "quetzalcoatlus"
PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n"


def test_researcher_records_editor_publishes_public_finds(
    live_server: Any,
    chromium: Any,
    page: Any,
    researcher: Any,
    editor: Any,
    tmp_path: Any,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    kidnapping = ViolenceType.objects.get(code="kidnapping")
    tijuana = City.objects.get(code="tijuana")

    # --- the researcher records the case
    sign_in(page, live_server, researcher.username)
    page.goto(f"{live_server.url}/staff/")
    page.click("nav.staff-nav >> text=New incident")
    page.fill("input[name=title]", "Asylum seeker kidnapped after return to Tijuana")
    page.fill(
        "textarea[name=summary]",
        f"A man returned under MPP was kidnapped near the {WORD} mural and held for ransom.",
    )
    page.fill("textarea[name=narrative]", "Restricted: the shelter he stayed at.")
    page.fill("input[name=date]", "2019-09-14")
    page.check("input[name=date_precision][value=month]")
    page.select_option("select[name=city]", str(tijuana.pk))
    page.check(f"input[name=violence_types][value='{kidnapping.pk}']")
    page.fill("input[name=victims_count]", "1")
    page.click("form.incident-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("created as a draft")
    incident = Incident.objects.get()
    assert page.url.endswith(f"/staff/incidents/{incident.reference}/")

    page.click("text=Add a new document")
    page.select_option("select[name=kind]", label="News report")
    page.fill("input[name=title]", "Secuestran a solicitante de asilo en Tijuana")
    page.fill("input[name=publisher]", "Diario de Ejemplo")
    page.fill("input[name=url]", "https://example.org/nota/1")
    page.fill("input[name=date_published]", "2019-09-16")
    page.set_input_files(
        "input[name=file]", {"name": "nota.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.fill("input[name=citation-passage]", "párrafo 3")
    page.fill("textarea[name=citation-excerpt]", "fue secuestrado cerca del mural")
    page.check("input[name=citation-reliability][value=high]")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("Secuestran a solicitante de asilo en Tijuana")
    citation = Citation.objects.get(incident=incident)
    assert citation.passage == "párrafo 3"
    assert Document.objects.get().media_type == "application/pdf"

    page.click("button:has-text('Submit for review')")
    page.wait_for_load_state()
    assert "In review" in page.locator("section.workflow").inner_text()
    # Researchers are offered no publish button.
    assert page.locator("button:has-text('Publish')").count() == 0
    page.screenshot(path=str(tmp_path / "researcher-incident.png"), full_page=True)

    # --- the editor previews and publishes
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    editor_page = context.new_page()
    sign_in(editor_page, live_server, editor.username)
    editor_page.click("nav.workspace-bar >> text=Waiting for my review")
    editor_page.click(f"text={incident.reference}")
    editor_page.click("text=Preview the public page")
    editor_page.wait_for_load_state()
    preview = editor_page.content()
    assert "Asylum seeker kidnapped after return to Tijuana" in preview
    assert "Secuestran a solicitante de asilo en Tijuana" in preview
    assert "Restricted: the shelter" not in preview
    editor_page.go_back()
    editor_page.click("section.workflow button:has-text('Publish')")
    editor_page.wait_for_load_state()
    expect(editor_page.locator("body")).to_contain_text("is now: Published")
    context.close()
    incident.refresh_from_db()
    assert incident.status == "published"

    # --- the public finds it, by a word of its summary and by a facet, in both languages
    public_context = chromium.new_context()
    visitor = public_context.new_page()
    visitor.goto(f"{live_server.url}/incidents/")
    visitor.fill("input[name=q]", WORD)
    visitor.press("input[name=q]", "Enter")
    visitor.wait_for_load_state()
    expect(visitor.locator("main")).to_contain_text(incident.title)
    visitor.click(f"text={incident.title}")
    visitor.wait_for_load_state()
    assert visitor.url.endswith(f"/incidents/{incident.reference}/")
    expect(visitor.locator("body")).to_contain_text("Diario de Ejemplo")
    expect(visitor.locator("body")).not_to_contain_text("Restricted: the shelter")

    # In Spanish, by the language switch and a facet link, keeping the word.
    visitor.go_back()
    visitor.click("nav.languages >> a[lang=es]")
    visitor.wait_for_load_state()
    assert visitor.locator("html").get_attribute("lang") == "es"
    expect(visitor.locator("body")).to_contain_text(incident.title)
    visitor.click("a[href*='city=tijuana']")
    visitor.wait_for_load_state()
    assert "city=tijuana" in visitor.url and WORD in visitor.url
    expect(visitor.locator("body")).to_contain_text(incident.title)
    public_context.close()
