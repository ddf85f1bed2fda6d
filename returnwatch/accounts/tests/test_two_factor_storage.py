"""Second-factor secrets at rest: TOTP secrets encrypted, recovery codes only as hashes."""

from typing import Any

import pytest
from django.db import connection
from django.test import override_settings

from conftest import give_totp, totp_code
from returnwatch.accounts import twofactor

pytestmark = pytest.mark.django_db


def stored(table: str, column: str, pk: Any) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])
        return cur.fetchone()[0]


def test_totp_secret_is_stored_encrypted_and_still_gives_codes(researcher: Any) -> None:
    device = give_totp(researcher)
    secret = device.key
    raw = stored("otp_totp_totpdevice", "key", device.pk)
    assert raw.startswith("e1:") and secret not in raw and len(raw) <= 80
    device.refresh_from_db()
    assert device.key == secret
    assert twofactor.verify(researcher, totp_code(device)) == device


def test_recovery_codes_are_stored_only_as_hashes_and_work_once(researcher: Any) -> None:
    codes = twofactor.new_recovery_codes(researcher)
    with connection.cursor() as cur:
        cur.execute("SELECT token FROM otp_static_statictoken")
        rows = [r[0] for r in cur.fetchall()]
    assert len(rows) == len(codes) == twofactor.RECOVERY_CODE_COUNT
    assert not set(rows) & set(codes) and all(r.startswith("~") for r in rows)
    assert twofactor.verify(researcher, codes[0].upper()) is not None
    assert twofactor.verify(researcher, codes[0]) is None  # used up
    assert twofactor.recovery_codes_left(researcher) == len(codes) - 1
    # The stored hash itself is not a code.
    assert twofactor.verify(researcher, rows[1]) is None


def test_second_factor_survives_a_field_key_rotation(researcher: Any, settings: Any) -> None:
    device = give_totp(researcher)
    codes = twofactor.new_recovery_codes(researcher)
    new = "bmV3LWZpZWxkLWtleS1mb3Itcm90YXRpb24tdGVzdDE="
    with override_settings(FIELD_ENCRYPTION_KEY=f"{new},{settings.FIELD_ENCRYPTION_KEY}"):
        device.refresh_from_db()
        assert twofactor.verify(researcher, totp_code(device)) == device
        assert twofactor.verify(researcher, codes[1]) is not None


def test_rotate_encryption_key_re_encrypts_totp_secrets(researcher: Any, settings: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    device = give_totp(researcher)
    before = stored("otp_totp_totpdevice", "key", device.pk)
    new = "bmV3LWZpZWxkLWtleS1mb3Itcm90YXRpb24tdGVzdDE="
    settings.FIELD_ENCRYPTION_KEY = f"{new},{settings.FIELD_ENCRYPTION_KEY}"
    call_command("rotate_encryption_key", stdout=StringIO())
    assert stored("otp_totp_totpdevice", "key", device.pk) != before
    settings.FIELD_ENCRYPTION_KEY = new  # the old key removed: the secret still opens
    device.refresh_from_db()
    assert twofactor.verify(researcher, totp_code(device)) == device
