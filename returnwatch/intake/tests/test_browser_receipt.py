"""In Chromium: a person sends a tip, downloads the signed receipt (PDF and text), and checks
it on /report/verify/ — on a phone in Spanish and on a desktop in English."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import png_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
SHOTS = os.environ.get("RECEIPT_SCREENSHOTS")  # a folder, to look at the pages by eye


def shot(page: Any, name: str) -> None:
    if SHOTS:
        os.makedirs(SHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def send_tip(page: Any, url: str, tmp_path: Path) -> None:
    page.goto(url)
    page.fill("textarea[name=narrative]", "Nos asaltaron en la central de autobuses al salir.")
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "foto.png", "mimeType": "image/png", "buffer": png_bytes("blue")}],
    )
    page.click("form.tip-form button[type=submit]")
    # The form sends with an upload progress bar, then goes on to the receipt page.
    page.wait_for_url(re.compile(r"/report/received/"))


def test_phone_sender_downloads_a_receipt_and_checks_it(
    phone_page: Any, live_server: Any, tmp_path: Path
) -> None:
    p = phone_page
    send_tip(p, f"{live_server.url}/es/report/", tmp_path)
    expect(p.locator("body")).to_contain_text("Gracias. Recibimos su información.")
    code = p.locator(".receipt-code code").inner_text().strip()
    assert p.evaluate("document.documentElement.scrollWidth") <= 360
    p.fill("input[name=note]", "mi mensaje del martes")
    shot(p, "phone-receipt-page")
    with p.expect_download() as pdf_download:
        p.click("text=Descargar el recibo (PDF)")
    pdf_path = tmp_path / "receipt.pdf"
    pdf_download.value.save_as(pdf_path)
    assert pdf_download.value.suggested_filename.endswith(".pdf")
    with p.expect_download() as txt_download:
        p.click("text=Descargar como texto")
    text = Path(txt_download.value.path()).read_text(encoding="utf-8")
    assert f"Receipt code: {code}" in text and "Note from the sender: mi mensaje del martes" in text
    assert "Nos asaltaron" not in text

    # Checking: the PDF, then a changed text.
    p.click("text=Comprobar un recibo")
    assert p.locator("h1").inner_text() == "Comprobar un recibo"
    p.set_input_files("input[name=receipt_file]", str(pdf_path))
    p.click("form.tip-form button[type=submit]")
    result = p.locator(".receipt-result")
    assert "Válido: ReturnWatch firmó este recibo" in result.inner_text()
    assert code in result.inner_text()
    assert p.evaluate("document.documentElement.scrollWidth") <= 360
    shot(p, "phone-verify-valid")
    changed = text.replace(
        f"Receipt code: {code}", f"Receipt code: {code[:-1]}{'A' if code[-1] != 'A' else 'B'}"
    )
    p.fill("textarea[name=receipt_text]", changed)
    p.click("form.tip-form button[type=submit]")
    assert "No válido" in p.locator(".receipt-result").inner_text()
    shot(p, "phone-verify-invalid")


def test_desktop_sender_checks_the_text_and_file_they_kept(
    page: Any, live_server: Any, tmp_path: Path
) -> None:
    send_tip(page, f"{live_server.url}/report/?lang=en", tmp_path)
    with page.expect_download() as txt_download:
        page.click("text=Download as text")
    text = Path(txt_download.value.path()).read_text(encoding="utf-8")
    shot(page, "desktop-receipt-page")
    page.click("text=Check a receipt")
    page.fill("textarea[name=receipt_text]", text)
    page.fill("textarea[name=sent_text]", "Nos asaltaron en la central de autobuses al salir.")
    photo = tmp_path / "foto.png"
    photo.write_bytes(png_bytes("blue"))
    page.set_input_files("input[name=sent_files]", str(photo))
    page.click("form.tip-form button[type=submit]")
    result = page.locator(".receipt-result").inner_text()
    assert "Valid: ReturnWatch signed this receipt" in result
    assert "The text you gave is the text this receipt names." in result
    assert "named in this receipt" in result and "NOT named" not in result
    shot(page, "desktop-verify-valid")
    # The public key's address, from the page's own link.
    page.click("a[href$='/report/verify/public-key.pem']")
    expect(page.locator("body")).to_contain_text("BEGIN PUBLIC KEY")
