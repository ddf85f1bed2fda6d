"""Nothing a person types is stored or logged; sharing sends only what they chose."""

from __future__ import annotations

import html
import logging
import pickle
import sys
from collections.abc import Iterator
from unittest import mock

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.views.debug import ExceptionReporter

from returnwatch.complaints import views

from .conftest import MARKERS, answers, download, token_of, walk

pytestmark = pytest.mark.django_db

SECRET_MARKERS = list(MARKERS.values()) + [MARKERS["narrative"][:25], MARKERS["full_name"][:10]]


def database_text() -> Iterator[str]:
    """Every row of every table, as text (bytes decoded), for a plain search."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    yield f"{table}: {value}"


def assert_nowhere(markers: list[str], caplog: pytest.LogCaptureFixture, queries=()) -> None:
    stored = "\n".join(database_text())
    assert stored, "the database search found no rows at all: it is not searching"
    logged = "\n".join(
        f"{r.getMessage()} {r.exc_text or ''} {getattr(r, 'request', '')}" for r in caplog.records
    )
    cached = repr(pickle.dumps(dict(getattr(cache, "_cache", {}))))
    sql = "\n".join(q["sql"] for q in queries)
    outbox = "\n".join(str(m.body) + str(m.subject) for m in mail.outbox)
    for marker in markers:
        for where, text in [
            ("database", stored),
            ("logs", logged),
            ("cache", cached),
            ("sql", sql),
            ("mail", outbox),
        ]:
            assert marker not in text, f"{marker!r} found in {where}"


def test_nothing_of_a_complaint_is_stored_or_logged(client, caplog):
    caplog.set_level(logging.DEBUG)
    # The tables that exist are really searched: a known value is found.
    assert "crcl@dhs.gov" in "\n".join(database_text())
    with CaptureQueriesContext(connection) as queries:
        summary = walk(client, answers())
        for output in ("pdf", "pdf-own", "txt", "txt-own"):
            assert download(client, summary, output).status_code == 200
        # Going back and forth and switching language changes nothing either.
        client.post("/es/complaint/", {"state": token_of(summary), "action": "goto:harm"})
    assert caplog.records is not None
    assert_nowhere(SECRET_MARKERS, caplog, queries.captured_queries)
    # No session was created for the visitor either.
    from django.contrib.sessions.models import Session

    assert Session.objects.count() == 0
    # The summary page tells the browser not to keep it.
    assert "no-store" in summary["Cache-Control"]


def test_an_error_report_never_shows_what_was_typed(client):
    """If building the PDF fails, Django's error report hides the POST and every local variable."""
    summary = walk(client, answers())
    request = RequestFactory().post(
        "/complaint/document/", {"state": token_of(summary), "output": "pdf"}
    )
    request.user = mock.Mock(is_authenticated=False)
    report = ""
    try:
        with mock.patch("returnwatch.complaints.pdf.render", side_effect=RuntimeError("boom")):
            views.document(request)
    except RuntimeError:
        # The HTML report is the full one: it lists every frame's local variables.
        report = html.unescape(ExceptionReporter(request, *sys.exc_info()).get_traceback_html())
    assert "boom" in report and "Local vars" in report  # a real report, with frames
    for marker in SECRET_MARKERS:
        assert marker not in report
    assert token_of(summary) not in report  # the POST value itself is starred out


@pytest.fixture
def intake():
    try:
        from returnwatch.intake import submissions  # noqa: F401
        from returnwatch.intake.models import Tip
    except ImportError:  # pragma: no cover - only before the tip intake exists
        pytest.skip("the tip intake (returnwatch.intake.submissions) is not available")
    return Tip


def share(fields: list[str], publish: bool = False) -> dict[str, dict]:
    steps = answers(for_someone_else=False)
    steps["share"] = {
        "share": "on",
        "share_fields": fields,
        "consent_publish": "on" if publish else "",
    }
    return steps


def test_sharing_creates_a_tip_with_only_the_chosen_fields(client, caplog, intake):
    caplog.set_level(logging.DEBUG)
    summary = walk(client, share(["when-where", "types", "fear"]))
    html = summary.content.decode()
    assert "Your anonymized account was shared with ReturnWatch." in html
    tip = intake.objects.get()
    assert tip.source == "complaint" and tip.submitter_role == "harmed"
    assert tip.city.code == "matamoros" and str(tip.date) == "2019-10-05"
    assert tip.program.code == "mpp-2019" and tip.port_of_entry.code == "brownsville"
    assert sorted(tip.violence_types.values_list("code", flat=True)) == ["extortion", "kidnapping"]
    assert tip.fear_expressed == "yes"
    assert not tip.nationalities.exists()
    assert tip.contact == "" and not tip.consent_contact and not tip.consent_publish
    assert MARKERS["narrative"] not in tip.narrative  # not chosen: a neutral note instead
    # The receipt code is shown once and carried, so finishing again shares nothing new.
    assert 'class="receipt"' in html
    again = client.post("/complaint/", {"state": token_of(summary), "action": "goto:review"})
    assert b'class="receipt"' in again.content
    assert intake.objects.count() == 1
    # Name, A-number, phone, witnesses: nowhere, not even encrypted in the tip.
    never = [MARKERS[k] for k in ("full_name", "a_number", "phone", "witnesses", "narrative")]
    assert_nowhere(never, caplog)
    decrypted = f"{tip.narrative} {tip.contact} {tip.city_other}"
    for marker in never:
        assert marker not in decrypted


def test_sharing_the_account_and_contact_when_chosen(client, caplog, intake):
    caplog.set_level(logging.DEBUG)
    walk(client, share(["narrative", "contact", "nationality"], publish=True))
    tip = intake.objects.get()
    assert tip.narrative == MARKERS["narrative"]
    assert tip.contact == MARKERS["phone"] and tip.consent_contact
    assert tip.consent_publish
    assert list(tip.nationalities.values_list("code", flat=True)) == ["hn"]
    assert tip.city is None and tip.date is None  # when-where was not chosen
    assert not tip.violence_types.exists()
    # Even so, the name and A-number are stored nowhere, and nothing was logged.
    assert_nowhere([MARKERS["full_name"], MARKERS["a_number"]], caplog)
    decrypted = f"{tip.narrative} {tip.contact}"
    assert MARKERS["full_name"] not in decrypted and MARKERS["a_number"] not in decrypted


def test_share_needs_a_choice(client, intake):
    steps = share([])
    response = walk(client, steps, until="share")
    bad = client.post(
        "/complaint/",
        {"state": token_of(response), "step": "share", "action": "next", "share": "on"},
    )
    assert "Choose at least one thing to share." in bad.content.decode()
    assert intake.objects.count() == 0
