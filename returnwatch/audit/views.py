"""Staff views of the record's integrity: evidence bundles and the change history."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from returnwatch.accounts import permissions, twofactor
from returnwatch.accounts.permissions import researcher_required
from returnwatch.incidents.models import Incident

from . import evidence, log
from .models import Entry


def _restricted_incident(request: HttpRequest, reference: str) -> Incident:
    """An incident this user may see the restricted parts of, or 404 (never say it exists)."""
    incident = (
        permissions.visible_incidents(request.user, Incident.objects.all())
        .filter(reference=reference)
        .first()
    )
    if incident is None or not permissions.can_see_restricted(request.user, incident):
        raise Http404
    return incident


@researcher_required
@never_cache
def evidence_bundle(request: HttpRequest, reference: str) -> HttpResponse:
    incident = _restricted_incident(request, reference)
    bundle = evidence.build(incident, request.user)
    log.record(request.user, "evidence_bundle", incident, note="evidence bundle downloaded")
    response = FileResponse(
        bundle,
        as_attachment=True,
        filename=f"{incident.reference}-evidence.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def visible_entries(request: HttpRequest) -> QuerySet[Entry]:
    """Admins (with a second factor) see everything, sign-ins included. Lead-organization
    staff see changes to records; partners see changes to their own organization's incidents."""
    user: Any = request.user
    qs = Entry.objects.all()
    if user.is_site_admin and twofactor.is_verified(request):
        return qs
    if permissions.is_lead(user):
        return qs.exclude(about__startswith="accounts.").exclude(about="")
    own = Incident.objects.filter(organization_id=user.organization_id).values_list("pk", flat=True)
    keys = [f"incidents.incident:{pk}" for pk in own] if user.organization_id else []
    return qs.filter(Q(about__in=keys))


@researcher_required
@never_cache
def audit_log(request: HttpRequest) -> HttpResponse:
    """The change history: who, when, what record, which fields (never values), and hashes."""
    qs = visible_entries(request)
    reference = request.GET.get("incident", "").strip()
    incident = None
    if reference:
        incident = _restricted_incident(request, reference)
        qs = qs.filter(about=log.key(incident))
    page = Paginator(qs.order_by("-seq"), 100).get_page(request.GET.get("page"))
    response = render(
        request, "audit/log.html", {"page": page, "incident": incident, "reference": reference}
    )
    response["Cache-Control"] = "private, no-store"
    return response
