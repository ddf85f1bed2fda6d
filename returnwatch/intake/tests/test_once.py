"""Post/redirect/get with a one-time token: a double click, a resend over a flaky connection
or a reload of the receipt page stores one tip (or follow-up) and shows the same receipt."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from returnwatch.intake import submissions
from returnwatch.intake.models import Tip, TipFollowUp

from .conftest import png_bytes

pytestmark = pytest.mark.django_db

CODE = re.compile(r'<p class="receipt-code"><code>([0-9A-Z-]{24})</code></p>')


def token_from(response: Any) -> str:
    match = re.search(r'name="submission" value="([^"]+)"', response.content.decode())
    assert match, "the form carries no one-time token"
    return html.unescape(match.group(1))


def receipt_code(response: Any) -> str:
    match = CODE.search(response.content.decode())
    assert match, "no receipt code on the page"
    return match.group(1)


def test_the_same_form_sent_twice_stores_one_tip_and_shows_the_same_receipt(
    client: Client,
) -> None:
    token = token_from(client.get("/es/report/"))
    data = {"narrative": "Nos secuestraron en la central.", "submission": token}
    first = client.post("/es/report/", data)
    assert first.status_code == 303 and first["Location"] == "/es/report/received/"
    assert "no-store" in first["Cache-Control"]
    code = receipt_code(client.get(first["Location"]))

    # Double click / resend: same token, nothing new stored, same receipt.
    again = client.post("/es/report/", data, follow=True)
    assert again.redirect_chain == [("/es/report/received/", 303)]
    assert receipt_code(again) == code
    # Reload of the receipt page: a GET, the same code, nothing stored.
    reloaded = client.get("/es/report/received/")
    assert receipt_code(reloaded) == code and "no-store" in reloaded["Cache-Control"]
    assert Tip.objects.count() == 1
    assert submissions.find_tip(code) == Tip.objects.get()


def test_a_resend_arriving_without_the_first_answer_finds_the_tip(client: Client) -> None:
    """The first answer was lost on the way (a flaky connection): the browser sends again
    from another connection without the receipt cookie, and still gets the same code."""
    token = token_from(client.get("/report/"))
    client.post("/report/", {"narrative": "first try", "submission": token})
    code = receipt_code(client.get("/report/received/"))
    other = Client()
    resent = other.post("/report/", {"narrative": "first try", "submission": token}, follow=True)
    assert receipt_code(resent) == code
    assert Tip.objects.count() == 1


def test_two_forms_store_two_tips_and_a_form_without_a_token_still_stores(
    client: Client,
) -> None:
    for _ in range(2):
        token = token_from(client.get("/report/"))
        client.post("/report/", {"narrative": "one of two", "submission": token})
    # A forged or missing token is not trusted for deduplication, but nothing is lost.
    assert client.post("/report/", {"narrative": "no token"}).status_code == 303
    r = client.post("/report/", {"narrative": "forged", "submission": "abc:def"})
    assert r.status_code == 303
    assert Tip.objects.count() == 4


def test_a_refused_form_keeps_its_token_so_the_corrected_send_stores_once(
    client: Client,
) -> None:
    token = token_from(client.get("/report/"))
    refused = client.post("/report/", {"narrative": "", "submission": token})
    assert refused.status_code == 400 and token_from(refused) == token
    data = {"narrative": "now written", "submission": token}
    assert client.post("/report/", data).status_code == 303
    assert client.post("/report/", data).status_code == 303
    assert Tip.objects.count() == 1


def test_the_receipt_page_without_a_recent_send_shows_no_code(client: Client) -> None:
    r = client.get("/report/received/")
    assert r.status_code == 200
    assert "This receipt can no longer be shown" in r.content.decode()
    assert not CODE.search(r.content.decode())
    client.cookies["rw_receipt"] = "tampered:value"
    assert not CODE.search(client.get("/report/received/").content.decode())


def test_the_same_follow_up_sent_twice_is_stored_once_and_thanks_on_its_own_page(
    client: Client,
) -> None:
    tip, code = submissions.create_tip({"narrative": "x"})
    opened = client.post("/report/follow-up/", {"code": code})
    token = token_from(opened)
    data = {
        "code": code,
        "add": "1",
        "text": "They called again.",
        "submission": token,
        "files": [SimpleUploadedFile("a.png", png_bytes(), "image/png")],
    }
    first = client.post("/report/follow-up/", data)
    assert first.status_code == 303 and first["Location"] == "/report/follow-up/received/"
    data["files"] = [SimpleUploadedFile("a.png", png_bytes(), "image/png")]
    second = client.post("/report/follow-up/", data, follow=True)
    assert second.redirect_chain == [("/report/follow-up/received/", 303)]
    page = second.content.decode()
    # The thanks page has the site's layout (header, main, footer, stylesheet).
    assert "Thank you. Your additional information was received." in page
    assert '<header class="site">' in page and '<main id="main">' in page
    assert "site.css" in page and '<div class="intake-page">' in page
    assert client.get("/report/follow-up/received/").status_code == 200  # reload
    assert TipFollowUp.objects.filter(tip=tip).count() == 1
    assert tip.attachments.count() == 1


def test_going_back_and_sending_a_changed_form_stores_the_change(client: Client) -> None:
    """The browser may restore the old token when a person goes back: a form whose text or
    files changed is a new tip, never dropped as a duplicate of the first."""
    token = token_from(client.get("/report/"))
    client.post("/report/", {"narrative": "first version", "submission": token})
    first = receipt_code(client.get("/report/received/"))
    client.post("/report/", {"narrative": "first version, and more", "submission": token})
    second = receipt_code(client.get("/report/received/"))
    photo = SimpleUploadedFile("a.png", png_bytes(), "image/png")
    data = {"narrative": "first version, and more", "submission": token, "files": [photo]}
    client.post("/report/", data)
    third = receipt_code(client.get("/report/received/"))
    assert len({first, second, third}) == 3
    assert Tip.objects.count() == 3


def test_two_requests_racing_with_the_same_form_store_one_tip(
    client: Client, monkeypatch: Any
) -> None:
    """The second of two simultaneous sends does not see the first tip when it looks (not yet
    committed) and then hits the unique receipt hash: it answers with the same receipt."""
    from returnwatch.intake import views

    token = token_from(client.get("/report/"))
    data = {"narrative": "sent twice at once", "submission": token}
    client.post("/report/", data)
    code = receipt_code(client.get("/report/received/"))
    real_find = views.find_tip
    calls: list[str] = []

    def not_yet_committed(c: str) -> Any:
        calls.append(c)
        return None if len(calls) == 1 else real_find(c)

    monkeypatch.setattr(views, "find_tip", not_yet_committed)
    racing = client.post("/report/", data, follow=True)
    assert racing.redirect_chain == [("/report/received/", 303)]
    assert receipt_code(racing) == code
    assert Tip.objects.count() == 1


def test_two_follow_ups_racing_with_the_same_form_store_one(
    client: Client, monkeypatch: Any
) -> None:
    from returnwatch.intake import views

    tip, code = submissions.create_tip({"narrative": "x"})
    token = token_from(client.post("/report/follow-up/", {"code": code}))
    data = {"code": code, "add": "1", "text": "once only", "submission": token}
    client.post("/report/follow-up/", data)
    real_find = views.find_follow_up
    calls: list[str] = []

    def not_yet_committed(raw: str) -> Any:
        calls.append(raw)
        return None if len(calls) == 1 else real_find(raw)

    monkeypatch.setattr(views, "find_follow_up", not_yet_committed)
    racing = client.post("/report/follow-up/", data)
    assert racing.status_code == 303 and racing["Location"] == "/report/follow-up/received/"
    assert len(calls) == 2  # looked once (nothing yet), then found it after the unique index
    assert TipFollowUp.objects.filter(tip=tip).count() == 1
