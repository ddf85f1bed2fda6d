"""Signed receipts: a sender downloads a receipt that proves what they sent and when; a changed
byte in the receipt or in the tip fails verification, on the page and offline."""

from __future__ import annotations

import base64
import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from pypdf import PdfReader

from returnwatch.intake import receipts, submissions

from .conftest import png_bytes

pytestmark = pytest.mark.django_db
NARRATIVE = "SECRET-NARRATIVE-QZ: they took us from the bus station\r\non the second day."


def make_tip() -> tuple[Any, str, bytes]:
    photo = png_bytes("green")
    tip, code = submissions.create_tip(
        {"narrative": NARRATIVE, "city": "tijuana"},
        [SimpleUploadedFile("photo.png", photo, "image/png")],
    )
    return tip, code, photo


def get_receipt(client: Client, code: str, output: str = "txt", note: str = "") -> Any:
    return client.post("/report/receipt/", {"code": code, "output": output, "note": note})


def check(client: Client, **data: Any) -> str:
    return html.unescape(client.post("/report/verify/", data).content.decode())


def test_sender_downloads_a_signed_text_receipt_that_reveals_nothing_they_wrote(client):
    tip, code, photo = make_tip()
    response = get_receipt(client, code, note="my message about the bus station")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert f"Receipt code: {code}" in text
    assert receipts.text_digest(NARRATIVE) in text
    assert re.search(r"File 1 SHA-256: [0-9a-f]{64} \(\d+ bytes\)", text)
    assert tip.attachments.get().received_sha256 in text
    assert "Note from the sender: my message about the bus station" in text
    assert "SECRET-NARRATIVE" not in text and "Tijuana" not in text and "photo.png" not in text
    assert "DEVELOPMENT KEY" in text  # the test settings use the development key
    # Asked again, the same receipt (deterministic signature).
    assert (
        get_receipt(client, code, note="my message about the bus station").content.decode() == text
    )


def test_a_receipt_verifies_and_one_changed_byte_fails(client):
    _tip, code, _photo = make_tip()
    text = get_receipt(client, code).content.decode()
    assert receipts.verify(receipts.parse(text)).valid
    assert "Valid: ReturnWatch signed this receipt" in check(client, receipt_text=text)
    # One changed byte anywhere in the signed block: the time, a hash, the code, the signature.
    block = text[text.index(receipts.BEGIN) : text.index(receipts.END)]
    positions = [block.index("Received (UTC): ") + 19, block.index("Text SHA-256: ") + 19,
                 block.index("Receipt code: ") + 15, block.index("Signature: ") + 15]  # fmt: skip
    for position in positions:
        start = text.index(receipts.BEGIN) + position
        original = text[start]
        replacement = "1" if original != "1" else "2"
        changed = text[:start] + replacement + text[start + 1 :]
        assert len(changed) == len(text) and changed != text
        result = receipts.verify(receipts.parse(changed))  # still readable…
        assert not result.valid and result.reason == "changed", position  # …but not valid
        assert "Not valid: this receipt was changed" in check(client, receipt_text=changed)
    # A line added to the signed block makes the receipt unreadable.
    added = text.replace("Files: 1", "Files: 1\nCity: Tijuana")
    with pytest.raises(receipts.ReceiptError):
        receipts.parse(added)


def test_changed_tip_text_or_file_fails_against_the_receipt(client):
    _tip, code, photo = make_tip()
    text = get_receipt(client, code).content.decode()
    receipt = receipts.parse(text)
    kept = receipts.file_digest(photo)
    assert receipts.matches(receipt, NARRATIVE.replace("\r\n", "\n"), [kept]) == {
        "text": True,
        "files": [(kept[0], kept[1], True)],
    }
    one_byte = NARRATIVE.replace("second", "secand")
    assert receipts.matches(receipt, one_byte)["text"] is False
    changed_photo = photo[:-1] + bytes([photo[-1] ^ 1])
    assert (
        receipts.matches(receipt, None, [receipts.file_digest(changed_photo)])["files"][0][2]
        is False
    )
    page = check(client, receipt_text=text, sent_text=one_byte)
    assert "is NOT the text this receipt names" in page
    page = client.post(
        "/report/verify/",
        {
            "receipt_text": text,
            "sent_text": NARRATIVE,
            "sent_files": [
                SimpleUploadedFile("a.png", photo),
                SimpleUploadedFile("b.png", changed_photo),
            ],
        },
    ).content.decode()
    assert "The text you gave is the text this receipt names." in html.unescape(page)
    assert f"{kept[0]}: named in this receipt" in page
    assert "NOT named in this receipt" in page


def test_pdf_receipt_is_small_tagged_and_verifies_when_uploaded(client):
    _tip, code, _photo = make_tip()
    response = get_receipt(client, code, output="pdf")
    assert response["Content-Type"] == "application/pdf"
    content = response.content
    assert len(content) < 200_000
    reader = PdfReader(io.BytesIO(content))
    root: Any = reader.trailer["/Root"]  # a PDF dictionary
    assert root["/Lang"] == "en" and "/StructTreeRoot" in root
    page_text = " ".join(reader.pages[0].extract_text().split())
    assert code in page_text and "SECRET-NARRATIVE" not in page_text
    page = check(client, receipt_file=SimpleUploadedFile("r.pdf", content, "application/pdf"))
    assert "Valid: ReturnWatch signed this receipt" in page
    # A forged PDF (same layout, another key) does not verify.
    forged = receipts.for_tip(_tip, code)
    receipts.sign(forged, Ed25519PrivateKey.generate())
    forged_pdf = receipts.to_pdf(forged)
    page = check(client, receipt_file=SimpleUploadedFile("f.pdf", forged_pdf, "application/pdf"))
    assert "signed with a key this server does not know" in page
    # Spanish sender: the receipt speaks Spanish around the same signed block.
    es = client.post("/es/report/receipt/", {"code": code, "output": "pdf"}).content
    assert PdfReader(io.BytesIO(es)).trailer["/Root"]["/Lang"] == "es"  # type: ignore[index]  # a PDF dictionary


def test_a_wrong_code_gets_no_receipt(client):
    make_tip()
    response = get_receipt(client, "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZ0")
    assert response.status_code == 404
    assert b"No receipt could be made" in response.content


def test_receipt_page_after_sending_offers_the_download(client):
    response = client.post(
        "/report/?lang=en",
        {"narrative": "They stopped the bus outside the city.", "submitter_role": "other"},
        follow=True,
    )
    body = response.content.decode()
    assert 'action="/report/receipt/"' in body
    code = re.search(r'name="code" value="([^"]+)"', body).group(1)
    assert get_receipt(client, code).status_code == 200


def test_public_key_is_published_at_a_stable_address(client):
    response = client.get("/report/verify/public-key.pem")
    assert response.status_code == 200
    assert response.content.startswith(b"-----BEGIN PUBLIC KEY-----")
    assert response["X-Receipt-Key-Id"] == receipts.key_id(receipts.public_key())
    assert receipts.key_id(receipts.public_key()) in client.get("/report/verify/").content.decode()


def test_production_key_from_settings_and_old_keys_stay_trusted(client, settings):
    _tip, code, _photo = make_tip()
    old_text = get_receipt(client, code).content.decode()  # development key
    key = Ed25519PrivateKey.generate()
    from cryptography.hazmat.primitives import serialization

    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    settings.RECEIPT_SIGNING_KEY = base64.b64encode(raw).decode()
    new_text = get_receipt(client, code).content.decode()
    assert "DEVELOPMENT" not in new_text
    assert receipts.verify(receipts.parse(new_text)).valid
    assert receipts.verify(receipts.parse(old_text)).reason == "unknown-key"
    dev = Ed25519PrivateKey.from_private_bytes(receipts.DEVELOPMENT_SEED).public_key()
    settings.RECEIPT_OLD_PUBLIC_KEYS = receipts.public_key_pem(dev)
    assert receipts.verify(receipts.parse(old_text)).valid


def test_offline_command_checks_a_receipt_and_what_was_sent(client, tmp_path: Path, capsys):
    _tip, code, photo = make_tip()
    receipt_pdf = tmp_path / "receipt.pdf"
    receipt_pdf.write_bytes(get_receipt(client, code, output="pdf").content)
    sent = tmp_path / "sent.txt"
    sent.write_text(NARRATIVE.replace("\r\n", "\n") + "\n", encoding="utf-8")
    image = tmp_path / "photo.png"
    image.write_bytes(photo)
    call_command("verify_receipt", str(receipt_pdf), text=str(sent), file=[str(image)])
    out = capsys.readouterr().out
    assert "Signature:      valid" in out and "Text:           matches" in out
    text_receipt = tmp_path / "receipt.txt"
    original = get_receipt(client, code).content.decode()
    text_receipt.write_text(original.replace("Files: 1", "Files: 0"), encoding="utf-8")
    with pytest.raises((SystemExit, Exception)):
        call_command("verify_receipt", str(text_receipt))
    tampered = tmp_path / "changed.txt"
    tampered.write_text(NARRATIVE.replace("second", "secand"), encoding="utf-8")
    text_receipt.write_text(original, encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command("verify_receipt", str(text_receipt), text=str(tampered))
    assert "DOES NOT MATCH" in capsys.readouterr().out


def test_verify_page_in_spanish_asks_for_a_receipt(client):
    page = client.get("/es/report/verify/")
    assert "Comprobar un recibo" in html.unescape(page.content.decode())
    refused = client.post("/es/report/verify/", {"receipt_text": ""})
    assert refused.status_code == 400
    assert "Pegue un recibo o elija un archivo de recibo." in html.unescape(
        refused.content.decode()
    )
    unreadable = client.post("/es/report/verify/", {"receipt_text": "hola"})
    assert "Esto no es un recibo de ReturnWatch" in html.unescape(unreadable.content.decode())


def test_deploy_check_warns_about_the_development_receipt_key(settings):
    from returnwatch.security import check_production_keys

    settings.RECEIPT_SIGNING_KEY = ""
    assert "returnwatch.W003" in [m.id for m in check_production_keys(None)]
    settings.RECEIPT_SIGNING_KEY = base64.b64encode(b"k" * 32).decode()
    ids = [m.id for m in check_production_keys(None)]
    assert "returnwatch.W003" not in ids and "returnwatch.W004" not in ids
    settings.RECEIPT_SIGNING_KEY = "not-a-key"
    assert "returnwatch.W004" in [m.id for m in check_production_keys(None)]
