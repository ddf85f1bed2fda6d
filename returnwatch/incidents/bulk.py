"""Bulk actions on a filtered workspace list — assign, tag, send to review, set a vocabulary
value — each applied only to the records the user may change (returnwatch/access.py),
recorded in the history, and undoable as one step.

An undo puts back each record whose field still holds the value the bulk action gave it;
a record changed since is left alone and reported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from returnwatch import access
from returnwatch.accounts.permissions import StaffRequest
from returnwatch.audit import log

from . import workflow
from .models import BulkChange, City, PlaceType, Program, Status, Tag

# action -> (label, field changed); "submit" moves drafts to review.
ACTIONS = {
    "assign": (gettext_lazy("Assign to"), "assignee_id"),
    "tag": (gettext_lazy("Add the tag"), "tags"),
    "submit": (gettext_lazy("Send to review"), "status"),
    "city": (gettext_lazy("Set the city to"), "city_id"),
    "program": (gettext_lazy("Set the program to"), "program_id"),
    "place": (gettext_lazy("Set the place type to"), "place_type_id"),
}
VOCAB: dict[str, type[City | Program | PlaceType]] = {
    "city": City,
    "program": Program,
    "place": PlaceType,
}


@dataclass
class Outcome:
    bulk: BulkChange | None
    changed: int
    skipped: int


def _target_value(request: HttpRequest, action: str, value: str) -> Any:
    if action == "assign":
        user = access.assignable_users(request.user).filter(username=value).first()
        if value and user is None:
            raise ValidationError(_("Choose someone from the list to assign to."))
        return user.pk if user else None
    if action == "tag":
        from django.utils.text import slugify

        name = slugify(value)[:64]
        if not name:
            raise ValidationError(_("Give the tag to add."))
        return name
    if action == "submit":
        return Status.REVIEW
    term = VOCAB[action].objects.filter(code=value, active=True).first()
    if term is None:
        raise ValidationError(_("Choose a value from the list."))
    return term.pk


def apply(request: StaffRequest, action: str, value: str, ids: Iterable[int]) -> Outcome:
    if action not in ACTIONS:
        raise ValidationError(_("Choose what to do with the selected records."))
    target = _target_value(request, action, value)
    field = ACTIONS[action][1]
    changes: list[dict[str, Any]] = []
    skipped = 0
    with transaction.atomic():
        rows = access.visible_incidents(request.user).select_for_update().filter(pk__in=list(ids))
        bulk = BulkChange.objects.create(user=request.user, action=action, value=str(value)[:200])
        for incident in rows:
            if not access.can(request, "change", incident) or (
                action == "submit" and incident.status != Status.DRAFT
            ):
                skipped += 1
                continue
            if action == "submit":
                # The workflow's own move (and its history entry), as the button does.
                workflow.apply(request, incident, "submit")
                changes.append({"id": incident.pk, "before": Status.DRAFT, "after": target})
                continue
            if action == "tag":
                if incident.tags.filter(name=target).exists():
                    continue
                tag, _created = Tag.objects.get_or_create(name=target)
                incident.tags.add(tag)
                changes.append({"id": incident.pk, "before": None, "after": tag.pk})
            else:
                before = getattr(incident, field)
                if before == target:
                    continue
                setattr(incident, field, target)
                incident.save()
                changes.append({"id": incident.pk, "before": before, "after": target})
            log.record(
                request.user,
                "update",
                incident,
                [field.removesuffix("_id")],
                note=f"bulk change #{bulk.pk}",
                about=incident,
            )
        if not changes:
            bulk.delete()
            return Outcome(None, 0, skipped)
        bulk.changes = changes
        bulk.save(update_fields=["changes"])
    return Outcome(bulk, len(changes), skipped)


def undo(request: HttpRequest, bulk: BulkChange) -> Outcome:
    """Put back what `bulk` changed, where nothing changed it since."""
    if bulk.undone_at is not None:
        raise ValidationError(_("This change was already undone."))
    field = ACTIONS[bulk.action][1]
    restored = skipped = 0
    with transaction.atomic():
        by_id = {c["id"]: c for c in bulk.changes}
        rows = access.visible_incidents(request.user).select_for_update().filter(pk__in=by_id)
        for incident in rows:
            change = by_id[incident.pk]
            if not access.can(request, "change", incident):
                skipped += 1
                continue
            if bulk.action == "submit":
                if incident.status != Status.REVIEW:
                    skipped += 1
                    continue
                workflow.apply(request, incident, "withdraw")
                restored += 1
                continue
            if bulk.action == "tag":
                incident.tags.remove(change["after"])
            else:
                if getattr(incident, field) != change["after"]:
                    skipped += 1  # changed since: left as it is
                    continue
                setattr(incident, field, change["before"])
                incident.save()
            restored += 1
            log.record(
                request.user,
                "update",
                incident,
                [field.removesuffix("_id")],
                note=f"undo of bulk change #{bulk.pk}",
                about=incident,
            )
        skipped = len(by_id) - restored
        bulk.undone_at = timezone.now()
        bulk.save(update_fields=["undone_at"])
    return Outcome(bulk, restored, skipped)
