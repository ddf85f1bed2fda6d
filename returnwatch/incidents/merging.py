"""Merging duplicate records (editors): the duplicate points to the record it repeats.

A merged duplicate leaves every public list and count, and its public address redirects to
the record it was merged into (public.py). Its sources are cited by that record too, so
nothing it rested on is lost; undoing a merge puts the duplicate back and removes the
citations the merge copied.

A merge changes both records, so it needs the right to merge each (returnwatch/access.py),
checked here whatever the entry point. A published record is merged only into a published
one: otherwise its public address would lead nowhere.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from returnwatch import access
from returnwatch.audit import log
from returnwatch.audit.actions import Action

from .models import Citation, Incident, Status


def merge(request: HttpRequest, duplicate: Incident, reference: str) -> Incident:
    """Merge `duplicate` into the record with `reference`; returns that record."""
    reference = reference.strip().upper()
    with transaction.atomic():
        dup = Incident.objects.select_for_update().get(pk=duplicate.pk)
        if not access.can(request, "merge", dup):
            raise PermissionDenied
        # A record the user may not see answers like one that does not exist.
        target = (
            access.visible_incidents(request.user)
            .select_for_update()
            .filter(reference=reference)
            .first()
        )
        if target is None:
            raise ValidationError(_("There is no record %(ref)s.") % {"ref": reference[:20]})
        if not access.can(request, "merge", target):
            raise ValidationError(
                _("%(ref)s belongs to another organization: you may not change it.")
                % {"ref": target.reference}
            )
        if dup.status == Status.PUBLISHED and target.status != Status.PUBLISHED:
            raise ValidationError(
                _(
                    "%(ref)s is not published: merge a published record only into a published "
                    "one, or its public address would lead nowhere."
                )
                % {"ref": target.reference}
            )
        if target.pk == dup.pk:
            raise ValidationError(_("A record cannot be merged into itself."))
        if target.merged_into is not None:
            raise ValidationError(
                _("%(ref)s is itself merged into %(other)s: merge into that one.")
                % {"ref": target.reference, "other": target.merged_into.reference}
            )
        if dup.merged_into_id:
            raise ValidationError(_("This record is already merged; undo that first."))
        dup.merged_into = target
        dup.save(update_fields=["merged_into", "updated_at"])
        # Records merged into the duplicate follow it: no chains.
        followers = list(Incident.objects.filter(merged_into=dup).exclude(pk=target.pk))
        Incident.objects.filter(pk__in=[f.pk for f in followers]).update(merged_into=target)
        cited = set(target.citations.values_list("document_id", flat=True))
        copied = [
            Citation(
                incident=target,
                document_id=c.document_id,
                passage=c.passage,
                excerpt=c.excerpt,
                reliability=c.reliability,
                merged_from=dup,
            )
            for c in dup.citations.all()
            if c.document_id not in cited
        ]
        Citation.objects.bulk_create(copied)
        target.save(update_fields=["updated_at"])
        log.record(
            request.user, Action.MERGE, dup, ["merged_into"], note=f"into {target.reference}"
        )
        log.record(
            request.user,
            Action.MERGE,
            target,
            ["citations"] if copied else [],
            note=f"{dup.reference} merged in; {len(copied)} source(s) added",
        )
        for follower in followers:
            log.record(
                request.user,
                Action.MERGE,
                follower,
                ["merged_into"],
                note=f"into {target.reference}",
            )
    return target


def unmerge(request: HttpRequest, duplicate: Incident) -> None:
    with transaction.atomic():
        dup = Incident.objects.select_for_update().get(pk=duplicate.pk)
        if not dup.merged_into_id:
            raise ValidationError(_("This record is not merged."))
        target = Incident.objects.select_for_update().get(pk=dup.merged_into_id)
        if not access.may_merge(request.user, dup, target, verified=access.verified(request)):
            raise PermissionDenied
        dup.merged_into = None
        dup.save(update_fields=["merged_into", "updated_at"])
        removed, _kinds = Citation.objects.filter(incident=target, merged_from=dup).delete()
        target.save(update_fields=["updated_at"])
        log.record(
            request.user, Action.UNMERGE, dup, ["merged_into"], note=f"from {target.reference}"
        )
        log.record(
            request.user,
            Action.UNMERGE,
            target,
            ["citations"] if removed else [],
            note=f"{dup.reference} taken out; {removed} copied source(s) removed",
        )
