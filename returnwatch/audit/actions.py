"""What an audit entry records as its action: one enumeration, with a label for people.

The values are the strings stored in `Entry.action` since the first entries, so old entries
keep their names (no data migration). `record()` and `chain()` refuse a string not in the
enumeration. A few old rows hold names no longer written (`LEGACY`): they still show a label,
and filtering by the action they meant finds them.
"""

from __future__ import annotations

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Action(models.TextChoices):
    # Records (incidents, documents, citations, persons, steps, tokens, mappings…)
    # A context: "Created" alone is Django REST framework's column ("Fecha de creación").
    CREATE = "create", pgettext_lazy("change history", "Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    STATUS = "status", _("Status moved")
    MERGE = "merge", _("Merged")
    UNMERGE = "unmerge", _("Merge undone")
    REVOKE = "revoke", _("Revoked")
    EVIDENCE_BUNDLE = "evidence_bundle", _("Evidence bundle downloaded")
    # Web captures
    CAPTURE = "capture", _("Web capture requested")
    CAPTURE_DONE = "capture done", _("Web capture done")
    CAPTURE_FAILED = "capture failed", _("Web capture failed")
    # Library
    LIBRARY_CREATE = "library.create", _("Library item created")
    LIBRARY_UPDATE = "library.update", _("Library item changed")
    LIBRARY_STATUS = "library.status", _("Lawsuit status recorded")
    LIBRARY_STATUS_DELETE = "library.status_delete", _("Lawsuit status removed")
    LIBRARY_FILING_ADD = "library.filing_add", _("Filing added")
    LIBRARY_FILING_REMOVE = "library.filing_remove", _("Filing removed")
    # Tips
    TIP_CREATE = "tip.create", _("Tip received")
    TIP_FOLLOW_UP = "tip.follow_up", _("Tip follow-up received")
    TIP_ASSIGN = "tip.assign", _("Tip assigned")
    TIP_NOTE = "tip.note", _("Tip note added")
    TIP_LINK_INCIDENT = "tip.link_incident", _("Tip linked to an incident")
    TIP_ATTACHMENT_DOWNLOAD = "tip.attachment.download", _("Tip attachment downloaded")
    TIP_STATUS_NEW = "tip.status.new", _("Tip moved to new")
    TIP_STATUS_REVIEW = "tip.status.review", _("Tip moved to review")
    TIP_STATUS_FOLLOW_UP = "tip.status.follow_up", _("Tip needs follow-up")
    TIP_STATUS_ACCEPTED = "tip.status.accepted", _("Tip accepted")
    TIP_STATUS_DECLINED = "tip.status.declined", _("Tip declined")
    TIP_STATUS_SPAM = "tip.status.spam", _("Tip marked as spam")
    # Accounts
    SIGN_IN = "sign_in", _("Signed in")
    SIGN_OUT = "sign_out", _("Signed out")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    ACCOUNT_LOCKED = "account_locked", _("Account locked")
    ACCOUNT_UNLOCKED = "account_unlocked", _("Account unlocked")
    USER_CREATED = "user_created", _("Account created")
    ROLE_CHANGED = "role_changed", _("Roles changed")
    TWO_FACTOR_ENABLED = "two_factor_enabled", _("Second factor added")
    TWO_FACTOR_REMOVED = "two_factor_removed", _("Second factor removed")
    TWO_FACTOR_RESET = "two_factor_reset", _("Second factor reset")
    RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("Recovery codes renewed")

    @classmethod
    def tip_status(cls, status: str) -> Action:
        """The entry for a tip moved to `status` (a TipStatus value)."""
        return cls(f"tip.status.{status}")

    @classmethod
    def capture_finished(cls, status: str) -> Action:
        """The entry for a web capture that ended with `status` (done or failed)."""
        return cls(f"capture {status}")


# Names old entries hold that are no longer written, and the action they meant
# (the tip path logged its own "incident.create", "document.create", "citation.create").
LEGACY: dict[str, Action] = {
    "incident.create": Action.CREATE,
    "document.create": Action.CREATE,
    "citation.create": Action.CREATE,
}


def check(action: str) -> Action:
    """The action, or ValueError when `action` is not one of the enumeration."""
    try:
        return Action(action)
    except ValueError:
        raise ValueError(
            f"unknown audit action {action!r}: add it to audit.actions.Action"
        ) from None


def label(value: str) -> str | Promise:
    """The label of a stored action; an unknown old value shows as stored."""
    if value in Action.values:
        return Action(value).label
    if value in LEGACY:
        return LEGACY[value].label
    return value


def stored_values(action: str) -> list[str]:
    """The stored names an action filter matches: its value and the old names it had."""
    return [action, *(old for old, new in LEGACY.items() if new == action)]
