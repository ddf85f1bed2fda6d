"""Sign-in throttling: an account locks after repeated failures, by username only, no IP kept."""

from typing import Any

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db import connection

from conftest import PASSWORD, give_totp, verified_login
from returnwatch.accounts.admin import ReturnWatchUserAdmin
from returnwatch.accounts.models import User
from returnwatch.audit.models import Entry

pytestmark = pytest.mark.django_db


def attempt(client: Any, username: str, password: str, agent: str = "test") -> Any:
    return client.post(
        "/staff/login/",
        {"username": username, "password": password},
        HTTP_USER_AGENT=agent,
        REMOTE_ADDR="203.0.113.9",
    )


def test_account_locks_after_repeated_failures(client: Any, researcher: Any) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for i in range(limit - 1):
        response = attempt(client, "rita", f"wrong {i}")
        assert response.status_code == 200  # the form again, with an error
    locked = attempt(client, "rita", "wrong again")
    assert locked.status_code == 429
    assert b"Account locked" in locked.content
    # Now even the right password is refused.
    refused = attempt(client, "rita", PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another account is not affected.
    other = User.objects.create_user("olga", password=PASSWORD, role="researcher")
    assert attempt(client, other.username, PASSWORD).status_code == 302


def test_rotating_user_agents_does_not_help(client: Any, researcher: Any) -> None:
    for i in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "rita", "wrong", agent=f"agent {i}")
    assert attempt(client, "rita", PASSWORD, agent="yet another").status_code == 429


def test_no_ip_address_is_stored(client: Any, researcher: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        attempt(client, "rita", "hunter2-guess")
    attempt(client, "rita", PASSWORD)
    assert AccessAttempt.objects.exists()
    assert not AccessAttempt.objects.exclude(ip_address=None).exists()
    assert not AccessLog.objects.exists()  # successful sign-ins are in the audit log instead
    for row in AccessAttempt.objects.values():
        assert "203.0.113.9" not in str(row)
        assert "hunter2" not in row["post_data"]  # the passwords tried are masked
    # Nor in the audit log.
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM audit_entry")
        dump = str(cur.fetchall())
    assert "203.0.113.9" not in dump
    assert "hunter2" not in dump


def test_wrong_second_factor_codes_count_too(client: Any, researcher: Any) -> None:
    give_totp(researcher)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "rita", PASSWORD)
        client.post("/staff/login/verify/", {"code": "000000"})
    response = attempt(client, "rita", PASSWORD)
    assert response.status_code == 429


def test_failures_and_lock_recorded_and_visible_to_admins(
    client: Any, researcher: Any, site_admin: Any
) -> None:
    attempt(client, "nobody-here", "x")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "rita", "wrong")
    failed = Entry.objects.filter(action="sign_in_failed")
    # An unknown username is recorded as unknown: what was typed is not kept.
    assert failed.filter(actor_name="(unknown username)", target_id="", note="unknown username")
    assert failed.filter(actor_name="rita", target_id=str(researcher.pk)).count() >= 1
    assert failed.filter(actor_name="rita", note="wrong password").exists()
    assert Entry.objects.filter(action="account_locked", actor_name="rita").exists()

    verified_login(client, site_admin)
    page = client.get("/admin/accounts/user/")
    assert page.status_code == 200
    assert ReturnWatchUserAdmin.locked(None, researcher)
    assert b"locked out" in page.content.lower()  # the column admins see
    assert client.get("/admin/axes/accessattempt/").status_code == 200
    # The admin unlocks the account.
    response = client.post(
        "/admin/accounts/user/",
        {"action": "unlock", "_selected_action": [researcher.pk]},
    )
    assert response.status_code == 302
    assert not ReturnWatchUserAdmin.locked(None, researcher)
    assert Entry.objects.filter(action="account_unlocked", target_id=str(researcher.pk)).exists()
    client.logout()
    assert attempt(client, "rita", PASSWORD).status_code == 302


def test_session_expires_after_inactivity() -> None:
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


def test_a_password_typed_in_the_username_box_is_not_kept(client: Any, researcher: Any) -> None:
    attempt(client, "Correct-Horse-Battery-9", "rita")
    with connection.cursor() as cur:
        cur.execute("SELECT * FROM audit_entry")
        dump = str(cur.fetchall())
    assert "Correct-Horse-Battery-9" not in dump
    assert Entry.objects.filter(action="sign_in_failed", note="unknown username").exists()
