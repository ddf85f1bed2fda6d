"""The researchers' workspace for incidents, documents, citations and persons (/staff/).

Every view here is for researchers and above (`researcher_required`); what each of them may
see and change is decided by returnwatch/access.py, and what the public sees changes only
through `workflow` (publishing is for editors). Everything that writes does so in one
transaction, together with its entry in the change history. Pages under /staff/ are never
cached (returnwatch/security.py).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from returnwatch import access, public
from returnwatch.accounts.models import User
from returnwatch.accounts.permissions import StaffRequest, researcher_required
from returnwatch.audit import log
from returnwatch.audit.actions import LEGACY, Action
from returnwatch.audit.actions import label as action_label
from returnwatch.audit.models import Entry

from . import actions, bulk, checklist, files, merging, queues, search, workflow
from .forms import (
    AccountabilityStepForm,
    ChooseDocumentForm,
    CitationForm,
    DocumentForm,
    IncidentFilterForm,
    IncidentForm,
    PersonForm,
    RetractForm,
    SendBackForm,
    SourceFormSet,
)
from .models import Citation, City, Document, Incident, Person, PlaceType, Program, Status

PAGE_SIZE = 50


def _incidents(request: HttpRequest) -> QuerySet[Incident]:
    return access.visible_incidents(request.user)


def _get_incident(request: HttpRequest, reference: str) -> Incident:
    qs = _incidents(request).select_related(
        "city", "place_type", "program", "port_of_entry", "assignee", "organization", "created_by"
    )
    return get_object_or_404(qs, reference=reference)


# ---------------------------------------------------------------------------- incident list


def _search(request: HttpRequest, qs: QuerySet[Incident], q: str) -> QuerySet[Incident]:
    """Full text, restricted text included only where the user may read it: otherwise a
    search could reveal words of another organization's restricted narrative."""
    if access.is_lead(request.user):
        return search.filter_text(qs, q, scope="everything")
    readable = access.restricted_incidents(request.user).values("pk")
    own = search.filter_text(qs.filter(pk__in=readable), q, scope="everything")
    others = search.filter_text(qs.exclude(pk__in=readable), q, scope="public")
    return qs.filter(Q(pk__in=own.values("pk")) | Q(pk__in=others.values("pk")))


@researcher_required
def home(request: StaffRequest) -> HttpResponse:
    """Every incident the user may see, drafts included, with filters and full-text search."""
    return _list_page(request)


def _list_page(
    request: StaffRequest,
    typed: dict[int, dict[str, str]] | None = None,
    errors: dict[int, dict[str, str]] | None = None,
) -> HttpResponse:
    """The list; with `?edit=1` its status-neutral cells are a form (typed values and
    errors re-shown after a refused save)."""
    edit = request.GET.get("edit") == "1"
    form = IncidentFilterForm(request.GET or None, user=request.user)
    data = form.valid_data() if request.GET else {}
    qs = _incidents(request)
    queue = queues.QUEUES.get(request.GET.get("queue", ""))
    if queue is not None and queue in queues.for_user(request.user):
        qs = queue.rows(request.user)
    q = (data.get("q") or "").strip()
    if q:
        qs = _search(request, qs, q)
    if data.get("status"):
        qs = qs.filter(status__in=data["status"])
    if data.get("city"):
        qs = qs.filter(city=data["city"])
    if data.get("type"):
        qs = qs.filter(violence_types=data["type"])
    if data.get("date_from"):
        qs = qs.filter(date__gte=data["date_from"])
    if data.get("date_to"):
        qs = qs.filter(date__lte=data["date_to"])
    assignee = data.get("assignee") or ""
    if assignee == "me":
        qs = qs.filter(assignee=request.user)
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee:
        qs = qs.filter(assignee__username=assignee)
    order = {
        "date": ["-date", "-id"],
        "reference": ["-reference"],
    }.get(data.get("sort") or "", ["-updated_at", "-id"])
    qs = (
        qs.order_by(*order)
        .select_related("city", "assignee")
        .prefetch_related("violence_types")
        .only(
            "reference",
            "title",
            "status",
            "date",
            "date_precision",
            "updated_at",
            "city",
            "assignee",
            "organization",
            "place_type",
        )
    )
    if edit:
        qs = qs.select_related("place_type").prefetch_related("tags")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    editing = params.copy()
    editing["edit"] = "1"
    params.pop("edit", None)
    context = {
        "form": form,
        "page": page,
        "query_string": params.urlencode(),
        "filtered": bool(data and any(data.get(k) for k in data if k != "sort")),
        "queue": queue,
        "bulk_actions": [(k, label) for k, (label, _f) in bulk.ACTIONS.items()],
        "assignees": access.assignable_users(request.user),
        "programs": Program.objects.filter(active=True),
        "place_types": PlaceType.objects.filter(active=True),
        "last_bulk": access.visible_bulk_changes(request.user)
        .filter(pk=request.session.get("last_bulk_change"), undone_at__isnull=True)
        .first(),
        "edit": edit,
        "edit_query": editing.urlencode(),
        "edit_rows": _edit_rows(request, page.object_list, typed or {}, errors or {})
        if edit
        else [],
    }
    if edit:
        context |= _edit_choices(request, list(page.object_list))
    return render(request, "incidents/staff/home.html", context)


def _edit_rows(
    request: HttpRequest,
    incidents: Any,
    typed: dict[int, dict[str, str]],
    errors: dict[int, dict[str, str]],
) -> list[dict[str, Any]]:
    """Per record: whether the user may change it and, per cell, the value shown when the
    list was drawn, the value in the field (typed, when re-shown) and its error."""
    rows = []
    incidents = list(incidents)
    allowed = access.can_each(request, "change", incidents)
    for incident in incidents:
        editable = incident.pk in allowed
        cells = {}
        for cell in bulk.CELLS:
            # What it holds now: after a refusal because someone else changed a cell, saving
            # again (having read the message) puts the typed value over theirs.
            shown = bulk.cell_value(incident, cell)
            cells[cell] = {
                "shown": shown,
                "value": typed.get(incident.pk, {}).get(cell, shown),
                "error": errors.get(incident.pk, {}).get(cell, ""),
            }
        rows.append({"incident": incident, "editable": editable, "cells": cells})
    return rows


def _edit_choices(request: HttpRequest, incidents: list[Incident]) -> dict[str, Any]:
    """The values a cell offers: those a bulk action accepts, plus each record's current one
    (an inactive term or a departed assignee stays shown, not silently emptied)."""

    def used(attr: str) -> set[Any]:
        return {getattr(i, attr) for i in incidents} - {None}

    return {
        "edit_assignees": (
            access.assignable_users(request.user) | User.objects.filter(pk__in=used("assignee_id"))
        ).distinct(),
        "edit_cities": City.objects.filter(Q(active=True) | Q(pk__in=used("city_id"))),
        "edit_place_types": PlaceType.objects.filter(
            Q(active=True) | Q(pk__in=used("place_type_id"))
        ),
    }


def _posted_cells(data: Any) -> dict[int, dict[str, tuple[str, str]]]:
    """{incident id: {cell: (value shown, value typed)}} from `cell-<id>-<cell>` fields and
    their `shown-<id>-<cell>` companions."""
    cells: dict[int, dict[str, tuple[str, str]]] = {}
    for key in data:
        parts = key.split("-", 2)
        if len(parts) != 3 or parts[0] != "cell" or not parts[1].isdigit():
            continue
        if parts[2] not in bulk.CELLS:
            continue
        shown = data.get(f"shown-{parts[1]}-{parts[2]}", "")
        cells.setdefault(int(parts[1]), {})[parts[2]] = (shown, data.get(key, "")[:500])
    return cells


@researcher_required
@require_POST
def list_edit(request: StaffRequest) -> HttpResponse:
    """Save the cells changed in the list (bulk.edit_cells): all, or none with the refusals
    beside their cells and every typed value kept."""
    cells = _posted_cells(request.POST)
    outcome, errors = bulk.edit_cells(request, cells)
    if errors:
        typed = {pk: {cell: t for cell, (_s, t) in row.items()} for pk, row in cells.items()}
        messages.error(
            request, _("Nothing was saved: correct the cells marked below and save again.")
        )
        return _list_page(request, typed, errors)
    if outcome.bulk is None:
        messages.info(request, _("Nothing needed changing."))
    else:
        request.session["last_bulk_change"] = outcome.bulk.pk
        messages.success(request, _("Changes saved on %(n)s records.") % {"n": outcome.changed})
    return redirect(f"{reverse('staff:home')}?{request.GET.urlencode()}")


# ---------------------------------------------------------------------------- bulk actions


@researcher_required
@require_POST
def bulk_apply(request: StaffRequest) -> HttpResponse:
    """A bulk action on the records ticked in the list; the message offers to undo it."""
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    back = request.POST.get("next", "")
    back = back if back.startswith("/staff/") else reverse("staff:home")
    if not ids:
        messages.error(request, _("Tick the records to change first."))
        return redirect(back)
    try:
        action = request.POST.get("action", "")
        value = request.POST.get("tag" if action == "tag" else "value", "")
        outcome = bulk.apply(request, action, value, ids)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    if outcome.bulk is None:
        messages.info(request, _("Nothing needed changing."))
    else:
        request.session["last_bulk_change"] = outcome.bulk.pk
        messages.success(
            request,
            _("%(n)s records changed (%(skipped)s you may not change were left as they are).")
            % {"n": outcome.changed, "skipped": outcome.skipped},
        )
    return redirect(back)


@researcher_required
@require_POST
def bulk_undo(request: HttpRequest, pk: int) -> HttpResponse:
    change = get_object_or_404(access.visible_bulk_changes(request.user), pk=pk)
    try:
        outcome = bulk.undo(request, change)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        request.session.pop("last_bulk_change", None)
        messages.success(
            request,
            _("Undone on %(n)s records (%(skipped)s changed since were left as they are).")
            % {"n": outcome.changed, "skipped": outcome.skipped},
        )
    return redirect("staff:home")


# ---------------------------------------------------------------------------- incident edit


def _save_incident(request: HttpRequest, form: IncidentForm, *, new: bool) -> Incident:
    fields = form.changed_fields()
    if new:

        def m2m(incident: Incident) -> None:
            form.save_m2m()
            form.save_tags(incident)

        return actions.create_draft(
            request.user, form.save(commit=False), fields=fields, after_save=m2m
        )
    with transaction.atomic():
        incident = form.save(commit=False)
        incident.save()
        form.save_m2m()
        form.save_tags(incident)
        log.record(request.user, Action.UPDATE, incident, fields, about=incident)
    return incident


@researcher_required
def incident_create(request: StaffRequest) -> HttpResponse:
    """A sourced case in one screen: the incident and its sources, saved in one transaction,
    or shown again whole with each error beside its field. `?tip=<n>` opens it filled in from
    a tip, which is linked once the draft is saved."""
    if not access.can(request, "create", Incident):
        raise PermissionDenied
    tip = _tip_to_convert(request)
    post = request.POST if request.method == "POST" else None
    initial = _initial_from_tip(tip) if tip is not None else None
    form = IncidentForm(post, user=request.user, initial=initial)
    # A client that sends no source rows (an older form, a script) creates the incident alone.
    with_sources = post is not None and "source-TOTAL_FORMS" in post
    sources = SourceFormSet(
        post if with_sources else None,
        request.FILES if with_sources else None,
        prefix="source",
        form_kwargs={"user": request.user},
    )
    if post is not None and form.is_valid() and (not with_sources or sources.is_valid()):
        with transaction.atomic():
            incident = _save_incident(request, form, new=True)
            for source in sources if with_sources else ():
                if source.is_used:
                    _add_source(request, incident, source)
            if tip is not None:
                from returnwatch.intake.staff_views import link_tip

                link_tip(tip, incident, request.user)
        messages.success(
            request, _("Incident %(ref)s created as a draft.") % {"ref": incident.reference}
        )
        return redirect("staff:incident_detail", incident.reference)
    context = {"form": form, "incident": None, "sources": sources, "tip": tip}
    return render(request, "incidents/staff/incident_form.html", context)


def _tip_to_convert(request: HttpRequest) -> Any:
    pk = (request.POST.get("tip") or request.GET.get("tip") or "").strip()
    if not pk.isdigit():
        return None
    tip = get_object_or_404(access.visible_tips(request.user), pk=int(pk))
    return None if tip.incident_id else tip


def _initial_from_tip(tip: Any) -> dict[str, Any]:
    """What the sender told, in the restricted narrative; public fields are left to write."""
    from django.utils import timezone

    parts = [tip.narrative] + [f.text for f in tip.follow_ups.all() if f.text]
    return {
        "narrative": "\n\n".join(parts),
        "date": tip.date,
        "date_precision": "month" if tip.date_precision == "month" else "day",
        "date_reported": timezone.localdate(tip.created_at),
        "city": tip.city_id,
        "place_type": tip.place_type_id,
        "program": tip.program_id,
        "port_of_entry": tip.port_of_entry_id,
        "fear_expressed": tip.fear_expressed,
        "violence_types": list(tip.violence_types.values_list("pk", flat=True)),
        "victim_groups": list(tip.victim_groups.values_list("pk", flat=True)),
        "nationalities": list(tip.nationalities.values_list("pk", flat=True)),
        "assignee": tip.assignee_id,
    }


def _add_source(request: StaffRequest, incident: Incident, source: Any) -> Citation:
    """The row's document (the existing one with its address, or a new one) cited by the
    incident, each with its history entry."""
    data = source.cleaned_data
    document = source.existing
    if document is None:
        document = Document(
            kind=data["kind"],
            title=data["title"],
            publisher=data.get("publisher") or "",
            url=data.get("url") or "",
            date_published=data.get("date_published"),
            created_by=request.user,
        )
        fields = [k for k in ("kind", "title", "publisher", "url", "date_published") if data.get(k)]
        if data.get("file") and source.inspected:
            files.attach(document, data["file"], source.inspected, request.user)
            fields += ["sha256", "size", "media_type"]
        document.save()
        log.record(request.user, Action.CREATE, document, fields, about=incident)
    citation, created = Citation.objects.get_or_create(
        incident=incident,
        document=document,
        defaults={
            "passage": data.get("passage") or "",
            "excerpt": data.get("excerpt") or "",
            "reliability": data.get("reliability") or "medium",
        },
    )
    if created:
        fields = ["document", *[k for k in ("passage", "excerpt", "reliability") if data.get(k)]]
        log.record(request.user, Action.CREATE, citation, fields, about=incident)
    return citation


@researcher_required
def incident_edit(request: HttpRequest, reference: str) -> HttpResponse:
    incident = _get_incident(request, reference)
    workflow.require_edit(request, incident)
    form = IncidentForm(request.POST or None, instance=incident, user=request.user)
    if request.method == "POST" and form.is_valid():
        if form.changed_fields():
            _save_incident(request, form, new=False)
            messages.success(request, _("Changes saved."))
        else:
            messages.info(request, _("Nothing was changed."))
        return redirect("staff:incident_detail", incident.reference)
    return render(
        request, "incidents/staff/incident_form.html", {"form": form, "incident": incident}
    )


@researcher_required
def incident_delete(request: HttpRequest, reference: str) -> HttpResponse:
    """Editors delete drafts and records in review; public records are retracted instead."""
    incident = _get_incident(request, reference)
    if incident.status in (Status.DRAFT, Status.REVIEW) and not access.can(
        request, "delete", incident
    ):
        raise PermissionDenied
    if incident.status in (Status.PUBLISHED, Status.RETRACTED):
        messages.error(
            request, _("A record the public has seen keeps its address: retract it instead.")
        )
        return redirect("staff:incident_detail", incident.reference)
    if request.method == "POST":
        with transaction.atomic():
            log.record(request.user, Action.DELETE, incident, about=incident)
            incident.delete()
        messages.success(request, _("Incident %(ref)s deleted.") % {"ref": reference})
        return redirect("staff:home")
    return render(
        request, "incidents/staff/confirm_delete.html", {"incident": incident, "what": incident}
    )


# ---------------------------------------------------------------------------- incident page


def _history(incident: Incident, documents: list[Document]) -> QuerySet[Entry]:
    """The incident's own history and that of the documents it cites, newest first."""
    qs = log.history(incident)
    if documents:
        qs = qs | Entry.objects.filter(about__in=[log.key(d) for d in documents])
    return qs.select_related("actor").order_by("-id")


ACTIONS = {
    "create": gettext_lazy("added"),
    "update": gettext_lazy("changed"),
    "delete": gettext_lazy("deleted"),
    "status": gettext_lazy("moved"),
}
TARGETS = {
    "incidents.incident": gettext_lazy("incident"),
    "incidents.document": gettext_lazy("document"),
    "incidents.citation": gettext_lazy("source"),
    "incidents.person": gettext_lazy("person record"),
}


def history_rows(entries: Any) -> list[dict[str, Any]]:
    """History entries with their action and record type in words (an old name as the action it
    meant; unknown ones as stored)."""
    return [
        {
            "entry": e,
            "action": ACTIONS.get(LEGACY.get(e.action, e.action)) or action_label(e.action),
            "target": TARGETS.get(e.target_type, e.target_type),
        }
        for e in entries
    ]


def _detail_context(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    restricted = access.can(request, "read_restricted", incident)
    citations = list(
        access.visible_citations(request.user)
        .filter(incident=incident)
        .select_related("document", "document__kind")
        .order_by("id")
    )
    documents = [c.document for c in citations]
    transitions = workflow.available(request, incident)
    names = {t.name for t in transitions}
    return {
        "incident": incident,
        "citations": citations,
        "restricted": restricted,
        "persons": list(incident.persons.order_by("id")) if restricted else [],
        "history": history_rows(_history(incident, documents)[:200]) if restricted else [],
        # Publishing and sending back have their own forms (the checklist, a reason).
        "transitions": [t for t in transitions if not t.needs_reason and t.name != "publish"],
        "retract": next((t for t in transitions if t.name == "retract"), None),
        "retract_form": RetractForm(),
        "send_back": "send_back" in names,
        "send_back_form": SendBackForm(),
        "publish": "publish" in names,
        "checklist": checklist.items(incident) if "publish" in names else [],
        "can_edit": workflow.can_edit(request, incident),
        "can_publish": access.can(request, "publish", incident),
        "can_delete": access.can(request, "delete", incident),
        "merged": incident.merged.only("reference", "title"),
        "tags": incident.tags.all(),
        "accountability_steps": incident.accountability_steps.all(),
        "accountability_form": AccountabilityStepForm(),
    }


@researcher_required
def incident_detail(request: HttpRequest, reference: str) -> HttpResponse:
    incident = _get_incident(request, reference)
    context = _detail_context(request, incident)
    return render(request, "incidents/staff/incident_detail.html", context)


@researcher_required
@require_POST
def incident_transition(request: HttpRequest, reference: str) -> HttpResponse:
    """Move an incident along the workflow; a researcher asking to publish gets 403."""
    incident = _get_incident(request, reference)
    action = request.POST.get("action", "")
    transition = workflow.TRANSITIONS.get(action)
    if transition is None:
        messages.error(request, _("Unknown action."))
        return redirect("staff:incident_detail", incident.reference)
    if not workflow.may_use(request, transition, incident):
        raise PermissionDenied
    form_name, form_class = (
        ("send_back_form", SendBackForm) if action == "send_back" else ("retract_form", RetractForm)
    )
    reason_form = form_class(request.POST if transition.needs_reason else None)
    if transition.needs_reason and not reason_form.is_valid():
        context = _detail_context(request, incident)
        context[form_name] = reason_form
        return render(request, "incidents/staff/incident_detail.html", context, status=400)
    reason = reason_form.cleaned_data["reason"] if transition.needs_reason else ""
    override = request.POST.get("override_reason", "")
    try:
        incident = workflow.apply(request, incident, action, reason, override=override)
    except ValidationError as error:
        if action == "publish" and incident.status == Status.REVIEW:
            # The checklist again, with what stops publication and what the editor typed.
            context = _detail_context(request, incident)
            context["publish_errors"] = error.messages
            context["override_reason"] = override
            return render(request, "incidents/staff/incident_detail.html", context, status=400)
        for message in error.messages:
            messages.error(request, message)
        return redirect("staff:incident_detail", incident.reference)
    messages.success(
        request,
        _("%(ref)s is now: %(status)s.")
        % {"ref": incident.reference, "status": incident.get_status_display()},
    )
    return redirect("staff:incident_detail", incident.reference)


@researcher_required
@require_POST
def incident_merge(request: HttpRequest, reference: str) -> HttpResponse:
    """Merge this record into another (or undo that): editors only."""
    incident = _get_incident(request, reference)
    if not access.can(request, "merge", incident):
        raise PermissionDenied
    try:
        if request.POST.get("undo"):
            merging.unmerge(request, incident)
            messages.success(
                request, _("%(ref)s is a record of its own again.") % {"ref": incident.reference}
            )
        else:
            target = merging.merge(request, incident, request.POST.get("into", ""))
            messages.success(
                request,
                _("%(ref)s is merged into %(target)s.")
                % {"ref": incident.reference, "target": target.reference},
            )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("staff:incident_detail", incident.reference)


@researcher_required
def incident_preview(request: HttpRequest, reference: str) -> HttpResponse:
    """Exactly what the public page will show, rendered from the public projection."""
    incident = _get_incident(request, reference)
    # The same choices as the public view (incidents.views.incident_detail) makes.
    shown = (
        public.incident(reference)
        if incident.status == Status.RETRACTED
        else public.project([incident])[0]
    )
    assert shown is not None
    url = request.build_absolute_uri(shown.get_absolute_url())
    if settings.SITE_URL:
        url = settings.SITE_URL.rstrip("/") + shown.get_absolute_url()
    context = {
        "incident": shown,
        "citations": [] if shown.is_retracted else public.preview_citations(incident.pk),
        "library_items": [] if shown.is_retracted else public.library_items_for(reference),
        "cite_url": url,
    }
    if incident.status != Status.PUBLISHED:
        messages.info(
            request,
            _("Preview of %(ref)s (%(status)s): what the public will see once it is published.")
            % {"ref": reference, "status": incident.get_status_display()},
        )
    response = render(request, "incidents/detail.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


# ---------------------------------------------------------------------------- documents


def _documents(request: HttpRequest) -> QuerySet[Document]:
    return access.visible_documents(request.user)


def _require_document_edit(request: HttpRequest, document: Document) -> None:
    if not access.can(request, "change", document):
        raise PermissionDenied


@researcher_required
def document_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    qs = _search_documents(_documents(request).select_related("kind"), q).order_by("-created_at")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "incidents/staff/document_list.html",
        {"page": page, "q": q, "query_string": f"q={q}" if q else ""},
    )


def _search_documents(qs: QuerySet[Document], q: str) -> QuerySet[Document]:
    for word in q.split()[:8]:
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(publisher__icontains=word)
            | Q(url__icontains=word)
            | Q(sha256__startswith=word.lower())
        )
    return qs


@researcher_required
def document_create(request: StaffRequest) -> HttpResponse:
    """A new document, with an optional archived file; from an incident, cited by it at once."""
    if not access.can(request, "create", Document):
        raise PermissionDenied
    incident = None
    reference = request.GET.get("incident") or request.POST.get("incident")
    if reference:
        incident = _get_incident(request, reference)
        workflow.require_edit(request, incident)
    post = request.POST if request.method == "POST" else None
    form = DocumentForm(post, request.FILES or None, user=request.user)
    citation_form = CitationForm(post, prefix="citation") if incident else None
    if (
        request.method == "POST"
        and form.is_valid()
        and (citation_form is None or citation_form.is_valid())
    ):
        with transaction.atomic():
            document = form.save(commit=False)
            document.created_by = request.user
            fields = list(form.changed_data)
            upload = form.cleaned_data.get("file")
            if upload and form.inspected:
                files.attach(document, upload, form.inspected, request.user)
                fields += ["sha256", "size", "media_type"]
            document.save()
            log.record(request.user, Action.CREATE, document, fields, about=incident or document)
            if incident is not None and citation_form is not None:
                citation = citation_form.save(commit=False)
                citation.incident = incident
                citation.document = document
                citation.save()
                log.record(
                    request.user,
                    Action.CREATE,
                    citation,
                    ["document", *citation_form.changed_data],
                    about=incident,
                )
        messages.success(request, _("Document saved."))
        if incident is not None:
            return redirect("staff:incident_detail", incident.reference)
        return redirect("staff:document_detail", document.pk)
    context = {"form": form, "citation_form": citation_form, "incident": incident, "document": None}
    return render(request, "incidents/staff/document_form.html", context)


@researcher_required
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a document's metadata; the archived file is never touched."""
    document = get_object_or_404(_documents(request), pk=pk)
    _require_document_edit(request, document)
    form = DocumentForm(request.POST or None, instance=document, user=request.user)
    if request.method == "POST" and form.is_valid():
        if form.changed_data:
            with transaction.atomic():
                form.save()
                log.record(request.user, Action.UPDATE, document, form.changed_data, about=document)
            messages.success(request, _("Changes saved."))
        return redirect("staff:document_detail", document.pk)
    context = {"form": form, "citation_form": None, "incident": None, "document": document}
    return render(request, "incidents/staff/document_form.html", context)


@researcher_required
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(
        _documents(request).select_related("kind", "captured_by", "created_by"), pk=pk
    )
    visible = _incidents(request).values("pk")
    citations = (
        document.citations.filter(incident__in=visible)
        .select_related("incident")
        .order_by("incident__reference")
    )
    context = {
        "document": document,
        "citations": citations,
        "history": history_rows(log.history(document).order_by("-id")[:100]),
        "size": files.human_size(document.size) if document.size else "",
        "may_read_file": access.can(request, "read_file", document),
    }
    return render(request, "incidents/staff/document_detail.html", context)


@researcher_required
def document_file(request: HttpRequest, pk: int) -> FileResponse:
    """The archived copy, for staff only, always as a download (never rendered in the site)."""
    document = get_object_or_404(_documents(request).select_related("created_by"), pk=pk)
    if not access.can(request, "read_file", document):
        raise PermissionDenied
    if not document.file.name or not default_storage.exists(document.file.name):
        raise Http404
    response = FileResponse(
        default_storage.open(document.file.name, "rb"),
        as_attachment=True,
        filename=document.original_filename or document.sha256,
        content_type=document.media_type or "application/octet-stream",
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


# ---------------------------------------------------------------------------- citations


@researcher_required
def citation_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Cite an existing document (found by a search) with passage, excerpt and reliability."""
    incident = _get_incident(request, reference)
    workflow.require_edit(request, incident)
    dq = request.GET.get("dq", "").strip()
    # Only documents this user may see can be cited (access.visible_documents).
    available = _documents(request).exclude(citations__incident=incident).select_related("kind")
    candidates = list(_search_documents(available, dq).order_by("-created_at")[:25])
    post = request.POST if request.method == "POST" else None
    selected = (post or request.GET).get("document", "")
    if selected.isdigit() and all(d.pk != int(selected) for d in candidates):
        chosen = available.filter(pk=int(selected)).first()
        if chosen is not None:
            candidates.insert(0, chosen)
    choose = ChooseDocumentForm(post, queryset=available)
    form = CitationForm(post)
    if post is not None and choose.is_valid() and form.is_valid():
        with transaction.atomic():
            citation = form.save(commit=False)
            citation.incident = incident
            citation.document = choose.cleaned_data["document"]
            citation.save()
            log.record(
                request.user,
                Action.CREATE,
                citation,
                ["document", *form.changed_data],
                about=incident,
            )
        messages.success(request, _("Source added."))
        return redirect("staff:incident_detail", incident.reference)
    context = {
        "incident": incident,
        "choose": choose,
        "candidates": candidates,
        "selected": selected,
        "form": form,
        "dq": dq,
    }
    return render(request, "incidents/staff/citation_form.html", context)


def _get_citation(request: HttpRequest, reference: str, pk: int) -> Citation:
    incident = _get_incident(request, reference)
    workflow.require_edit(request, incident)
    return get_object_or_404(
        access.visible_citations(request.user).filter(incident=incident).select_related("document"),
        pk=pk,
    )


@researcher_required
def citation_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    citation = _get_citation(request, reference, pk)
    form = CitationForm(request.POST or None, instance=citation)
    if request.method == "POST" and form.is_valid():
        if form.changed_data:
            with transaction.atomic():
                form.save()
                log.record(
                    request.user,
                    Action.UPDATE,
                    citation,
                    form.changed_data,
                    about=citation.incident,
                )
            messages.success(request, _("Changes saved."))
        return redirect("staff:incident_detail", reference)
    context = {"incident": citation.incident, "citation": citation, "form": form}
    return render(request, "incidents/staff/citation_edit.html", context)


@researcher_required
def citation_delete(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    citation = _get_citation(request, reference, pk)
    if request.method == "POST":
        with transaction.atomic():
            log.record(request.user, Action.DELETE, citation, about=citation.incident)
            citation.delete()
        messages.success(request, _("Source removed; the document itself is kept."))
        return redirect("staff:incident_detail", reference)
    context = {"incident": citation.incident, "what": citation.document}
    return render(request, "incidents/staff/confirm_delete.html", context)


# ---------------------------------------------------------------------------- accountability


@researcher_required
@require_POST
def accountability_add(request: HttpRequest, reference: str) -> HttpResponse:
    """A dated step of what happened next (complaint, answer, lawsuit): changing the record."""
    incident = _get_incident(request, reference)
    workflow.require_edit(request, incident)
    form = AccountabilityStepForm(request.POST)
    if not form.is_valid():
        context = _detail_context(request, incident)
        context["accountability_form"] = form
        return render(request, "incidents/staff/incident_detail.html", context, status=400)
    with transaction.atomic():
        step = form.save(commit=False)
        step.incident = incident
        step.save()
        # Field names only: the reference number never reaches the history.
        log.record(request.user, Action.CREATE, step, form.changed_data, about=incident)
        incident.save(update_fields=["updated_at"])
    messages.success(request, _("Step recorded."))
    return redirect("staff:incident_detail", incident.reference)


@researcher_required
@require_POST
def accountability_delete(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    incident = _get_incident(request, reference)
    workflow.require_edit(request, incident)
    step = get_object_or_404(incident.accountability_steps, pk=pk)
    with transaction.atomic():
        log.record(request.user, Action.DELETE, step, about=incident)
        step.delete()
        incident.save(update_fields=["updated_at"])
    messages.success(request, _("Step removed."))
    return redirect("staff:incident_detail", incident.reference)


# ---------------------------------------------------------------------------- persons


def _incident_with_persons(request: HttpRequest, reference: str) -> Incident:
    """Persons are for the researchers of the organization that holds the record."""
    incident = _get_incident(request, reference)
    if not access.can(request, "read_restricted", incident):
        raise PermissionDenied
    return incident


@researcher_required
def person_add(request: HttpRequest, reference: str) -> HttpResponse:
    incident = _incident_with_persons(request, reference)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            person = form.save(commit=False)
            person.incident = incident
            person.save()
            # Field names only: the values of a person record never reach the history.
            log.record(request.user, Action.CREATE, person, form.changed_data, about=incident)
        messages.success(request, _("Person record added."))
        return redirect("staff:incident_detail", incident.reference)
    context = {"incident": incident, "form": form, "person": None}
    return render(request, "incidents/staff/person_form.html", context)


@researcher_required
def person_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    incident = _incident_with_persons(request, reference)
    person = get_object_or_404(incident.persons, pk=pk)
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        if form.changed_data:
            with transaction.atomic():
                form.save()
                log.record(request.user, Action.UPDATE, person, form.changed_data, about=incident)
            messages.success(request, _("Changes saved."))
        return redirect("staff:incident_detail", incident.reference)
    context = {"incident": incident, "form": form, "person": person}
    return render(request, "incidents/staff/person_form.html", context)


@researcher_required
def person_delete(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    incident = _incident_with_persons(request, reference)
    person: Person = get_object_or_404(incident.persons, pk=pk)
    if request.method == "POST":
        with transaction.atomic():
            log.record(request.user, Action.DELETE, person, about=incident)
            person.delete()
        messages.success(request, _("Person record deleted."))
        return redirect("staff:incident_detail", incident.reference)
    context = {"incident": incident, "what": _("a person record")}
    return render(request, "incidents/staff/confirm_delete.html", context)
