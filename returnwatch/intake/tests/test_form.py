"""The public tip form: five languages, errors in the person's language, language choice,
honeypot, rate limit, and no IP address kept anywhere."""

import html
import logging
from typing import Any

import polib
import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from returnwatch.intake.models import Tip
from returnwatch.intake.views import FORM_LANGUAGES

pytestmark = pytest.mark.django_db

LOCALE = settings.BASE_DIR / "returnwatch" / "intake" / "locale"
# Sources of the strings a submitter sees on the form page without errors.
FORM_PAGE_SOURCES = ("templates/intake/report.html",)
# Shown only after sending (checked by the error, file and rate-limit tests).
CONDITIONAL = {
    "For your safety, files cannot be kept on this page: please choose your files again "
    "before sending.",
    "Please check the answers marked below. Everything you wrote is still here.",
    "Many reports were sent from this connection in a short time. Please wait an hour and "
    "send again. Everything you wrote is still below.",
}
FORM_FIELD_STRINGS = [
    "Who is writing?",
    "I am the person who was harmed",
    "Tell us what happened, in your own words",
    "Who was harmed, what was done, by whom, when and where. Write in any language. "
    "You do not need to give names.",
    "When did it happen? (date)",
    "Or the approximate month",
    "Where did it happen? (city)",
    "Under which program was the person sent back to Mexico?",
    "Did the person tell US officials they were afraid to return to Mexico?",
    "Nationality of the people harmed",
    "Haiti",
    "How can we reach you? (optional)",
    "You may contact me about this information.",
    "You may publish an account of what happened with no names or details that could "
    "identify anyone.",
    "You may share this information with the US Department of Homeland Security's Office "
    "for Civil Rights and Civil Liberties (CRCL).",
    "Photos, documents, voice notes or short videos",
]


def catalog(lang: str) -> dict[str, str]:
    """What the site shows for each of our msgids in `lang` (Django merges every app's
    catalog, and an app listed earlier may word a shared msgid differently: still translated)."""
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    with translation.override(lang):
        return {e.msgid: e.msgstr and translation.gettext(e.msgid) for e in po if not e.obsolete}


def page_text(response: Any) -> str:
    return html.unescape(response.content.decode())


def url(lang: str, path: str = "/report/") -> str:
    return path if lang == "en" else f"/{lang}{path}"


@pytest.mark.parametrize("lang", FORM_LANGUAGES)
def test_each_language_renders_the_whole_form(client: Client, lang: str) -> None:
    response = client.get(url(lang))
    assert response.status_code == 200
    text = page_text(response)
    assert f'<html lang="{lang}">' in text
    # All five languages are offered in the switch.
    for code in FORM_LANGUAGES:
        assert f'hreflang="{code}"' in text or f'<strong lang="{code}">' in text
    if lang == "en":
        return
    messages = catalog(lang)
    po = polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))
    template_ids = [
        e.msgid
        for e in po
        if any(o[0] in FORM_PAGE_SOURCES for o in e.occurrences)
        and "%(" not in e.msgid
        and e.msgid not in CONDITIONAL
    ]
    for msgid in template_ids + FORM_FIELD_STRINGS:
        translated = messages[msgid]
        assert translated, f"{lang}: no translation for {msgid!r}"
        assert translated in text, f"{lang}: {msgid!r} not shown as {translated!r}"
        if translated != msgid and len(msgid) > 12:
            assert msgid not in text, f"{lang}: English left on the page: {msgid!r}"
    # Vocabulary labels (data) are in the language too.
    assert {"es": "Secuestro", "ht": "Kidnapin", "pt": "Sequestro", "fr": "Enlèvement"}[
        lang
    ] in text


REQUIRED = {
    "en": "Please tell us what happened: this is the only question you must answer.",
}


@pytest.mark.parametrize("lang", FORM_LANGUAGES)
def test_errors_come_in_the_persons_language_and_keep_the_answers(
    client: Client, lang: str
) -> None:
    messages = catalog(lang) if lang != "en" else {}

    def t(msgid: str) -> str:
        return messages.get(msgid) or msgid

    response = client.post(
        url(lang),
        {
            "narrative": "",
            "month": "2025-13",
            "date": "not a date",
            "city": "atlantis",
            "city_other": "KEEP-THIS-PLACE",
            "consent_contact": "on",
            "contact": "",
        },
    )
    assert response.status_code == 400
    text = page_text(response)
    for msgid in (
        "Please tell us what happened: this is the only question you must answer.",
        "Please write the month as year-month, e.g. 2025-03.",
        "Please write the date as year-month-day.",
        "Please choose one of the options offered.",
        "You said we may contact you: please tell us how, or untick that box.",
        "Please check the answers marked below. Everything you wrote is still here.",
    ):
        assert t(msgid) in text, f"{lang}: missing error {msgid!r}"
    assert "KEEP-THIS-PLACE" in text
    assert not Tip.objects.exists()


def test_the_bare_address_follows_the_browser_language_unless_a_choice_was_made(
    client: Client,
) -> None:
    r = client.get("/report/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9,en;q=0.5")
    assert r.status_code == 302 and r["Location"] == "/es/report/"
    assert "Accept-Language" in r["Vary"]
    r = client.get("/report/follow-up/", HTTP_ACCEPT_LANGUAGE="ht,fr;q=0.8")
    assert r["Location"] == "/ht/report/follow-up/"
    r = client.get("/report/", HTTP_ACCEPT_LANGUAGE="de-DE,pt-BR;q=0.8,en;q=0.5")
    assert r["Location"] == "/pt/report/"
    # English preferred, or nothing we offer: English at the bare address.
    assert client.get("/report/", HTTP_ACCEPT_LANGUAGE="en-US,es;q=0.5").status_code == 200
    assert client.get("/report/", HTTP_ACCEPT_LANGUAGE="de,ja;q=0.5").status_code == 200
    # An explicit choice of English (the language switch adds ?lang=en) is respected.
    r = client.get("/report/?lang=en", HTTP_ACCEPT_LANGUAGE="es")
    assert r.status_code == 200 and '<html lang="en">' in r.content.decode()
    es_page = client.get("/es/report/").content.decode()
    assert 'href="/report/?lang=en"' in es_page
    # A prefixed address is itself a choice.
    assert client.get("/fr/report/", HTTP_ACCEPT_LANGUAGE="es").status_code == 200
    # So is Django's language cookie.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get("/report/", HTTP_ACCEPT_LANGUAGE="es").status_code == 200


def test_a_tip_is_saved_and_the_receipt_shown_in_the_language(
    client: Client, researcher: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            "/pt/report/",
            {
                "narrative": "Fomos sequestrados perto da rodoviária.",
                "violence_types": ["kidnapping"],
                "month": "2025-02",
                "city": "reynosa",
                "nationalities": ["br"],
                "other_nationality": "ao",
                "fear_expressed": "yes",
                "submitter_role": "family",
            },
            follow=True,
        )
    assert r.redirect_chain == [("/pt/report/received/", 303)]
    text = page_text(r)
    assert "Recebemos sua informação" in text
    assert r["Cache-Control"].startswith("max-age=0") and "no-store" in r["Cache-Control"]
    tip = Tip.objects.get()
    assert tip.language == "pt" and tip.source == "form"
    assert tip.date_precision == "month" and tip.fear_expressed == "yes"
    assert sorted(tip.nationalities.values_list("code", flat=True)) == ["ao", "br"]
    code = text.split('<p class="receipt-code"><code>')[1].split("</code>")[0]
    assert tip.receipt_hash != code and len(code) == 24


def test_honeypot_answers_like_success_and_saves_nothing(client: Client) -> None:
    r = client.post(
        "/report/", {"narrative": "buy cheap pills", "website": "http://spam"}, follow=True
    )
    assert r.redirect_chain == [("/report/received/", 303)]
    assert 'class="receipt-code"' in r.content.decode()
    assert not Tip.objects.exists()


def test_rate_limit_holds_back_floods_and_keeps_what_was_typed(
    client: Client, settings: Any
) -> None:
    settings.TIP_RATE_LIMIT_PER_HOUR = 2
    for i in range(2):
        assert client.post("/es/report/", {"narrative": f"tip {i}"}).status_code == 303
    r = client.post("/es/report/", {"narrative": "THIRD-TIP-TEXT"})
    assert r.status_code == 429
    text = page_text(r)
    assert "Espere una hora" in text and "THIRD-TIP-TEXT" in text
    assert Tip.objects.count() == 2
    # Another client is not affected.
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert other.post("/report/", {"narrative": "other client"}).status_code == 303


def test_no_ip_address_is_stored_logged_or_kept_in_the_cache(
    client: Client, caplog: Any, capsys: Any
) -> None:
    address = "203.0.113.77"
    caplog.set_level(logging.DEBUG)
    c = Client(REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=address)
    assert c.post("/report/", {"narrative": "a tip", "contact": "x"}).status_code == 303
    assert c.post("/report/follow-up/", {"code": "WRONG"}).status_code == 200
    call_command("dumpdata", "intake", "audit", "incidents.document", stdout=(out := _Buffer()))
    assert Tip.objects.count() == 1
    assert address not in out.text
    assert address not in caplog.text
    captured = capsys.readouterr()
    assert address not in captured.out + captured.err
    keys = " ".join(str(k) for k in cache._cache)  # type: ignore[attr-defined]  # LocMemCache's store
    assert "intake:rate:tip:" in keys and address not in keys


class _Buffer:
    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass


def test_behind_a_proxy_each_client_is_counted_apart(settings: Any) -> None:
    settings.TIP_RATE_LIMIT_PER_HOUR = 1
    settings.TIP_TRUST_X_FORWARDED_FOR = True
    proxy = "10.0.0.1"
    first = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5, 198.51.100.2")
    assert first.post("/report/", {"narrative": "a"}).status_code == 303
    assert second.post("/report/", {"narrative": "b"}).status_code == 303
    assert first.post("/report/", {"narrative": "c"}).status_code == 429
    # A forged first entry does not give a fresh counter: the proxy's last entry counts.
    forged = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.1")
    assert forged.post("/report/", {"narrative": "d"}).status_code == 429
