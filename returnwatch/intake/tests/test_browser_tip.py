"""In Chromium on a phone-sized screen: a person writes a tip in Spanish with a photo, gets a
receipt code and follows up; a researcher triages it, sees the duplicate suggestion and
creates an incident from it."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from conftest import sign_in
from returnwatch.incidents.models import Incident
from returnwatch.intake.models import Tip

from .conftest import gps_jpeg

# serialized_rollback: the vocabularies (loaded by a data migration) survive this
# transactional test for the tests that run after it.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_phone_tip_in_spanish_then_triage_and_incident(
    live_server: Any,
    phone_page: Any,
    page: Any,
    researcher: Any,
    make_incident: Any,
    tmp_path: Any,
) -> None:
    existing = make_incident(
        title="Familia secuestrada en la central de autobuses",
        summary="Una familia devuelta bajo el MPP fue secuestrada en la central de autobuses.",
        city="nuevo-laredo",
        date=dt.date(2019, 10, 3),
        types=["kidnapping"],
    )
    p = phone_page
    # The browser prefers Spanish: the bare address sends it to the Spanish form.
    p.set_extra_http_headers({"Accept-Language": "es-MX,es;q=0.9"})
    p.goto(f"{live_server.url}/report/")
    assert p.url.endswith("/es/report/")
    assert p.locator("h1").inner_text() == "Enviar información sobre una agresión"
    # Nothing is wider than the phone.
    assert p.evaluate("document.documentElement.scrollWidth") <= 360

    # Sending with nothing written: the browser asks for the one required answer and
    # sends nothing.
    sent: list[str] = []
    p.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    p.click("button[type=submit]")
    assert p.locator("textarea[name=narrative]").evaluate("el => el.validity.valueMissing")
    assert sent == []

    p.fill(
        "textarea[name=narrative]",
        "Mi familia fue secuestrada en la central de autobuses de Nuevo Laredo al salir "
        "del puente.",
    )
    p.check("input[name=violence_types][value=kidnapping]")
    p.fill("input[name=month]", "2019-10")
    p.select_option("select[name=city]", "nuevo-laredo")
    p.check("input[name=nationalities][value=hn]")
    p.check("input[name=fear_expressed][value=yes]")
    p.set_input_files(
        "input[name=files]",
        files=[{"name": "foto.jpg", "mimeType": "image/jpeg", "buffer": gps_jpeg()}],
    )
    p.fill("textarea[name=contact]", "WhatsApp +52 555 000 1111")
    p.check("input[name=consent_contact]")
    p.screenshot(path=str(tmp_path / "phone-form.png"), full_page=True)
    p.click("button[type=submit]")

    code = p.locator(".receipt-code code").inner_text().strip()
    assert len(code) == 24
    expect(p.locator("body")).to_contain_text("Gracias. Recibimos su información.")
    tip = Tip.objects.get()
    assert tip.language == "es" and tip.attachments.count() == 1
    with Image.open(io.BytesIO(tip.attachments.get().file.read())) as im:
        assert not im.getexif().get_ifd(0x8825)

    # Following up with the code.
    p.click("text=agregar información o archivos más tarde")
    p.fill("input[name=code]", code.lower())
    p.click("button[type=submit]")
    expect(p.locator("body")).to_contain_text("Recibida. Todavía nadie ha comenzado a revisarla.")
    p.fill("textarea[name=text]", "Nos pidieron 3000 dólares por teléfono.")
    p.click("button[name=add]")
    p.wait_for_url("**/es/report/follow-up/received/")  # sent by the page's script, then a GET
    assert "Recibimos su información adicional" in p.locator("h1").inner_text()
    assert tip.follow_ups.get().text.startswith("Nos pidieron")

    # The researcher triages it.
    sign_in(page, live_server, researcher.username)
    page.goto(f"{live_server.url}/staff/tips/")
    page.click(f"a[href='/staff/tips/{tip.pk}/']")
    expect(page.locator("body")).to_contain_text("Mi familia fue secuestrada")
    expect(page.locator("body")).to_contain_text("Nos pidieron 3000")
    duplicates = page.locator("ol.duplicates")
    assert existing.reference in duplicates.inner_text()
    assert "same city" in duplicates.inner_text()
    page.select_option("select[name=assignee]", str(researcher.pk))
    page.click("form[action$='/assign/'] button")
    expect(page.locator("body")).to_contain_text("Assignment saved.")
    page.screenshot(path=str(tmp_path / "triage.png"), full_page=True)
    page.click("form[action$='/create-incident/'] button")
    incident = Incident.objects.exclude(pk=existing.pk).get()
    assert page.url.endswith(f"/staff/incidents/{incident.reference}/edit/")
    tip.refresh_from_db()
    assert tip.incident == incident and tip.status == "accepted"
    assert incident.status == "draft" and incident.city.code == "nuevo-laredo"

    # And the person sees only that the review is closed.
    p.goto(f"{live_server.url}/es/report/follow-up/")
    p.fill("input[name=code]", code)
    p.click("button[type=submit]")
    expect(p.locator("body")).to_contain_text("Cerrada.")
    expect(p.locator("body")).not_to_contain_text(incident.reference)
