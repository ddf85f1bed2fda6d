"""Receipt codes: a wrong code learns nothing; the right one shows only the stage and adds."""

import html
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from returnwatch.intake import submissions
from returnwatch.intake.models import Tip, TipFollowUp

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


def text(r: Any) -> str:
    return html.unescape(r.content.decode())


def test_codes_are_long_random_and_stored_only_as_a_hash() -> None:
    codes = {submissions.new_receipt_code() for _ in range(200)}
    assert len(codes) == 200
    for code in list(codes)[:5]:
        groups = code.split("-")
        assert len(groups) == 5 and all(len(g) == 4 for g in groups)
        assert set(code.replace("-", "")) <= set(submissions.ALPHABET)
    tip, code = submissions.create_tip({"narrative": "x"})
    stored = Tip.objects.filter(pk=tip.pk).values()[0]
    assert code not in str(stored) and code.replace("-", "") not in str(stored)
    # Read back by hand: lower case, spaces, O for 0 and I/L for 1 all work.
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert submissions.find_tip(sloppy) == tip


def test_a_wrong_code_learns_nothing(client: Client) -> None:
    tip, code = submissions.create_tip({"narrative": "SECRET-NARRATIVE"})
    Tip.objects.filter(pk=tip.pk).update(status="declined", decline_reason="REASON-X")
    wrong = "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ" else "0000"
    answers = [
        client.post("/es/report/follow-up/", {"code": c})
        for c in (wrong, "abc", code[:-1] + ("0" if code[-1] != "0" else "1"), "!" * 60)
    ]
    bodies = {text(r).replace(c, "") for r, c in zip(answers, [wrong, "abc"], strict=False)}
    for r in answers:
        assert r.status_code == 200
        body = text(r)
        assert "No pudimos abrir ningún envío con este código" in body
        for secret in ("SECRET-NARRATIVE", "REASON-X", "Cerrada", "Recibida"):
            assert secret not in body
    # Same page whatever the wrong code (apart from echoing what was typed).
    assert len({b.count("<") for b in bodies}) == 1


def test_the_right_code_shows_the_stage_and_adds_information(
    client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    tip, code = submissions.create_tip({"narrative": "SECRET-NARRATIVE", "contact": "C-1"})
    r = client.post("/report/follow-up/?lang=en", {"code": code})
    body = text(r)
    assert r.status_code == 200
    assert "Received. Nobody has started reviewing it yet." in body
    assert "SECRET-NARRATIVE" not in body and "C-1" not in body
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/report/follow-up/",
            {
                "code": code,
                "add": "1",
                "text": "They came back the next day.",
                "files": [SimpleUploadedFile("more.png", png_bytes("blue"), "image/png")],
            },
            follow=True,
        )
    assert r.redirect_chain == [("/report/follow-up/received/", 303)]
    assert "Your additional information was received" in text(r)
    follow_up = TipFollowUp.objects.get(tip=tip)
    assert follow_up.text == "They came back the next day."
    assert follow_up.attachments.count() == 1
    tip.refresh_from_db()
    assert tip.last_submitter_activity is not None
    # Stages: in review, then closed — and nothing else.
    Tip.objects.filter(pk=tip.pk).update(status="follow_up")
    assert "Being reviewed" in text(client.post("/report/follow-up/", {"code": code}))
    Tip.objects.filter(pk=tip.pk).update(status="accepted")
    assert "Closed." in text(client.post("/report/follow-up/", {"code": code}))


def test_adding_nothing_is_an_error_and_keeps_the_code(client: Client) -> None:
    _tip, code = submissions.create_tip({"narrative": "x"})
    r = client.post("/ht/report/follow-up/", {"code": code, "add": "1", "text": ""})
    assert r.status_code == 400
    assert "Tanpri ekri yon bagay oswa chwazi yon fichye pou ajoute." in text(r)
    assert f'value="{code}"' in r.content.decode()


def test_code_guessing_is_rate_limited(client: Client, settings: Any) -> None:
    settings.TIP_RATE_LIMIT_PER_HOUR = 1  # three attempts an hour
    for _ in range(3):
        assert client.post("/report/follow-up/", {"code": "AAAA"}).status_code == 200
    r = client.post("/report/follow-up/", {"code": "AAAA"})
    assert r.status_code == 429 and "Too many attempts" in text(r)
