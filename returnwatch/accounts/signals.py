"""Sign-in failures, lock-outs and role changes go into the audit log.

Never the password, the code typed or an IP address. For a failed sign-in: the account when the
username names one, else only that the username was unknown — what was typed may be a password
typed in the wrong box, and the log keeps it forever.
"""

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django_otp.plugins.otp_totp.models import TOTPDevice

from returnwatch.audit.actions import Action
from returnwatch.audit.log import record

from .models import User

WATCHED = ("role", "organization_id", "is_active", "is_staff", "is_superuser")


UNKNOWN = "(unknown username)"


def account_tried(username: Any) -> tuple[User | None, str]:
    """(the account, its username) when `username` names one, else (None, a fixed label)."""
    typed = str(username or "")[:150]
    user = User.objects.filter(username=typed).first() if typed else None
    if user is None:
        return None, UNKNOWN if typed else "(no username)"
    return user, user.get_username()


def login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any) -> None:
    user, name = account_tried(credentials.get("username"))
    locked = bool(request is not None and getattr(request, "axes_locked_out", False))
    if kw.get("second_factor"):
        note = "wrong second-factor code"
    elif locked:
        note = "account locked"
    else:
        note = "wrong password" if user else "unknown username"
    record(name, Action.SIGN_IN_FAILED, user, note=note)


def locked_out(sender: Any, request: Any = None, username: str = "", **kw: Any) -> None:
    user, name = account_tried(username)
    record(name, Action.ACCOUNT_LOCKED, user, note="too many failed sign-ins")


def remember_old(sender: Any, instance: User, raw: bool = False, **kw: Any) -> None:
    if raw or instance.pk is None:
        instance._audit_old = None  # type: ignore[attr-defined]  # read by the post_save handler
        return
    instance._audit_old = (  # type: ignore[attr-defined]  # as above
        User.objects.filter(pk=instance.pk).values(*WATCHED).first()
    )


def user_saved(sender: Any, instance: User, created: bool, raw: bool = False, **kw: Any) -> None:
    if raw:
        return
    actor = getattr(instance, "_audit_actor", None) or "system"
    if created:
        record(
            actor,
            Action.USER_CREATED,
            instance,
            fields=[f for f in WATCHED if getattr(instance, f)],
        )
        return
    old = getattr(instance, "_audit_old", None)
    if not old:
        return
    changed = [f.removesuffix("_id") for f in WATCHED if old[f] != getattr(instance, f)]
    if changed:
        # Role values are not restricted: the note says from what to what.
        note = f"role {old['role'] or '-'} -> {instance.role or '-'}" if "role" in changed else ""
        record(actor, Action.ROLE_CHANGED, instance, fields=changed, note=note)


def device_removed(sender: Any, instance: TOTPDevice, **kw: Any) -> None:
    if instance.confirmed:
        user = User.objects.filter(pk=instance.user_id).first()
        if user is not None:
            record("system", Action.TWO_FACTOR_REMOVED, user, note="authenticator app removed")


user_login_failed.connect(login_failed, dispatch_uid="rw-audit-login-failed")
user_locked_out.connect(locked_out, dispatch_uid="rw-audit-locked-out")
pre_save.connect(remember_old, sender=User, dispatch_uid="rw-audit-user-old")
post_save.connect(user_saved, sender=User, dispatch_uid="rw-audit-user-saved")
post_delete.connect(device_removed, sender=TOTPDevice, dispatch_uid="rw-audit-totp-removed")
