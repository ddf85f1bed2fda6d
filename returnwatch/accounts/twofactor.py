"""Second factor (django-otp): authenticator-app codes (TOTP) and one-time recovery codes.

A sign-in is complete only after both factors: the password step leaves a short-lived
"pending" mark in the session, and the user is logged in once a code checks out. Editors and
admins may not publish or administer without a verified second factor.
"""

from __future__ import annotations

import io
import math
import time
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models.lookups import In
from django.http import HttpRequest
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from returnwatch.incidents.encryption import (
    COMPACT,
    decrypt_compact,
    encrypt_compact,
    keyed_hashes,
)

PENDING_KEY = "rw_2fa_pending"
PENDING_SECONDS = 300
RECOVERY_CODE_COUNT = 10
TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def requires_two_factor(user: Any) -> bool:
    """Editors and admins (and superusers) must use a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.role in settings.TWO_FACTOR_REQUIRED_ROLES)


def has_device(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user_has_device(user, confirmed=True))


def has_totp(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_verified(request: HttpRequest) -> bool:
    """True when this session passed a second factor (django-otp's OTPMiddleware decides)."""
    user = request.user
    return bool(getattr(user, "is_authenticated", False) and user.is_verified())  # type: ignore[union-attr]  # signed in: a User


def normalize(code: str) -> str:
    """People type codes with spaces or dashes, in any case."""
    return "".join(code.split()).replace("-", "").lower()


def verify(user: Any, code: str) -> Any:
    """The device that accepts `code` (a recovery code is used up), or None.

    django-otp throttles each device after failures, so guessing is slow.
    """
    code = normalize(code)
    if not code:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


def wait_seconds(user: Any) -> int:
    """Seconds until django-otp lets this user's second factor check a code again (0: now).

    After a wrong code each device refuses every code, right or wrong, for 1, 2, 4… seconds;
    the sign-in page says so instead of calling a right code wrong."""
    from django.utils import timezone

    waits = []
    for device in devices_for_user(user, confirmed=True):
        allowed, data = device.verify_is_allowed()
        if allowed:
            return 0
        until = (data or {}).get("locked_until")
        waits.append(math.ceil((until - timezone.now()).total_seconds()) if until else 1)
    return max(0, min(waits, default=0))


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# ---------------------------------------------------------------------------- enrolment


def pending_totp(user: Any) -> TOTPDevice:
    """The unconfirmed authenticator device being set up (a fresh secret when there is none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def confirm_totp(device: TOTPDevice, code: str) -> bool:
    """Confirm a new authenticator once it produced a valid code; it replaces any older one.

    No throttling here: the set-up page shows the secret to whoever is signed in, so a delay
    after a wrong code protects nothing and only refused the right code typed just after."""
    code = normalize(code)
    if code.isdigit():
        device.throttle_reset(commit=False)
    if not code.isdigit() or not device.verify_token(code):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return True


def new_recovery_codes(user: Any) -> list[str]:
    """Replace the user's recovery codes with fresh ones; each works once."""
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
        )
        StaticDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def remove_devices(user: Any) -> None:
    """Forget every second factor of a user (an admin does this for a lost phone)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def qr_svg(device: TOTPDevice) -> bytes:
    """The otpauth:// address as a QR code, drawn on the server (no request leaves the site)."""
    import qrcode
    import qrcode.image.svg

    out = io.BytesIO()
    qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage).save(out)
    return out.getvalue()


def secret_b32(device: TOTPDevice) -> str:
    """The secret as authenticator apps expect it when typed in, in groups of four."""
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


# ---------------------------------------------------------------------------- pending sign-in


def start_pending(request: HttpRequest, user: Any) -> None:
    request.session.cycle_key()  # a new session id once the password is known
    request.session[PENDING_KEY] = {"uid": user.pk, "backend": user.backend, "at": time.time()}


def pending_user(request: HttpRequest) -> Any:
    """The user who gave a correct password in the last few minutes, or None."""
    from .models import User

    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending["uid"], is_active=True).first()
    if user is not None:
        user.backend = pending["backend"]
    return user


def clear_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


# ---------------------------------------------------------------------------- storage
# django-otp keeps the TOTP secret in clear (TOTPDevice.key, 40 hex characters in a column of
# 80) and recovery codes in clear (StaticToken.token, 16). Here the two fields are given
# storage of their own, so every path through django-otp (verify_token, admin, config_url)
# works unchanged: the secret is encrypted with a key derived from FIELD_ENCRYPTION_KEY
# (AES-GCM, 69 characters), a recovery code is stored only as a keyed hash (HMAC, 16
# characters) and looked up by hash. The column types and migrations stay django-otp's.

TOTP_PURPOSE = b"totp secret"
RECOVERY_PURPOSE = b"recovery code"
HASH_MARK = "~"  # stored hashes start with it; no code does (codes are base32)


class EncryptedTOTPKeyField(models.CharField):
    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if isinstance(value, str) and value.startswith(COMPACT):
            return decrypt_compact(value, TOTP_PURPOSE).hex()
        return value  # a secret from before encryption (migration 0002 encrypts those)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value or value.startswith(COMPACT):
            return value
        return encrypt_compact(bytes.fromhex(value), TOTP_PURPOSE)

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


class StoredHash(str):
    """A recovery code's hash as read from the database: saved again as it is."""


def recovery_hashes(code: str) -> list[str]:
    """The code's hash under each field key; the first is the one new codes are stored with."""
    return [HASH_MARK + h for h in keyed_hashes(code, RECOVERY_PURPOSE, 15)]


class HashedTokenField(models.CharField):
    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return StoredHash(value) if value is not None else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value or isinstance(value, StoredHash):
            return value
        return recovery_hashes(value)[0]

    def deconstruct(self) -> Any:
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


@HashedTokenField.register_lookup
class MatchesAnyKey(In):
    """token=code finds the code under the current field key or an older one."""

    lookup_name = "exact"

    def __init__(self, lhs: Any, rhs: Any) -> None:
        if isinstance(rhs, str) and not isinstance(rhs, StoredHash):
            rhs = [StoredHash(h) for h in recovery_hashes(rhs)]
        else:
            rhs = [rhs]
        super().__init__(lhs, rhs)


def rotate_totp_secrets(dry_run: bool = False) -> int:
    """Re-encrypt every TOTP secret with the first field key (rotate_encryption_key calls it).
    Recovery-code hashes cannot be re-keyed: they match while the old key stays listed."""
    devices = list(TOTPDevice.objects.all())
    if not dry_run:
        for device in devices:
            device.save(update_fields=["key"])  # read in clear, stored under the first key
    return len(devices)


def install_storage() -> None:
    """From AccountsConfig.ready: give django-otp's two secret fields the storage above."""
    TOTPDevice._meta.get_field("key").__class__ = EncryptedTOTPKeyField
    StaticToken._meta.get_field("token").__class__ = HashedTokenField
