"""Two-factor sign-in: TOTP, recovery codes that work once, and publishing only when verified."""

import time
from typing import Any

import pytest
from django.test import RequestFactory
from django_otp import DEVICE_ID_SESSION_KEY

from conftest import PASSWORD, cite, give_totp, totp_code, verified_login
from returnwatch import access
from returnwatch.accounts import permissions, twofactor
from returnwatch.audit.models import Entry

pytestmark = pytest.mark.django_db


def password_step(client: Any, username: str, nxt: str = "/staff/") -> Any:
    return client.post("/staff/login/", {"username": username, "password": PASSWORD, "next": nxt})


def test_password_hashed_with_argon2(editor: Any) -> None:
    assert editor.password.startswith("argon2$")


def test_user_with_device_needs_the_code_before_being_signed_in(
    client: Any, researcher: Any
) -> None:
    device = give_totp(researcher)
    response = password_step(client, "rita")
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/verify/")
    # Not signed in yet: the workspace sends us back to sign in.
    assert "_auth_user_id" not in client.session
    response = client.post("/staff/login/verify/", {"code": "000000", "next": "/staff/"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # django-otp throttles the device after a failure: even the right code waits a second.
    response = client.post("/staff/login/verify/", {"code": totp_code(device), "next": "/staff/"})
    assert response.status_code == 200
    time.sleep(1.1)
    response = client.post("/staff/login/verify/", {"code": totp_code(device), "next": "/staff/"})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.session["_auth_user_id"] == str(researcher.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id


def test_a_code_works_once(client: Any, researcher: Any) -> None:
    device = give_totp(researcher)
    code = totp_code(device)
    password_step(client, "rita")
    assert client.post("/staff/login/verify/", {"code": code}).status_code == 302
    client.logout()
    password_step(client, "rita")
    response = client.post("/staff/login/verify/", {"code": code})
    assert response.status_code == 200  # replayed code refused
    assert "_auth_user_id" not in client.session


def test_verify_step_needs_a_recent_password(client: Any, researcher: Any) -> None:
    device = give_totp(researcher)
    response = client.post("/staff/login/verify/", {"code": totp_code(device)})
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    assert "_auth_user_id" not in client.session


def test_editor_without_device_is_sent_to_set_one_up(client: Any, editor: Any) -> None:
    response = password_step(client, "eddie", "/staff/")
    assert response.status_code == 302
    assert response["Location"] == "/staff/account/two-factor/?next=%2Fstaff%2F"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"data-secret" in page.content
    qr = client.get("/staff/account/two-factor/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    assert b"http" not in qr.content.split(b"xmlns")[0]  # nothing fetched from elsewhere
    device = twofactor.pending_totp(editor)
    wrong = client.post("/staff/account/two-factor/", {"code": "123456", "next": "/staff/"})
    assert wrong.status_code == 200 and not twofactor.has_device(editor)
    time.sleep(1.1)  # throttled for a second after a wrong code
    done = client.post("/staff/account/two-factor/", {"code": totp_code(device), "next": "/staff/"})
    assert done.status_code == 302
    assert done["Location"].startswith("/staff/account/recovery-codes/")
    codes_page = client.get(done["Location"])
    codes = codes_page.context["codes"]
    assert len(codes) == twofactor.RECOVERY_CODE_COUNT
    # Shown once only.
    assert client.get("/staff/account/recovery-codes/").status_code == 302
    assert twofactor.has_totp(editor) and twofactor.recovery_codes_left(editor) == 10
    assert Entry.objects.filter(action="two_factor_enabled", target_id=str(editor.pk)).exists()


def test_recovery_codes_work_once(client: Any, editor: Any) -> None:
    give_totp(editor)
    codes = twofactor.new_recovery_codes(editor)
    password_step(client, "eddie")
    # Typed with a space and in capitals: still accepted.
    typed = f"{codes[0][:4].upper()} {codes[0][4:]}"
    response = client.post("/staff/login/verify/", {"code": typed, "next": "/staff/"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)
    assert twofactor.recovery_codes_left(editor) == 9
    client.logout()
    password_step(client, "eddie")
    again = client.post("/staff/login/verify/", {"code": codes[0]})
    assert again.status_code == 200 and "_auth_user_id" not in client.session
    time.sleep(1.1)
    other = client.post("/staff/login/verify/", {"code": codes[1]})
    assert other.status_code == 302
    entry = Entry.objects.filter(action="sign_in").last()
    assert entry.note == "second factor: recovery code"


def test_editor_without_second_factor_cannot_publish(
    client: Any, editor: Any, make_incident: Any
) -> None:
    case = make_incident(status="review")
    client.force_login(editor)
    request = RequestFactory().get("/")
    request.user = editor
    request.user.is_verified = lambda: False  # type: ignore[union-attr]  # the editor: what OTPMiddleware says for this session
    assert not access.can(request, "publish", case)
    # Through the middleware, as views see it.
    response = client.get("/staff/account/")
    assert response.status_code == 200
    assert not access.can(response.wsgi_request, "publish", case)


def test_verified_editor_can_publish_and_researcher_cannot(
    client: Any, editor: Any, researcher: Any, make_incident: Any
) -> None:
    case = make_incident(status="review")
    verified_login(client, editor)
    response = client.get("/staff/account/")
    assert access.can(response.wsgi_request, "publish", case)
    verified_login(client, researcher)
    response = client.get("/staff/account/")
    assert not access.can(response.wsgi_request, "publish", case)


def test_editor_pages_send_an_unverified_editor_to_setup(editor: Any) -> None:
    @permissions.editor_required
    def view(request: Any) -> Any:  # pragma: no cover - must not run
        raise AssertionError

    request = RequestFactory().get("/staff/publish/")
    request.user = editor
    request.user.is_verified = lambda: False  # type: ignore[union-attr]  # the editor set above
    response = view(request)
    assert response.status_code == 302
    assert response["Location"].startswith("/staff/account/two-factor/")


def test_admin_site_needs_a_second_factor(client: Any, site_admin: Any) -> None:
    client.force_login(site_admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"].startswith("/staff/account/two-factor/")
    verified_login(client, site_admin)
    assert client.get("/admin/").status_code == 200


def test_publish_view_refuses_unverified_editor(
    client: Any, editor: Any, make_incident: Any
) -> None:
    """Through the workspace's publish button: refused without a second factor, then allowed."""
    from django.urls import NoReverseMatch, reverse

    incident = make_incident(status="review")
    cite(incident)
    try:
        url = reverse("staff:incident_transition", args=[incident.reference])
    except NoReverseMatch:
        pytest.skip("the workspace's publish view is not there yet")
    client.force_login(editor)
    response = client.post(url, {"action": "publish"})
    assert response.status_code == 403
    incident.refresh_from_db()
    assert incident.status == "review"
    verified_login(client, editor)
    response = client.post(url, {"action": "publish"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "published"


def test_setup_accepts_the_right_code_typed_just_after_a_wrong_one(
    client: Any, editor: Any
) -> None:
    client.force_login(editor)
    page = client.get("/staff/account/two-factor/")
    assert page.status_code == 200
    device = twofactor.pending_totp(editor)
    wrong = client.post("/staff/account/two-factor/", {"code": "123456"})
    assert wrong.status_code == 200 and not twofactor.has_device(editor)
    message = wrong.context["form"].errors["code"][0]
    assert "not valid" in message and "Check the time on your phone" not in message
    done = client.post("/staff/account/two-factor/", {"code": totp_code(device)})
    assert done.status_code == 302
    assert done["Location"].startswith("/staff/account/recovery-codes/")
    assert twofactor.has_totp(editor)


def test_sign_in_says_to_wait_when_a_code_comes_too_soon_after_a_wrong_one(
    client: Any, researcher: Any
) -> None:
    device = give_totp(researcher)
    password_step(client, "rita")
    wrong = client.post("/staff/login/verify/", {"code": "000000", "next": "/staff/"})
    assert "not valid" in wrong.context["form"].errors["code"][0]
    soon = client.post("/staff/login/verify/", {"code": totp_code(device), "next": "/staff/"})
    assert soon.status_code == 200
    assert "Wait 1 second and type the code" in soon.context["form"].errors["code"][0]
    assert "not valid" not in soon.content.decode()
    time.sleep(1.1)
    later = client.post("/staff/login/verify/", {"code": totp_code(device), "next": "/staff/"})
    assert later.status_code == 302 and later["Location"] == "/staff/"
