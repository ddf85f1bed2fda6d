"""In Chromium, as a reader clicks it: narrow the search by a facet, follow it by e-mail, see
the confirmation message; confirm from the mail's link, then stop the e-mails."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core import mail
from huey.contrib.djhuey import HUEY

from returnwatch.subscriptions.models import Subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("SUBSCRIPTION_SCREENSHOTS", "")  # a directory, to look at the pages


@pytest.fixture(autouse=True)
def _tasks_run_where_queued() -> Iterator[None]:
    HUEY.immediate = True
    yield
    HUEY.immediate = True


def click(page: Any, target: Any) -> None:
    with page.expect_navigation():
        target.click()


def shot(page: Any, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("viewport", [1280, 360])
def test_a_reader_follows_a_search_with_a_facet_selected_and_sees_the_confirmation(
    page: Any, live_server: Any, make_incident: Any, viewport: int
) -> None:
    make_incident(title="Kidnapped at the bus station", city="reynosa")
    make_incident(title="Extortion in Nuevo Laredo")
    page.set_viewport_size({"width": viewport, "height": 800})
    page.goto(f"{live_server.url}/incidents/")
    click(page, page.locator("aside.facets").get_by_role("link", name="Reynosa", exact=True))
    assert "city=reynosa" in page.url
    click(page, page.get_by_role("link", name="Follow this search by e-mail"))
    assert page.locator("h1").inner_text() == "Follow this search by e-mail"
    assert "City: Reynosa" in page.locator(".followed-search").inner_text()
    shot(page, f"follow-{viewport}")

    page.get_by_label("Your e-mail address").fill("reader@example.net")
    click(page, page.get_by_role("button", name="Follow this search"))
    message = page.locator(".confirmation").inner_text()
    assert "we have sent it a message with a link to confirm" in message
    shot(page, f"sent-{viewport}")

    (confirmation,) = mail.outbox
    assert confirmation.to == ["reader@example.net"]
    url = next(u for u in re.findall(r"https?://\S+", str(confirmation.body)) if "/confirm/" in u)
    page.goto(live_server.url + urlsplit(url).path)  # the link in the mail
    click(page, page.get_by_role("button", name="Confirm and follow this search"))
    assert page.locator("h1").inner_text() == "You follow this search"
    assert Subscription.objects.get().confirmed_at is not None
    shot(page, f"confirmed-{viewport}")

    click(page, page.get_by_role("link", name="Stop these e-mails"))
    click(page, page.get_by_role("button", name="Unsubscribe"))
    assert page.locator("h1").inner_text() == "You are unsubscribed"
    assert not Subscription.objects.exists()
