"""Staff views of the record's integrity: evidence bundles and the change history."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode

from returnwatch import access
from returnwatch.accounts.permissions import researcher_required
from returnwatch.incidents.models import Incident

from . import actions, evidence, log
from .actions import Action
from .models import Entry


def _restricted_incident(request: HttpRequest, reference: str) -> Incident:
    """An incident this user may see the restricted parts of, or 404 (never say it exists)."""
    incident = access.restricted_incidents(request.user).filter(reference=reference).first()
    if incident is None:
        raise Http404
    return incident


@researcher_required
def evidence_bundle(request: HttpRequest, reference: str) -> FileResponse:
    incident = _restricted_incident(request, reference)
    bundle = evidence.build(incident, request.user)
    log.record(request.user, Action.EVIDENCE_BUNDLE, incident, note="evidence bundle downloaded")
    return FileResponse(
        bundle,
        as_attachment=True,
        filename=f"{incident.reference}-evidence.zip",
        content_type="application/zip",
    )


def visible_entries(request: HttpRequest) -> QuerySet[Entry]:
    return access.visible_audit_entries(request.user, access.verified(request))


@researcher_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The change history: who, when, what record, which fields (never values), and hashes."""
    qs = visible_entries(request)
    reference = request.GET.get("incident", "").strip()
    incident = None
    if reference:
        incident = _restricted_incident(request, reference)
        qs = qs.filter(about=log.key(incident))
    action = request.GET.get("action", "")
    if action in Action.values:
        qs = qs.filter(action__in=actions.stored_values(action))
    else:
        action = ""
    page = Paginator(qs.order_by("-seq"), 100).get_page(request.GET.get("page"))
    query = {k: v for k, v in (("incident", reference), ("action", action)) if v}
    return render(
        request,
        "audit/log.html",
        {
            "page": page,
            "incident": incident,
            "reference": reference,
            "action": action,
            "actions": Action.choices,
            "query": urlencode(query),
        },
    )
