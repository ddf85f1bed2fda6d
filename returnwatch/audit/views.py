"""Staff views of the record's integrity: evidence bundles and the change history."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from returnwatch import access
from returnwatch.accounts.permissions import researcher_required
from returnwatch.incidents.models import Incident

from . import actions, bundles, log
from .actions import Action
from .models import BundleJob, Entry


def _restricted_incident(request: HttpRequest, reference: str) -> Incident:
    """An incident this user may see the restricted parts of, or 404 (never say it exists)."""
    incident = access.restricted_incidents(request.user).filter(reference=reference).first()
    if incident is None:
        raise Http404
    return incident


@researcher_required
def evidence_bundle(request: HttpRequest, reference: str) -> HttpResponse:
    """The old address of the bundle: bundles are now prepared on the worker, so it leads to
    the incident's bundle page (its latest bundle, or the button that prepares one)."""
    incident = _restricted_incident(request, reference)
    return redirect("staff:evidence_bundles", incident.reference)


def _jobs(request: HttpRequest, incident: Incident) -> QuerySet[BundleJob]:
    """The bundles of this incident that this user asked for (nobody else's)."""
    user: Any = request.user  # a signed-in researcher (researcher_required)
    return BundleJob.objects.filter(incident=incident, requested_by=user)


@researcher_required
def evidence_bundles(request: HttpRequest, reference: str) -> HttpResponse:
    """GET: the latest bundle of this incident for this user, or the Prepare button; POST:
    prepare one on the worker (none is queued twice while one is under way)."""
    incident = _restricted_incident(request, reference)
    if request.method == "POST":
        job, new = bundles.request(incident, request.user)
        if not new:
            messages.info(
                request, _("This bundle is already being prepared: its progress is below.")
            )
        return redirect("staff:evidence_bundle_job", incident.reference, job.pk)
    latest = _jobs(request, incident).first()
    if latest is not None:
        return redirect("staff:evidence_bundle_job", incident.reference, latest.pk)
    return render(request, "audit/bundle.html", {"incident": incident, "job": None})


def _job(request: HttpRequest, reference: str, pk: int) -> BundleJob:
    incident = _restricted_incident(request, reference)
    return get_object_or_404(_jobs(request, incident).select_related("incident"), pk=pk)


@researcher_required
def evidence_bundle_job(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """One bundle's page: its progress while the worker has it; then Download, or why not."""
    job = _job(request, reference, pk)
    bundles.recover(job)
    context = {"incident": job.incident, "job": job, "progress": bundles.progress(job)}
    return render(request, "audit/bundle.html", context)


@researcher_required
def evidence_bundle_progress(request: HttpRequest, reference: str, pk: int) -> JsonResponse:
    """The progress of one bundle as JSON, for the page's small script (polled)."""
    return JsonResponse(bundles.progress(_job(request, reference, pk)))


@researcher_required
def evidence_bundle_download(request: HttpRequest, reference: str, pk: int) -> FileResponse:
    """The prepared zip: only its requester, only while they may read the incident's
    restricted parts (_restricted_incident); each download is recorded."""
    job = _job(request, reference, pk)
    if job.status != BundleJob.Status.DONE or not job.file:
        raise Http404
    incident = job.incident
    log.record(request.user, Action.EVIDENCE_BUNDLE, incident, note="evidence bundle downloaded")
    return FileResponse(
        job.file.open("rb"),
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
            "latest_bundle": _jobs(request, incident).first() if incident else None,
        },
    )
