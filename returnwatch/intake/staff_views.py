"""The triage queue for tips (/staff/tips/): list with filters, one tip with its possible
duplicates, assignment, notes, status moves and "create incident from tip".

Every change is written to the audit history (field names only, never values). Who sees and
changes what is decided by returnwatch/access.py: partners see only tips assigned to them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from returnwatch import access
from returnwatch.accounts.models import User
from returnwatch.accounts.permissions import StaffRequest, researcher_required
from returnwatch.audit.actions import Action
from returnwatch.audit.log import history, record
from returnwatch.incidents import actions
from returnwatch.incidents.models import (
    Citation,
    City,
    DatePrecision,
    Document,
    DocumentKind,
    Incident,
    Reliability,
    ViolenceType,
)

from .duplicates import find_duplicates
from .models import OPEN_STATUSES, TRANSITIONS, Tip, TipNote, TipStatus

PAGE_SIZE = 50
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Español",
    "ht": "Kreyòl",
    "pt": "Português",
    "fr": "Français",
}


def _tips(request: HttpRequest) -> QuerySet[Tip]:
    return access.visible_tips(request.user)


def _tip(request: HttpRequest, pk: int) -> Tip:
    return get_object_or_404(_tips(request), pk=pk)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _researchers(request: HttpRequest) -> QuerySet[User]:
    return access.assignable_users(request.user)


@researcher_required
def tip_list(request: StaffRequest) -> HttpResponse:
    qs = _tips(request).select_related("city", "assignee").prefetch_related("violence_types")
    g = request.GET
    applied: dict[str, str] = {}
    if g.get("status") in TipStatus.values:
        qs = qs.filter(status=g["status"])
        applied["status"] = g["status"]
    elif g.get("status") == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
        applied["status"] = "open"
    assignee = g.get("assignee", "")
    if assignee == "me":
        qs = qs.filter(assignee=request.user)
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee.isdigit():
        qs = qs.filter(assignee_id=int(assignee))
    if assignee:
        applied["assignee"] = assignee
    if g.get("language"):
        qs = qs.filter(language=g["language"])
        applied["language"] = g["language"]
    if g.get("city"):
        qs = qs.filter(city__code=g["city"])
        applied["city"] = g["city"]
    if g.get("type"):
        qs = qs.filter(violence_types__code=g["type"]).distinct()
        applied["type"] = g["type"]
    for key, lookup in (
        ("from", "date__gte"),
        ("to", "date__lte"),
        ("received_from", "created_at__date__gte"),
        ("received_to", "created_at__date__lte"),
    ):
        value = _date(g.get(key, ""))
        if value:
            qs = qs.filter(**{lookup: value})
            applied[key] = value.isoformat()
    qs = qs.order_by("-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(g.get("page"))
    return render(
        request,
        "intake/staff/tip_list.html",
        {
            "page": page,
            "applied": applied,
            "query": urlencode(applied),
            "statuses": TipStatus.choices,
            "researchers": _researchers(request),
            "languages": list(LANGUAGE_NAMES.items()),
            "cities": City.objects.filter(active=True),
            "types": ViolenceType.objects.filter(active=True),
        },
    )


@researcher_required
def tip_detail(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _tip(request, pk)
    # Scored on what this user may read only: a score must not reveal another
    # organization's restricted narrative or tips.
    duplicates = find_duplicates(
        tip,
        access.visible_incidents(request.user),
        readable=access.restricted_incidents(request.user),
        tips=_tips(request),
    )
    for m in duplicates:
        m.url = (
            _incident_url(m.obj, "staff:incident_detail")
            if m.kind == "incident"
            else reverse("staff:tip_detail", args=[m.obj.pk])
        )
    return render(
        request,
        "intake/staff/tip_detail.html",
        {
            "tip": tip,
            "attachments": tip.attachments.filter(follow_up__isnull=True),
            "follow_ups": tip.follow_ups.prefetch_related("attachments"),
            "notes": access.visible_tip_notes(request.user)
            .filter(tip=tip)
            .select_related("author"),
            "history": history(tip),
            "duplicates": duplicates,
            "transitions": [(s, TipStatus(s).label) for s in TRANSITIONS[TipStatus(tip.status)]],
            "researchers": _researchers(request),
            "language_name": LANGUAGE_NAMES.get(tip.language, tip.language),
            "incident_url": _incident_url(tip.incident) if tip.incident else "",
        },
    )


@require_POST
@researcher_required
def tip_assign(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _tip(request, pk)
    value = request.POST.get("assignee", "")
    assignee = _researchers(request).filter(pk=value).first() if value.isdigit() else None
    if value and assignee is None:
        messages.error(request, _("Choose a researcher from the list."))
        return redirect("staff:tip_detail", pk=tip.pk)
    with transaction.atomic():
        tip.assignee = assignee
        if assignee and tip.status == TipStatus.NEW:
            tip.status = TipStatus.REVIEW
            fields = ["assignee", "status"]
        else:
            fields = ["assignee"]
        tip.save(update_fields=[*fields, "updated_at"])
        record(request.user, Action.TIP_ASSIGN, tip, fields=fields)
    messages.success(request, _("Assignment saved."))
    return redirect("staff:tip_detail", pk=tip.pk)


@require_POST
@researcher_required
def tip_status(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _tip(request, pk)
    target = request.POST.get("status", "")
    reason = request.POST.get("reason", "").strip()
    allowed = TRANSITIONS[TipStatus(tip.status)]
    if target not in allowed:
        messages.error(request, _("That status change is not possible from here."))
        return redirect("staff:tip_detail", pk=tip.pk)
    if target == TipStatus.DECLINED and not reason:
        messages.error(request, _("Give a reason for declining the tip."))
        return redirect("staff:tip_detail", pk=tip.pk)
    with transaction.atomic():
        tip.status = target
        fields = ["status"]
        if target == TipStatus.DECLINED:
            tip.decline_reason = reason
            fields.append("decline_reason")
        elif tip.decline_reason:
            tip.decline_reason = ""
            fields.append("decline_reason")
        tip.save(update_fields=[*fields, "updated_at"])
        record(request.user, Action.tip_status(target), tip, fields=fields)
    messages.success(
        request, _("Status changed to “%(status)s”.") % {"status": tip.get_status_display()}
    )
    return redirect("staff:tip_detail", pk=tip.pk)


@require_POST
@researcher_required
def tip_note(request: StaffRequest, pk: int) -> HttpResponse:
    tip = _tip(request, pk)
    text = request.POST.get("text", "").strip()
    if not text:
        messages.error(request, _("The note is empty."))
        return redirect("staff:tip_detail", pk=tip.pk)
    with transaction.atomic():
        note = TipNote.objects.create(tip=tip, author=request.user, text=text[:20000])
        record(request.user, Action.TIP_NOTE, note, fields=["text"], about=tip)
    messages.success(request, _("Note added."))
    return redirect("staff:tip_detail", pk=tip.pk)


def _incident_url(incident: Incident, name: str = "staff:incident_edit") -> str:
    """The workspace page of an incident, or its admin page while the workspace lacks one."""
    try:
        return reverse(name, args=[incident.reference])
    except NoReverseMatch:
        try:
            return reverse("admin:incidents_incident_change", args=[incident.pk])
        except NoReverseMatch:
            return ""


def tip_document(tip: Tip, user: Any) -> Document:
    """The tip as a source document (kind "tip", never public), created once."""
    if tip.document is not None:
        return tip.document
    kind = DocumentKind.objects.get(code="tip")
    received = timezone.localdate(tip.created_at)
    document = Document.objects.create(
        kind=kind,
        title=f"Tip #{tip.pk} received {received.isoformat()}",
        publisher="ReturnWatch tip form",
        date_published=received,
        language=tip.language,
        created_by=user,
    )
    record(user, Action.CREATE, document, fields=["kind", "title", "date_published"], about=tip)
    tip.document = document
    return document


def link_tip(tip: Tip, incident: Incident, user: Any) -> None:
    """Link tip and incident both ways: tip.incident, and the tip cited by the incident."""
    document = tip_document(tip, user)
    citation, created = Citation.objects.get_or_create(
        incident=incident,
        document=document,
        defaults={"reliability": Reliability.LOW, "passage": f"tip #{tip.pk}"},
    )
    if created:
        record(user, Action.CREATE, citation, fields=["document"], about=incident)
    tip.incident = incident
    tip.status = TipStatus.ACCEPTED
    tip.save(update_fields=["incident", "document", "status", "updated_at"])
    record(user, Action.TIP_LINK_INCIDENT, tip, fields=["incident", "document", "status"])


@require_POST
@researcher_required
def tip_create_incident(request: StaffRequest, pk: int) -> HttpResponse:
    tip = _tip(request, pk)
    if not access.can(request, "create", Incident):
        raise PermissionDenied
    if tip.incident is not None:
        messages.info(request, _("This tip is already linked to an incident."))
        return redirect(_incident_url(tip.incident) or reverse("staff:tip_detail", args=[tip.pk]))
    with transaction.atomic():
        # Public title and summary are left for the researcher to write: nothing the
        # submitter wrote may reach a public field by default.
        parts = [tip.narrative] + [f.text for f in tip.follow_ups.all() if f.text]
        incident = Incident(
            title=_("To be written: public title (from tip #%(pk)d)") % {"pk": tip.pk},
            summary="",
            narrative="\n\n".join(parts),
            date=tip.date,
            date_precision=DatePrecision.MONTH
            if tip.date_precision == "month"
            else DatePrecision.DAY,
            date_reported=timezone.localdate(tip.created_at),
            city=tip.city,
            place_type=tip.place_type,
            program=tip.program,
            port_of_entry=tip.port_of_entry,
            fear_expressed=tip.fear_expressed,
            assignee=request.user,
        )
        # The same "create a draft and record it" as the workspace and the API.
        actions.create_draft(
            request.user,
            incident,
            fields=[
                "title",
                "narrative",
                "date",
                "date_precision",
                "date_reported",
                "city",
                "place_type",
                "program",
                "port_of_entry",
                "fear_expressed",
                "violence_types",
                "victim_groups",
                "nationalities",
            ],  # fmt: skip
            multi={
                "violence_types": tip.violence_types.all(),
                "victim_groups": tip.victim_groups.all(),
                "nationalities": tip.nationalities.all(),
            },
            note=f"from tip #{tip.pk}",
        )
        link_tip(tip, incident, request.user)
    messages.success(
        request,
        _("Draft incident %(ref)s created from the tip. Write its public title and summary.")
        % {"ref": incident.reference},
    )
    return redirect(_incident_url(incident) or reverse("staff:tip_detail", args=[tip.pk]))


@require_POST
@researcher_required
def tip_link_incident(request: HttpRequest, pk: int) -> HttpResponse:
    tip = _tip(request, pk)
    reference = request.POST.get("reference", "").strip().upper()
    incident = access.visible_incidents(request.user).filter(reference=reference).first()
    if incident is None:
        messages.error(request, _("No incident with that reference."))
        return redirect("staff:tip_detail", pk=tip.pk)
    if not access.can(request, "link_tip", incident):
        messages.error(
            request,
            _("%(ref)s is not a record you may change: link the tip to one of yours.")
            % {"ref": incident.reference},
        )
        return redirect("staff:tip_detail", pk=tip.pk)
    with transaction.atomic():
        link_tip(tip, incident, request.user)
    messages.success(request, _("Tip linked to %(ref)s.") % {"ref": incident.reference})
    return redirect("staff:tip_detail", pk=tip.pk)


@researcher_required
def tip_attachment(request: HttpRequest, pk: int) -> FileResponse:
    attachment = get_object_or_404(
        access.visible_tip_attachments(request.user).select_related("tip"), pk=pk
    )
    record(request.user, Action.TIP_ATTACHMENT_DOWNLOAD, attachment, about=attachment.tip)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=f"tip-{attachment.tip_id}-{attachment.pk}{attachment.extension}",
        content_type=attachment.media_type,
    )
    return response
