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
from returnwatch.audit.actions import Action

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


def _tag_name(value: str) -> str:
    from django.utils.text import slugify

    return slugify(value)[:64]


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
        name = _tag_name(value)
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
        rows = list(
            access.visible_incidents(request.user).select_for_update().filter(pk__in=list(ids))
        )
        allowed = access.can_each(request, "change", rows)
        bulk = BulkChange.objects.create(user=request.user, action=action, value=str(value)[:200])
        for incident in rows:
            if incident.pk not in allowed or (
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
                Action.UPDATE,
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
    if bulk.action == CELL_EDIT:
        return _undo_cells(request, bulk)
    field = ACTIONS[bulk.action][1]
    restored = skipped = 0
    with transaction.atomic():
        by_id = {c["id"]: c for c in bulk.changes}
        rows = list(access.visible_incidents(request.user).select_for_update().filter(pk__in=by_id))
        allowed = access.can_each(request, "change", rows)
        for incident in rows:
            change = by_id[incident.pk]
            if incident.pk not in allowed:
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
                Action.UPDATE,
                incident,
                [field.removesuffix("_id")],
                note=f"undo of bulk change #{bulk.pk}",
                about=incident,
            )
        skipped = len(by_id) - restored
        bulk.undone_at = timezone.now()
        bulk.save(update_fields=["undone_at"])
    return Outcome(bulk, restored, skipped)


# ---------------------------------------------------------------------------- list editing
#
# The staff list edits a few status-neutral fields in place. Each changed cell is the bulk
# action of that field applied to one record (same values allowed, same access check, same
# history entry), and one submission is one BulkChange: undone as one step.

CELL_EDIT = "edit"
# cell -> (the bulk action whose value rule it follows, Incident attribute)
CELLS = {
    "assignee": ("assign", "assignee_id"),
    "city": ("city", "city_id"),
    "place_type": ("place", "place_type_id"),
    "tags": ("tag", "tags"),
}


def cell_value(incident: Any, cell: str) -> str:
    """What a cell shows and a person types: a username, a vocabulary code, tag names."""
    if cell == "assignee":
        return incident.assignee.username if incident.assignee_id else ""
    if cell == "tags":
        return ", ".join(sorted(t.name for t in incident.tags.all()))
    term = getattr(incident, cell)
    return term.code if term is not None else ""


def _cell_target(request: HttpRequest, cell: str, typed: str) -> Any:
    action = CELLS[cell][0]
    if cell == "tags":
        names = sorted({_tag_name(n) for n in typed.split(",")} - {""})
        return [Tag.objects.get_or_create(name=n)[0].pk for n in names]
    if not typed.strip():
        return None  # emptied: nobody, no city
    return _target_value(request, action, typed.strip())


def _current(incident: Any, cell: str) -> Any:
    if cell == "tags":
        return sorted(incident.tags.values_list("pk", flat=True))
    return getattr(incident, CELLS[cell][1])


def edit_cells(
    request: StaffRequest, cells: dict[int, dict[str, tuple[str, str]]]
) -> tuple[Outcome, dict[int, dict[str, str]]]:
    """Apply the cells a person changed in the list: {incident id: {cell: (shown, typed)}}.

    All or nothing: when any cell is refused (a value not allowed, a record the user may not
    change, a value someone else changed since the list was shown) nothing is written and the
    refusals come back as {incident id: {cell: message}}.
    """
    errors: dict[int, dict[str, str]] = {}
    plan: list[tuple[Any, str, Any]] = []
    changes: list[dict[str, Any]] = []
    with transaction.atomic():
        wanted = {pk: c for pk, c in cells.items() if any(a != b for a, b in c.values())}
        rows = (
            access.visible_incidents(request.user)
            .select_for_update(of=("self",))
            .select_related("assignee", "city", "place_type")
            .filter(pk__in=list(wanted))
        )
        found = {i.pk: i for i in rows}
        allowed = access.can_each(request, "change", found.values())
        for pk, row in wanted.items():
            incident = found.get(pk)
            for cell, (shown, typed) in row.items():
                if cell not in CELLS or shown == typed:
                    continue
                if incident is None or incident.pk not in allowed:
                    errors.setdefault(pk, {})[cell] = _("You may not change this record.")
                    continue
                now = cell_value(incident, cell)
                if now != shown:
                    errors.setdefault(pk, {})[cell] = _(
                        "Changed by someone else since the list was shown (now “%(now)s”)."
                    ) % {"now": now or "—"}
                    continue
                try:
                    plan.append((incident, cell, _cell_target(request, cell, typed)))
                except ValidationError as error:
                    errors.setdefault(pk, {})[cell] = " ".join(error.messages)
        if errors:
            transaction.set_rollback(True)  # tags created for the check are not kept
            return Outcome(None, 0, 0), errors
        bulk = BulkChange.objects.create(user=request.user, action=CELL_EDIT, value="list")
        touched: dict[int, tuple[Any, list[str]]] = {}
        for incident, cell, target in plan:
            before = _current(incident, cell)
            if before == target:
                continue
            if cell == "tags":
                incident.tags.set(target)
            else:
                setattr(incident, CELLS[cell][1], target)
                incident.save()
            changes.append({"id": incident.pk, "field": cell, "before": before, "after": target})
            touched.setdefault(incident.pk, (incident, []))[1].append(cell)
        for incident, fields in touched.values():
            log.record(
                request.user,
                Action.UPDATE,
                incident,
                fields,
                note=f"list edit #{bulk.pk}",
                about=incident,
            )
        if not changes:
            bulk.delete()
            return Outcome(None, 0, 0), {}
        bulk.changes = changes
        bulk.save(update_fields=["changes"])
    return Outcome(bulk, len(touched), 0), {}


def _undo_cells(request: HttpRequest, bulk: BulkChange) -> Outcome:
    """Put back each cell of a list edit that still holds the value the edit gave it."""
    restored: dict[int, list[str]] = {}
    ids = {c["id"] for c in bulk.changes}
    with transaction.atomic():
        rows = access.visible_incidents(request.user).select_for_update().filter(pk__in=ids)
        found = {i.pk: i for i in rows}
        allowed = access.can_each(request, "change", found.values())
        for change in bulk.changes:
            incident = found.get(change["id"])
            cell = change["field"]
            if incident is None or incident.pk not in allowed:
                continue
            if _current(incident, cell) != change["after"]:
                continue  # changed since: left as it is
            if cell == "tags":
                incident.tags.set(change["before"])
            else:
                setattr(incident, CELLS[cell][1], change["before"])
                incident.save()
            restored.setdefault(incident.pk, []).append(cell)
        for pk, fields in restored.items():
            log.record(
                request.user,
                Action.UPDATE,
                found[pk],
                fields,
                note=f"undo of list edit #{bulk.pk}",
                about=found[pk],
            )
        bulk.undone_at = timezone.now()
        bulk.save(update_fields=["undone_at"])
    return Outcome(bulk, len(restored), len(ids) - len(restored))
