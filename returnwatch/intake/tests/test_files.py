"""Attachments: type from content, metadata removed from photos, size limits, hashes."""

import hashlib
import html
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from returnwatch.intake.models import Tip, TipAttachment

from .conftest import EXECUTABLE, PDF, gps_jpeg, png_bytes

pytestmark = pytest.mark.django_db


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type)


def test_a_photo_with_gps_is_stored_without_any_metadata(client: Client) -> None:
    original = gps_jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # really has GPS
    r = client.post(
        "/report/",
        {"narrative": "photo attached", "files": [upload("IMG_0001.jpg", original)]},
    )
    assert r.status_code == 303 and r["Location"] == "/report/received/"
    attachment = TipAttachment.objects.get()
    stored = attachment.file.read()
    with Image.open(io.BytesIO(stored)) as im:
        assert im.format == "JPEG" and im.size == (64, 48)
        exif = im.getexif()
        assert len(exif) == 0 and not exif.get_ifd(0x8825)
        assert "exif" not in im.info and "icc_profile" not in im.info
    assert b"SpyPhone" not in stored and b"SpyCamera" not in stored
    assert attachment.metadata_removed and attachment.media_type == "image/jpeg"
    assert attachment.sha256 == hashlib.sha256(stored).hexdigest()
    assert attachment.received_sha256 == hashlib.sha256(original).hexdigest()
    # Stored under its hash, never under the submitter's file name.
    assert "IMG_0001" not in attachment.file.name
    assert attachment.original_filename == "IMG_0001.jpg"


def test_the_exif_orientation_is_applied_before_it_is_removed(client: Client) -> None:
    im = Image.new("RGB", (40, 20), "green")
    exif = im.getexif()
    exif[0x0112] = 6  # rotate 90° when displayed
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif)
    client.post("/report/", {"narrative": "x", "files": [upload("r.jpg", out.getvalue())]})
    with Image.open(TipAttachment.objects.get().file) as stored:
        assert stored.size == (20, 40) and len(stored.getexif()) == 0


def test_a_renamed_executable_is_refused_in_the_persons_language(client: Client) -> None:
    r = client.post(
        "/es/report/",
        {
            "narrative": "Mi relato completo MARCADOR",
            "files": [upload("foto.jpg", EXECUTABLE, "image/jpeg")],
        },
    )
    assert r.status_code == 400
    text = html.unescape(r.content.decode())
    assert "«foto.jpg» no es un tipo de archivo que aceptemos" in text
    assert "Mi relato completo MARCADOR" in text  # what they typed is kept
    assert "vuelva a elegirlos antes de enviar" in text  # and they are told files are not
    assert not Tip.objects.exists() and not TipAttachment.objects.exists()


def test_a_broken_image_with_a_jpeg_header_is_refused(client: Client) -> None:
    fake = b"\xff\xd8\xff\xe0" + b"\x00" * 300
    r = client.post("/report/", {"narrative": "x", "files": [upload("x.jpg", fake)]})
    assert r.status_code == 400
    assert "could not be opened as a picture" in html.unescape(r.content.decode())


def test_an_oversized_file_is_refused_and_the_narrative_stays(
    client: Client, settings: Any, media: Any
) -> None:
    settings.TIP_MAX_FILE_BYTES = 2000
    big = PDF + b"%" * 5000
    r = client.post(
        "/fr/report/",
        {
            "narrative": "Voici ce qui est arrivé, NARRATIF-GARDÉ",
            "city_other": "Quelque part",
            "files": [upload("rapport.pdf", big, "application/pdf")],
        },
    )
    assert r.status_code == 400
    text = html.unescape(r.content.decode())
    assert "« rapport.pdf » est trop volumineux" in text
    assert "NARRATIF-GARDÉ" in text and "Quelque part" in text
    assert "veuillez choisir à nouveau vos fichiers" in text
    assert not Tip.objects.exists()
    # The refused file was skipped while reading; nothing of it was stored.
    assert not [p for p in media.rglob("*") if p.is_file()] if media.exists() else True


def test_limits_on_the_whole_tip(client: Client, settings: Any) -> None:
    settings.TIP_MAX_TOTAL_BYTES = 1000
    files = [upload(f"{i}.pdf", PDF + b"%" * 400, "application/pdf") for i in range(3)]
    r = client.post("/report/", {"narrative": "x", "files": files})
    assert r.status_code == 400 and not Tip.objects.exists()
    settings.TIP_MAX_TOTAL_BYTES = 10**7
    settings.TIP_MAX_FILES = 2
    files = [upload(f"{i}.png", png_bytes(), "image/png") for i in range(3)]
    r = client.post("/report/", {"narrative": "x", "files": files})
    assert r.status_code == 400
    assert "at most 2 files" in r.content.decode()


def test_pdfs_and_several_files_are_accepted_with_hashes(client: Client) -> None:
    files = [upload("a.pdf", PDF, "application/octet-stream"), upload("b.png", png_bytes())]
    assert client.post("/report/", {"narrative": "x", "files": files}).status_code == 303
    kinds = sorted(TipAttachment.objects.values_list("media_type", flat=True))
    assert kinds == ["application/pdf", "image/png"]
    pdf = TipAttachment.objects.get(media_type="application/pdf")
    assert pdf.sha256 == pdf.received_sha256 == hashlib.sha256(PDF).hexdigest()
    assert not pdf.metadata_removed
