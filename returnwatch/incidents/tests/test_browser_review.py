"""In Chromium, by clicking: a researcher adds a case with two sources in one screen; the
checklist stops publication while the summary holds a phone number; the editor sends it back
with a reason, the researcher fixes it, the editor publishes; then a bulk assignment and its
undo."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import sign_in
from returnwatch.incidents.models import City, Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n"
PHONE = "868 555 0199"


def test_review_send_back_checklist_publish_then_bulk_assign_and_undo(
    live_server: Any,
    chromium: Any,
    page: Any,
    researcher: Any,
    editor: Any,
    make_incident: Any,
    tmp_path: Any,
    settings: Any,
) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    reynosa = City.objects.get(code="reynosa")

    # --- the researcher: one screen, two sources
    sign_in(page, live_server, researcher.username)
    page.click("nav.staff-nav >> text=New incident")
    page.fill("input[name=title]", "Family held for ransom after return to Reynosa")
    page.fill(
        "textarea[name=summary]",
        f"A family returned under MPP was held for ransom; the kidnappers called {PHONE}.",
    )
    page.fill("input[name=date]", "2019-11-02")
    page.select_option("select[name=city]", str(reynosa.pk))
    page.fill("input[name=victims_count]", "4")
    page.fill("input[name=source-0-url]", "https://example.org/nota/ransom")
    page.fill("input[name=source-0-title]", "Liberan a familia secuestrada")
    page.select_option("select[name=source-0-kind]", "news")
    page.set_input_files(
        "input[name=source-0-file]",
        {"name": "nota.pdf", "mimeType": "application/pdf", "buffer": PDF},
    )
    page.fill("input[name=source-0-passage]", "párrafo 2")
    page.fill("input[name=source-1-url]", "https://example.org/report/ransom")
    page.fill("input[name=source-1-title]", "Report on kidnappings in Reynosa")
    page.select_option("select[name=source-1-kind]", "ngo-report")
    page.click("form.incident-form button[type=submit]")
    page.wait_for_load_state()
    expect(page.locator("body")).to_contain_text("created as a draft")
    incident = Incident.objects.get()
    assert incident.citations.count() == 2
    page.click("button:has-text('Submit for review')")
    page.wait_for_load_state()

    # --- the editor: the checklist stops publication, so it goes back with a reason
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    ed = context.new_page()
    sign_in(ed, live_server, editor.username)
    ed.click("nav.workspace-bar >> text=Waiting for my review")
    ed.click(f"text={incident.reference}")
    checklist = ed.locator("form.checklist").inner_text()
    assert "a phone number: " + PHONE in checklist
    ed.click("form.checklist button:has-text('Publish')")
    ed.wait_for_load_state()
    expect(ed.locator("body")).to_contain_text("Not published yet")
    incident.refresh_from_db()
    assert incident.status == "review"
    ed.fill("form.send-back textarea[name=reason]", "Take the phone number out of the summary.")
    ed.click("form.send-back button")
    ed.wait_for_load_state()
    incident.refresh_from_db()
    assert incident.status == "draft"

    # --- the researcher sees why, fixes it and submits again
    page.click("nav.workspace-bar >> text=Sent back to me")
    page.click(f"text={incident.reference}")
    expect(page.locator("body")).to_contain_text("Take the phone number out of the summary.")
    page.click("p.actions >> text=Edit")
    page.fill(
        "textarea[name=summary]",
        "A family returned under MPP was held for ransom for five days.",
    )
    page.click("form.incident-form button[type=submit]")
    page.wait_for_load_state()
    page.click("button:has-text('Submit for review')")
    page.wait_for_load_state()

    # --- the editor publishes
    ed.click("nav.workspace-bar >> text=Waiting for my review")
    ed.click(f"text={incident.reference}")
    assert "✗" not in ed.locator("form.checklist").inner_text()
    ed.click("form.checklist button:has-text('Publish')")
    ed.wait_for_load_state()
    expect(ed.locator("body")).to_contain_text("is now: Published")
    incident.refresh_from_db()
    assert incident.status == "published"

    # --- bulk: assign two drafts to the researcher, then undo
    drafts = [make_incident(status="draft", title=f"Draft {n}") for n in (1, 2)]
    ed.click("nav.workspace-bar >> text=Incidents")
    for d in drafts:
        ed.check(f"#pick-{d.pk}")
    ed.select_option("#bulk-action", "assign")
    ed.select_option("#bulk-value", researcher.username)
    ed.click("form.bulk button:has-text('Apply')")
    ed.wait_for_load_state()
    expect(ed.locator("body")).to_contain_text("2 records changed")
    assert {d.assignee_id for d in Incident.objects.filter(pk__in=[d.pk for d in drafts])} == {
        researcher.pk
    }
    ed.screenshot(path=str(tmp_path / "bulk.png"), full_page=True)
    ed.click("text=Undo the last bulk change")
    ed.wait_for_load_state()
    expect(ed.locator("body")).to_contain_text("Undone on 2 records")
    assert {d.assignee_id for d in Incident.objects.filter(pk__in=[d.pk for d in drafts])} == {None}
    context.close()
