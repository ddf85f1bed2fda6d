"""create_tip / add_follow_up: the one path every tip takes."""

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from returnwatch.audit.models import Entry
from returnwatch.intake import submissions
from returnwatch.intake.files import FileRefused
from returnwatch.intake.models import Tip, TipAttachment

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


def test_create_tip_saves_everything_and_returns_a_code(
    researcher: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        tip, code = submissions.create_tip(
            {
                "narrative": "Nos secuestraron al salir de la garita.",
                "submitter_role": "harmed",
                "violence_types": ["kidnapping", "extortion"],
                "city": "nuevo-laredo",
                "date": "2025-03",
                "program": "mpp-2025",
                "fear_expressed": "yes",
                "victim_groups": ["family"],
                "nationalities": ["HN"],
                "language": "es",
                "consent_contact": True,
                "contact": "+52 555 0100",
            },
            files=[SimpleUploadedFile("foto.png", png_bytes(), "image/png")],
        )
    tip.refresh_from_db()
    assert tip.narrative.startswith("Nos secuestraron")
    assert tip.date_precision == "month" and tip.date.isoformat() == "2025-03-01"
    assert sorted(tip.violence_types.values_list("code", flat=True)) == [
        "extortion",
        "kidnapping",
    ]
    assert list(tip.nationalities.values_list("code", flat=True)) == ["hn"]
    assert tip.city.code == "nuevo-laredo" and tip.program.code == "mpp-2025"
    assert len(code) == 24 and code.count("-") == 4
    assert tip.receipt_hash == submissions.hash_code(code) and code not in tip.receipt_hash
    assert submissions.find_tip(code.lower().replace("-", " ")) == tip
    att = tip.attachments.get()
    assert att.media_type == "image/png" and att.metadata_removed and len(att.sha256) == 64
    entry = Entry.objects.get(action="tip.create")
    assert "narrative" in entry.fields and "Nos secuestraron" not in str(entry.__dict__)
    # The researcher is told by email, with a link and nothing of the content.
    assert len(mail.outbox) == 1
    assert f"/staff/tips/{tip.pk}/" in mail.outbox[0].body
    assert "secuestraron" not in str(mail.outbox[0].body) + str(mail.outbox[0].subject)
    assert "555" not in mail.outbox[0].body


def test_a_refused_file_saves_nothing(media: Any) -> None:
    exe = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, "image/jpeg")
    with pytest.raises(FileRefused):
        submissions.create_tip({"narrative": "x"}, files=[exe])
    assert not Tip.objects.exists()


def test_a_failed_transaction_leaves_no_rows_and_no_files(media: Any, monkeypatch: Any) -> None:
    def boom(*a: Any, **kw: Any) -> None:
        raise RuntimeError("disk full half way")

    monkeypatch.setattr(submissions, "record", boom)
    upload = SimpleUploadedFile("a.png", png_bytes(), "image/png")
    with pytest.raises(RuntimeError):
        submissions.create_tip({"narrative": "whole or nothing"}, files=[upload])
    assert not Tip.objects.exists() and not TipAttachment.objects.exists()
    assert not [p for p in media.rglob("*") if p.is_file()]


def test_follow_up_adds_text_and_files() -> None:
    tip, code = submissions.create_tip({"narrative": "first"})
    found = submissions.find_tip(code)
    assert found == tip
    submissions.add_follow_up(found, "more", [SimpleUploadedFile("b.png", png_bytes())])
    assert tip.follow_ups.get().text == "more"
    assert tip.attachments.get().follow_up is not None
    assert submissions.find_tip("0000-0000-0000-0000-0000") is None
    assert submissions.find_tip("") is None
