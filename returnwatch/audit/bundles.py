"""An incident's evidence bundle, prepared on the background worker (tasks.py) for one
researcher, as imports are (imports/jobs.py):

- `request(incident, user)` makes a job row and queues the task once the request commits;
  while one is queued or running for that user and incident, it is returned instead (a
  double click or a reload queues nothing twice; a unique constraint backs this up).
- `run(pk)` is the worker's part: queued → running (conditionally, so a task delivered twice
  runs once), then `evidence.build(incident, requester)` — the requester's bundle, with the
  files they may download — stored in default_storage under MEDIA_ROOT (never served: it
  leaves only through the download view), with its size and SHA-256. How far it has come
  (documents added of all) is in the shared job progress (taskqueue.Progress).
- A failure leaves the job "failed" with the reason; the researcher may prepare it again.

The worker acts as the requester and reads through access.py (the incident's restricted
parts must still be theirs to read; evidence.build reads the documents through it).
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from returnwatch import access, taskqueue
from returnwatch.incidents.models import Incident

from . import evidence
from .models import BundleJob

logger = logging.getLogger(__name__)
PROGRESS = taskqueue.Progress("audit:bundle:{pk}")
STALE_SECONDS = 30 * 60
CHUNK = 1024 * 1024


def request(incident: Incident, user: Any) -> tuple[BundleJob, bool]:
    """The job under way for this user and incident, or a new queued one; True if new."""
    under_way = BundleJob.objects.filter(
        incident=incident, requested_by=user, status__in=BundleJob.BUSY
    )
    for job in under_way[:1]:
        recover(job)
        if job.busy:
            return job, False
    try:
        with transaction.atomic():
            job = BundleJob.objects.create(incident=incident, requested_by=user)
    except IntegrityError:  # a second click in the same instant
        return under_way.get(), False
    PROGRESS.report(job.pk, "queued", 0, 0)
    # One stored bundle per researcher and incident: the older zips are deleted.
    for old in BundleJob.objects.filter(incident=incident, requested_by=user).exclude(pk=job.pk):
        if old.file:
            old.file.delete(save=False)
            BundleJob.objects.filter(pk=old.pk).update(file="")
    from .tasks import build_bundle

    taskqueue.enqueue_on_commit(build_bundle, job.pk)
    return job, True


def run(pk: int) -> None:
    """The worker's part (see the module's docstring)."""
    started = taskqueue.steady(
        lambda: BundleJob.objects.filter(pk=pk, status=BundleJob.Status.QUEUED).update(
            status=BundleJob.Status.RUNNING, started_at=timezone.now()
        )
    )
    if not started:
        return
    job = BundleJob.objects.select_related("incident", "requested_by").get(pk=pk)
    try:
        _run(job)
    except Exception as error:
        logger.exception("evidence bundle %s failed", pk)
        reason = _("The worker stopped with an error (%(kind)s).") % {"kind": type(error).__name__}
        taskqueue.steady(lambda: _fail(job, reason))
    finally:
        PROGRESS.clear(pk)


def _run(job: BundleJob) -> None:
    user = job.requested_by
    if not user.is_active or not allowed(job):
        taskqueue.steady(
            lambda: _fail(job, _("You may no longer read this incident's restricted parts."))
        )
        return

    def told(done: int, total: int) -> None:
        PROGRESS.report(job.pk, "adding", done, total)
        job.files_total = total

    bundle = evidence.build(job.incident, user, progress=told)
    digest = hashlib.sha256()
    size = 0
    while chunk := bundle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    bundle.seek(0)
    job.file.save(f"{job.pk}.zip", File(bundle), save=False)
    job.size, job.sha256 = size, digest.hexdigest()
    job.status, job.finished_at, job.error = BundleJob.Status.DONE, timezone.now(), ""
    fields = ["file", "size", "sha256", "files_total", "status", "finished_at", "error"]
    taskqueue.steady(lambda: job.save(update_fields=fields))


def _fail(job: BundleJob, reason: str) -> None:
    job.status, job.error, job.finished_at = BundleJob.Status.FAILED, reason[:500], timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "files_total"])


def allowed(job: BundleJob) -> bool:
    """May the requester still read the incident's restricted parts (access.py)?"""
    return access.restricted_incidents(job.requested_by).filter(pk=job.incident_id).exists()


def recover(job: BundleJob) -> None:
    """A running job whose worker was stopped half-way reports nothing more: after
    STALE_SECONDS it is failed, so it may be prepared again."""
    if job.status != BundleJob.Status.RUNNING:
        return
    live = PROGRESS.read(job.pk)
    last = (live or {}).get("at") or (job.started_at.timestamp() if job.started_at else 0)
    if time.time() - float(last) < STALE_SECONDS:
        return
    reason = _("The worker stopped before the end.")
    if BundleJob.objects.filter(pk=job.pk, status=BundleJob.Status.RUNNING).update(
        status=BundleJob.Status.FAILED, error=reason, finished_at=timezone.now()
    ):
        PROGRESS.clear(job.pk)
        job.refresh_from_db()


def progress(job: BundleJob) -> dict[str, Any]:
    """What the page's progress bar shows: state, documents added of all, percent, label."""
    live = PROGRESS.read(job.pk) if job.busy else None
    phase = (live or {}).get("phase") or job.status
    done, total = int((live or {}).get("done") or 0), int((live or {}).get("total") or 0)
    if job.status == BundleJob.Status.DONE:
        phase, done, total = "done", job.files_total, job.files_total
    elif job.status == BundleJob.Status.FAILED:
        phase = "failed"
    percent = 100 if phase == "done" else (100 * done // total if total else 0)
    labels = {
        "queued": _("Waiting for the worker…"),
        "running": _("Starting…"),
        "adding": _("Adding files: %(done)s of %(total)s documents"),
        "done": ngettext("Ready: %(total)s document.", "Ready: %(total)s documents.", total),
        "failed": _("Failed."),
    }
    label = str(labels.get(phase, "")) % {"done": f"{done:,}", "total": f"{total:,}"}
    return {
        "state": job.status,
        "phase": phase,
        "done": done,
        "total": total,
        "percent": percent,
        "label": label,
        "busy": job.busy,
    }
