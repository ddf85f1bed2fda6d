"""Follow a search by e-mail (issue 16): double opt-in, digests of newly published and
retracted cases sent by the task queue, one-click unsubscribe, the address encrypted; and
staff's saved searches."""

from __future__ import annotations

import datetime as dt
import logging
import re
import smtplib
from collections.abc import Iterator
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from huey.contrib.djhuey import HUEY

from conftest import cite, verified_login
from returnwatch.incidents.models import Incident
from returnwatch.subscriptions import actions, tasks
from returnwatch.subscriptions.models import SavedSearch, SentCase, Subscription

pytestmark = pytest.mark.django_db

ADDRESS = "Reader.Follows@example.net"


@pytest.fixture(autouse=True)
def _tasks_run_where_queued() -> Iterator[None]:
    """Tasks run at once, from huey's in-memory queue (never the development queue file)."""
    HUEY.immediate = True
    # Addresses reversed here are the English ones, whatever an earlier test left active.
    translation.activate("en")
    yield
    HUEY.immediate = True


@pytest.fixture
def commit(django_capture_on_commit_callbacks: Any) -> Any:
    """Run what a request queued for after its commit (tests run inside one transaction)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def follow(client: Client, query: str, address: str = ADDRESS, commit: Any = None) -> Any:
    url = reverse("subscriptions:follow") + query
    if commit is None:
        return client.post(url, {"email": address})
    with commit():
        return client.post(url, {"email": address})


def link(message: Any, name: str) -> str:
    """The path of a link of the mail (`confirm`, `unsubscribe`, …)."""
    for url in re.findall(r"https?://\S+", str(message.body)):
        if f"/follow/{name}/" in url:
            return urlsplit(url).path
    raise AssertionError(f"no {name} link in {message.body}")


def subscribed(client: Client, query: str, commit: Any, address: str = ADDRESS) -> str:
    """Follow the search and confirm from the mail; the mail's unsubscribe address."""
    follow(client, query, address, commit)
    confirmation = mail.outbox[-1]
    client.post(link(confirmation, "confirm"))
    return confirmation.extra_headers["List-Unsubscribe"].strip("<>")


def publish(editor_client: Client, incident: Incident) -> None:
    cite(incident)
    url = reverse("staff:incident_transition", args=[incident.reference])
    response = editor_client.post(url, {"action": "publish"})
    assert response.status_code == 302, response.content.decode()[:2000]


def retract(editor_client: Client, incident: Incident, reason: str) -> None:
    url = reverse("staff:incident_transition", args=[incident.reference])
    response = editor_client.post(url, {"action": "retract", "reason": reason})
    assert response.status_code == 302


def raw_rows(table: str) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (our own table name)
        return cursor.fetchall()


@pytest.fixture
def editor_client(editor: Any) -> Client:
    c = Client()
    verified_login(c, editor)
    return c


# ---------------------------------------------------------------------------- the test


def test_a_subscriber_receives_exactly_one_digest_with_the_new_case_none_after_unsubscribing_and_the_table_holds_no_plain_address(  # noqa: E501
    client: Client, editor_client: Client, make_incident: Any, commit: Any
) -> None:
    old = make_incident(title="Already public before following", city="reynosa")
    old.published_at = timezone.now() - dt.timedelta(days=30)
    old.save()
    unsubscribe_url = subscribed(client, "?city=reynosa", commit)
    assert len(mail.outbox) == 1  # the confirmation, nothing else

    new = make_incident(
        title="Kidnapped at the Reynosa bus station", status="review", city="reynosa"
    )
    elsewhere = make_incident(title="Extortion in Nuevo Laredo", status="review")
    publish(editor_client, new)
    publish(editor_client, elsewhere)

    tasks.send_digests()  # the periodic task, through huey
    digests = mail.outbox[1:]
    assert len(digests) == 1
    digest = digests[0]
    assert digest.to == [ADDRESS]
    assert new.reference in digest.body and "Kidnapped at the Reynosa bus station" in digest.body
    assert old.reference not in digest.body and elsewhere.reference not in digest.body
    assert f"http://127.0.0.1:8000/incidents/{new.reference}/" in digest.body  # no redirector

    tasks.send_digests()  # nothing new: nothing sent
    assert len(mail.outbox) == 2

    # The table: the address neither in clear nor folded, in any column.
    for table in ("subscriptions_subscription", "subscriptions_sentcase"):
        for row in raw_rows(table):
            for value in row:
                text = str(value).casefold()
                assert ADDRESS.casefold() not in text and "example.net" not in text, table
    (stored,) = Subscription.objects.values_list("address", flat=True)
    assert stored == ADDRESS  # … yet the worker can still write to it

    # One click in the mail program (RFC 8058): a POST to the List-Unsubscribe address.
    response = client.post(
        urlsplit(unsubscribe_url).path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert not Subscription.objects.exists() and not SentCase.objects.exists()

    later = make_incident(title="Another Reynosa case", status="review", city="reynosa")
    publish(editor_client, later)
    tasks.send_digests()
    assert len(mail.outbox) == 2


# ---------------------------------------------------------------------------- subscribing


def test_subscribing_twice_answers_the_same_and_keeps_one_row_and_one_mail(
    client: Client, commit: Any
) -> None:
    first = follow(client, "?city=reynosa&type=kidnapping", commit=commit)
    # The same search clicked in another order, the address in other capitals.
    again = follow(
        client, "?type=kidnapping&city=reynosa&sort=date", ADDRESS.upper(), commit=commit
    )
    assert first.status_code == again.status_code == 303
    assert first["Location"] == again["Location"]
    assert client.get(first["Location"]).content == client.get(again["Location"]).content
    assert Subscription.objects.count() == 1
    assert Subscription.objects.get().query == "type=kidnapping&city=reynosa"
    assert len(mail.outbox) == 1  # its link still works: nothing sent again

    client.post(link(mail.outbox[0], "confirm"))
    confirmed = follow(client, "?city=reynosa&type=kidnapping", commit=commit)
    assert confirmed["Location"] == first["Location"]
    assert Subscription.objects.count() == 1 and len(mail.outbox) == 1


def test_the_confirmation_mail_describes_the_search_and_sends_nothing_else_until_confirmed(
    client: Client, editor_client: Client, make_incident: Any, commit: Any
) -> None:
    response = follow(client, "?city=reynosa", commit=commit)
    page = client.get(response["Location"]).content.decode()
    assert "we have sent it a message with a link to confirm" in page
    (message,) = mail.outbox
    assert "City: Reynosa" in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "<img" not in message.body and message.content_subtype == "plain"  # no pixel
    publish(editor_client, make_incident(status="review", city="reynosa"))
    tasks.send_digests()
    assert len(mail.outbox) == 1  # not confirmed: no digest


def test_a_confirmation_link_only_shows_a_button_and_the_post_confirms(
    client: Client, commit: Any
) -> None:
    follow(client, "?city=reynosa", commit=commit)
    url = link(mail.outbox[0], "confirm")
    page = client.get(url).content.decode()  # a mail scanner opening the link
    assert "Confirm and follow this search" in page
    assert Subscription.objects.get().confirmed_at is None
    page = client.post(url).content.decode()
    assert "You follow this search" in page
    assert Subscription.objects.get().confirmed_at is not None


def test_expired_and_forged_confirmation_links_confirm_nothing(
    client: Client, commit: Any, settings: Any
) -> None:
    follow(client, "?city=reynosa", commit=commit)
    url = link(mail.outbox[0], "confirm")
    subscription = Subscription.objects.get()
    forged = signing.dumps(
        subscription.key, key="not-our-secret-key-" * 3, salt=actions.CONFIRM_SALT
    )
    response = client.post(reverse("subscriptions:confirm", args=[forged]))
    assert response.status_code == 400 and "This link is not valid" in response.content.decode()
    # The unsubscribe link is signed for another purpose: it does not confirm.
    response = client.post(
        reverse("subscriptions:confirm", args=[actions.unsubscribe_token(subscription)])
    )
    assert response.status_code == 400
    settings.SUBSCRIPTION_CONFIRM_DAYS = 0
    response = client.post(url)
    assert response.status_code == 410 and "has expired" in response.content.decode()
    assert Subscription.objects.get().confirmed_at is None


def test_an_expired_unconfirmed_address_is_deleted_and_may_subscribe_again(
    client: Client, commit: Any
) -> None:
    follow(client, "?city=reynosa", commit=commit)
    long_ago = timezone.now() - dt.timedelta(days=8)
    Subscription.objects.update(created_at=long_ago, confirmation_sent_at=long_ago)
    tasks.forget_unconfirmed()
    assert not Subscription.objects.exists()
    follow(client, "?city=reynosa", commit=commit)
    assert Subscription.objects.count() == 1 and len(mail.outbox) == 2


def test_forged_unsubscribe_links_change_nothing_and_get_never_unsubscribes(
    client: Client, commit: Any
) -> None:
    unsubscribe_url = urlsplit(subscribed(client, "?city=reynosa", commit)).path
    key = Subscription.objects.get().key
    forged = signing.Signer(key="not-our-secret-key-" * 3, salt=actions.UNSUBSCRIBE_SALT).sign(key)
    response = client.post(reverse("subscriptions:unsubscribe", args=[forged]))
    assert response.status_code == 400
    page = client.get(unsubscribe_url)  # opening the link shows a button
    assert page.status_code == 200 and 'method="post"' in page.content.decode()
    assert Subscription.objects.exists()
    # The page's button works without JavaScript (and without a CSRF token from a mail program).
    csrf_client = Client(enforce_csrf_checks=True)
    response = csrf_client.post(unsubscribe_url)
    assert response.status_code == 200 and "You are unsubscribed" in response.content.decode()
    assert not Subscription.objects.exists()
    # Again, later: the same answer.
    assert "You are unsubscribed" in client.post(unsubscribe_url).content.decode()


def test_every_mail_has_an_unsubscribe_link_and_the_one_click_headers(
    client: Client, editor_client: Client, make_incident: Any, commit: Any
) -> None:
    subscribed(client, "?city=reynosa", commit)
    publish(editor_client, make_incident(status="review", city="reynosa"))
    call_command("send_digests", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        header = message.extra_headers["List-Unsubscribe"]
        assert header.startswith("<http://127.0.0.1:8000/follow/unsubscribe/")
        assert header.strip("<>").endswith("/") and urlsplit(header.strip("<>")).path == link(
            message, "unsubscribe"
        )
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        # Every link goes straight to this site: no redirector, no tracking parameters.
        for url in re.findall(r"https?://\S+", str(message.body)):
            assert url.startswith("http://127.0.0.1:8000/") and "utm_" not in url


def test_a_retraction_of_a_case_sent_is_announced_once(
    client: Client, editor_client: Client, make_incident: Any, commit: Any
) -> None:
    subscribed(client, "?city=reynosa", commit)
    case = make_incident(title="Reported twice", status="review", city="reynosa")
    publish(editor_client, case)
    tasks.send_digests()
    retract(editor_client, case, "A duplicate of an earlier record.")
    tasks.send_digests()
    tasks.send_digests()
    assert len(mail.outbox) == 3
    retraction = mail.outbox[2]
    assert (
        "Retracted cases" in retraction.body
        and "A duplicate of an earlier record." in retraction.body
    )
    assert "Newly published cases" not in retraction.body


def test_a_digest_the_mail_server_refuses_is_sent_next_time_and_the_log_holds_no_address(
    client: Client, editor_client: Client, make_incident: Any, commit: Any, caplog: Any
) -> None:
    subscribed(client, "?city=reynosa", commit)
    case = make_incident(status="review", city="reynosa")
    publish(editor_client, case)
    refused = smtplib.SMTPRecipientsRefused({ADDRESS: (550, b"no such user")})
    with (
        mock.patch.object(EmailMessage, "send", side_effect=refused),
        caplog.at_level(logging.INFO),
    ):
        tasks.send_digests()
    assert len(mail.outbox) == 1 and not SentCase.objects.exists()
    assert "SMTPRecipientsRefused" in caplog.text and ADDRESS not in caplog.text
    tasks.send_digests()
    assert len(mail.outbox) == 2 and case.reference in mail.outbox[1].body


def test_one_address_gets_at_most_five_confirmation_mails_a_day(
    client: Client, commit: Any
) -> None:
    for city in ("reynosa", "tijuana", "mexicali", "nogales", "matamoros", "ojinaga"):
        assert follow(client, f"?city={city}", commit=commit).status_code == 303
    assert len(mail.outbox) == actions.CONFIRMATIONS_PER_ADDRESS_PER_DAY == 5


def test_the_mail_is_in_the_subscribers_language(
    client: Client, editor_client: Client, make_incident: Any, commit: Any
) -> None:
    with commit():
        client.post("/ht/follow/?city=reynosa", {"email": ADDRESS})
    (message,) = mail.outbox
    assert "/ht/follow/confirm/" in message.body
    assert "Someone, probably you" not in message.body
    client.post(link(message, "confirm"))
    publish(editor_client, make_incident(status="review", city="reynosa"))
    tasks.send_digests()
    digest = mail.outbox[-1]
    assert "Newly published cases" not in digest.body and "/ht/follow/unsubscribe/" in digest.body


def test_the_subscribe_form_is_rate_limited_without_storing_the_address(
    client: Client, settings: Any, commit: Any
) -> None:
    settings.SUBSCRIBE_RATE_LIMIT_PER_HOUR = 2
    for n in range(2):
        assert follow(client, "?city=reynosa", f"r{n}@example.net", commit).status_code == 303
    response = follow(client, "?city=reynosa", "r9@example.net", commit)
    assert response.status_code == 429 and "Too many requests" in response.content.decode()
    assert Subscription.objects.count() == 2


def test_the_search_page_links_to_following_the_same_search(client: Client) -> None:
    page = client.get("/incidents/?type=kidnapping&city=reynosa&sort=date").content.decode()
    assert 'href="/follow/?type=kidnapping&amp;city=reynosa"' in page  # without the sort
    follow_page = client.get("/follow/?type=kidnapping&city=reynosa").content.decode()
    assert "Follow this search by e-mail" in follow_page and "City: Reynosa" in follow_page


# ---------------------------------------------------------------------------- staff


def test_staff_save_a_search_from_the_list_and_only_they_see_it(
    client: Client, researcher: Any, make_user: Any
) -> None:
    client.force_login(researcher)
    page = client.get("/staff/?q=kidnapped&status=draft").content.decode()
    assert "Save this search" in page
    response = client.post(
        reverse("staff:saved_searches"),
        {"name": "Kidnappings in draft", "query": "q=kidnapped&status=draft"},
    )
    assert response.status_code == 302
    listing = client.get(reverse("staff:saved_searches")).content.decode()
    assert (
        'href="/staff/?q=kidnapped&amp;status=draft"' in listing
        and "Kidnappings in draft" in listing
    )

    colleague = make_user("carla", "researcher")
    other = Client()
    other.force_login(colleague)
    assert "Kidnappings in draft" not in other.get(reverse("staff:saved_searches")).content.decode()
    saved = SavedSearch.objects.get()
    delete = reverse("staff:saved_search_delete", args=[saved.pk])
    assert other.post(delete).status_code == 404
    assert client.post(delete).status_code == 302
    assert not SavedSearch.objects.exists()
