"""Two-factor sign-in in a real browser: setup on first sign-in, then the code step."""

from typing import Any

import pytest
from playwright.sync_api import expect

from conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_sets_up_two_factor_then_signs_in_with_a_code(
    page: Any, live_server: Any, editor: Any
) -> None:
    from returnwatch.accounts import twofactor

    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    # First sign-in: sent to set up an authenticator; sign_in completes it like a phone would.
    sign_in(page, live_server, "eddie")
    assert page.url.rstrip("/").endswith("/staff")
    assert twofactor.has_totp(editor) and twofactor.recovery_codes_left(editor) == 10
    page.goto(f"{live_server.url}/staff/account/")
    expect(page.locator("body")).to_contain_text("This session was verified")
    page.click("text=Sign out")
    # Second sign-in: the code step.
    sign_in(page, live_server, "eddie", second_factor=False)
    assert "/staff/login/verify/" in page.url
    page.screenshot(path="/tmp/rw_verify.png")
    sign_in(page, live_server, "eddie")
    assert page.url.rstrip("/").endswith("/staff")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_setup_page_shows_the_qr_code(page: Any, live_server: Any, editor: Any) -> None:
    sign_in(page, live_server, "eddie", second_factor=False)
    assert "/staff/account/two-factor/" in page.url
    size = page.eval_on_selector("img.qr", "img => img.naturalWidth")
    assert size > 0  # the server-drawn SVG loaded under the CSP
    page.screenshot(path="/tmp/rw_setup.png", full_page=True)
