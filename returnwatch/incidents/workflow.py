"""How an incident moves draft → in review → published (or retracted), and who may move it.

Researchers move their work between draft and review. Publishing, retracting and taking a
published or retracted record back to draft change what the public sees: only a user for
whom `access.can(request, "publish", incident)` holds may do those. Who may do what is
decided in returnwatch/access.py; this module decides which moves exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from returnwatch import access
from returnwatch.audit import log
from returnwatch.audit.actions import Action

from . import checklist
from .models import Incident, Status


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    label: Promise
    editors_only: bool
    needs_reason: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("submit", (Status.DRAFT,), Status.REVIEW, _("Submit for review"), False),
        Transition("withdraw", (Status.REVIEW,), Status.DRAFT, _("Back to draft"), False),
        Transition(
            "send_back",
            (Status.REVIEW,),
            Status.DRAFT,
            _("Send back to the researcher"),
            True,
            needs_reason=True,
        ),
        Transition("publish", (Status.REVIEW,), Status.PUBLISHED, _("Publish"), True),
        Transition(
            "retract", (Status.PUBLISHED,), Status.RETRACTED, _("Retract"), True, needs_reason=True
        ),
        Transition(
            "unpublish",
            (Status.PUBLISHED, Status.RETRACTED),
            Status.DRAFT,
            _("Take back to draft"),
            True,
        ),
    )
}


def may_use(request: HttpRequest, transition: Transition, incident: Incident) -> bool:
    """Researchers of the organization that holds the record; editors for public moves."""
    return access.can(request, "publish" if transition.editors_only else "change", incident)


def available(request: HttpRequest, incident: Incident) -> list[Transition]:
    """The moves this user may make from the incident's current status."""
    return [
        t
        for t in TRANSITIONS.values()
        if incident.status in t.sources and may_use(request, t, incident)
    ]


def can_edit(request: HttpRequest, incident: Incident) -> bool:
    """Researchers edit drafts and records in review; what the public sees, only editors."""
    return access.can(request, "change", incident)


def require_edit(request: HttpRequest, incident: Incident) -> None:
    if not can_edit(request, incident):
        raise PermissionDenied


REASON_NEEDED = {
    "retract": _("Say why the incident is retracted: the reason is shown in public."),
    "send_back": _("Say what the researcher should fix: they see it on the record."),
}


def apply(
    request: HttpRequest, incident: Incident, name: str, reason: str = "", override: str = ""
) -> Incident:
    """Move the incident; PermissionDenied if the user may not, ValidationError if it can't move.

    Publishing needs the checklist (checklist.py); `override` is the editor's reason for
    publishing although the detector flagged identifying details. Locks the row so two people
    pressing buttons at once cannot interleave.
    """
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise ValidationError(_("Unknown action."))
    if not may_use(request, transition, incident):
        raise PermissionDenied
    reason = reason.strip()
    with transaction.atomic():
        locked = Incident.objects.select_for_update().get(pk=incident.pk)
        if locked.status not in transition.sources:
            raise ValidationError(
                _("This incident is %(status)s; it cannot be moved that way.")
                % {"status": locked.get_status_display()}
            )
        if transition.needs_reason and not reason:
            raise ValidationError({"reason": REASON_NEEDED[transition.name]})
        override = override.strip()
        note_extra = ""
        if transition.target == Status.PUBLISHED:
            stopping = checklist.blocking(locked, override)
            if stopping:
                raise ValidationError(
                    [_("Not published yet: %(item)s.") % {"item": i.label} for i in stopping]
                )
            if override and checklist.identifying_details(locked):
                note_extra = f"; checklist overridden: {override[:300]}"
        before = locked.status
        now = timezone.now()
        changed = ["status"]
        locked.status = transition.target
        if transition.name == "send_back":
            locked.sent_back_reason = reason
            locked.sent_back_at = now
            locked.sent_back_by = request.user  # type: ignore[assignment]  # a signed-in staff user
            changed += ["sent_back_reason", "sent_back_at", "sent_back_by"]
        elif transition.name == "submit" and locked.sent_back_at:
            locked.sent_back_reason = ""
            locked.sent_back_at = None
            locked.sent_back_by = None
            changed += ["sent_back_reason", "sent_back_at", "sent_back_by"]
        if transition.target == Status.PUBLISHED:
            # The first publication date stays: it is part of how the record is cited.
            if locked.published_at is None:
                locked.published_at = now
                changed.append("published_at")
            if locked.retracted_at or locked.retraction_reason:
                locked.retracted_at = None
                locked.retraction_reason = ""
                changed += ["retracted_at", "retraction_reason"]
        elif transition.target == Status.RETRACTED:
            locked.retracted_at = now
            locked.retraction_reason = reason
            changed += ["retracted_at", "retraction_reason"]
        elif transition.target == Status.DRAFT and locked.retracted_at:
            locked.retracted_at = None
            locked.retraction_reason = ""
            changed += ["retracted_at", "retraction_reason"]
        locked.save()
        log.record(
            request.user,
            Action.STATUS,
            locked,
            fields=changed,
            note=f"{before} → {locked.status}{note_extra}",
            about=locked,
        )
    return locked
