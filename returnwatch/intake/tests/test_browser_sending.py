"""In Chromium, as a person clicks: without JavaScript the browser itself refuses a form with
the required answer missing (no request leaves the phone); a double click and a reload of the
receipt store one tip and show one code; with JavaScript an oversized file is refused before
anything is sent and a slow upload shows its progress; the follow-up thanks on a styled page."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from returnwatch.intake.models import Tip, TipFollowUp

from .conftest import png_bytes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def no_js_phone(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    yield context.new_page()
    context.close()


def posts(page: Any) -> list[str]:
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
    return sent


def open_form_from_home(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/?lang=en")
    page.click("main a.button:has-text('Send information')")
    page.wait_for_load_state()
    assert "/report/" in page.url


def test_without_javascript_the_browser_asks_for_the_narrative_before_sending_and_a_double_click_stores_one_tip(  # noqa: E501
    live_server: Any, no_js_phone: Any, tmp_path: Any
) -> None:
    p = no_js_phone
    sent = posts(p)
    open_form_from_home(p, live_server)
    assert p.evaluate("document.querySelector('form.tip-form').noValidate") is False
    narrative = p.locator("textarea[name=narrative]")
    assert narrative.get_attribute("required") is not None
    assert narrative.get_attribute("maxlength") == "20000"
    assert "image/jpeg" in (p.locator("input[name=files]").get_attribute("accept") or "")

    p.click("button[type=submit]")
    p.wait_for_timeout(300)
    assert sent == []  # nothing left the phone
    assert narrative.evaluate("el => el.validity.valueMissing") is True
    assert narrative.evaluate("el => el.validationMessage") != ""
    assert Tip.objects.count() == 0

    narrative.fill("They took my brother at the bus station in Reynosa.")
    p.set_input_files(
        "input[name=files]",
        files=[{"name": "photo.png", "mimeType": "image/png", "buffer": png_bytes()}],
    )
    p.screenshot(path=str(tmp_path / "no-js-form-360.png"), full_page=True)
    p.dblclick("button[type=submit]")
    p.wait_for_selector(".receipt-code code")
    code = p.locator(".receipt-code code").inner_text()
    assert len(sent) >= 1
    p.reload()
    assert p.locator(".receipt-code code").inner_text() == code
    p.screenshot(path=str(tmp_path / "no-js-receipt-360.png"), full_page=True)
    assert Tip.objects.count() == 1
    assert Tip.objects.get().attachments.count() == 1


def test_with_javascript_an_oversized_file_is_refused_before_upload_and_progress_shows(
    live_server: Any, page: Any, settings: Any, tmp_path: Any
) -> None:
    settings.TIP_MAX_FILE_BYTES = 150_000
    page.set_viewport_size({"width": 1280, "height": 900})
    sent = posts(page)
    open_form_from_home(page, live_server)
    page.fill("textarea[name=narrative]", "Extortion calls after we were returned to Juárez.")
    big = b"%PDF-1.4\n" + b"%" * 400_000
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "statement.pdf", "mimeType": "application/pdf", "buffer": big}],
    )
    error = page.locator("[data-file-error]")
    expect(error).to_be_visible()
    assert "“statement.pdf” is too large (390.6 KB)" in error.inner_text()
    assert "at most 146.5 KB" in error.inner_text()  # as the page's own help text says
    page.screenshot(path=str(tmp_path / "js-oversize-1280.png"), full_page=True)
    page.click("button[type=submit]")
    page.wait_for_timeout(300)
    assert sent == [] and Tip.objects.count() == 0

    # A file within the limit, over a slow connection: the progress bar shows and moves.
    image = io.BytesIO()
    from PIL import Image

    Image.effect_noise((180, 180), 80).convert("RGB").save(image, "PNG")
    page.set_input_files(
        "input[name=files]",
        files=[{"name": "photo.png", "mimeType": "image/png", "buffer": image.getvalue()}],
    )
    expect(error).to_be_hidden()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 100,
            "downloadThroughput": 200_000,
            "uploadThroughput": 50_000,
        },
    )
    page.dblclick("button[type=submit]")  # the second click is ignored while sending
    progress = page.locator("[data-upload-progress]")
    progress.wait_for(state="visible")
    bar = page.locator("[data-upload-progress] progress")
    for _ in range(100):  # polled from here: the page's CSP forbids evaluating strings
        if bar.evaluate("el => el.value") > 0:
            break
        page.wait_for_timeout(50)
    assert bar.evaluate("el => el.value") > 0
    page.screenshot(path=str(tmp_path / "js-progress-1280.png"))
    page.wait_for_selector(".receipt-code code", timeout=30_000)
    assert page.url.endswith("/report/received/")
    assert len(sent) == 1
    assert Tip.objects.count() == 1 and Tip.objects.get().attachments.count() == 1


def test_a_refused_send_keeps_the_text_and_says_to_choose_files_again(
    live_server: Any, phone_page: Any, settings: Any, tmp_path: Any
) -> None:
    p = phone_page
    open_form_from_home(p, live_server)
    p.fill("textarea[name=narrative]", "KEEP-THIS-TEXT")
    p.check("input[name=consent_contact]")  # but no contact: the server refuses
    p.set_input_files(
        "input[name=files]",
        files=[{"name": "photo.png", "mimeType": "image/png", "buffer": png_bytes()}],
    )
    p.click("button[type=submit]")
    p.wait_for_selector(".files-again")
    assert p.locator("textarea[name=narrative]").input_value() == "KEEP-THIS-TEXT"
    expect(p.locator("body")).to_contain_text("please tell us how")
    assert "choose them again" in p.locator(".files-again").inner_text()
    assert p.evaluate("document.documentElement.scrollWidth") <= 360
    p.screenshot(path=str(tmp_path / "refused-360.png"), full_page=True)
    assert Tip.objects.count() == 0


def test_a_follow_up_double_clicked_and_reloaded_is_stored_once_on_a_styled_page(
    live_server: Any, no_js_phone: Any, tmp_path: Any
) -> None:
    p = no_js_phone
    open_form_from_home(p, live_server)
    p.fill("textarea[name=narrative]", "A first account.")
    p.click("button[type=submit]")
    code = p.locator(".receipt-code code").inner_text()
    p.click("text=add information or files later")
    p.fill("input[name=code]", code)
    p.click("button[type=submit]")
    p.fill("textarea[name=text]", "They came back the next day.")
    p.dblclick("button[name=add]")
    p.wait_for_selector("h1:has-text('Your additional information was received')")
    p.reload()
    expect(p.locator("header.site")).to_be_visible()
    expect(p.locator("footer.site")).to_be_visible()
    width = p.evaluate("getComputedStyle(document.querySelector('.intake-page')).maxWidth")
    assert width != "none"
    p.screenshot(path=str(tmp_path / "follow-up-thanks-360.png"), full_page=True)
    assert TipFollowUp.objects.count() == 1
    assert TipFollowUp.objects.get().text == "They came back the next day."
