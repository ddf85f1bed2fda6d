"""An import's background job: the staff pages queue it, the huey worker runs it (tasks.py).

- `queue(batch, job)` moves an open import to "queued" with one conditional UPDATE and queues
  the task once the request commits: a reload, a double click or a second tab finds the
  import queued already and queues nothing (`AlreadyQueued`).
- `run(pk)` is the worker's part: it takes the import from "queued" to "running" (again
  conditionally, so a task delivered twice runs once), reads the file, checks every row
  (`importer.plan`) and, for the job "apply", writes the plan in one transaction
  (`importer.apply`): every row or none. How far it has come is in progress.py; what it found
  (bad rows, what it would do or did) is stored on the import at the end.
- A failure rolls the transaction back, so nothing of the import is written; the import is
  "failed" with the reason, its file kept, and it may be run again or discarded.

The worker acts as the import's uploader, and sees and changes only what they may
(access.py, through the importer).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from returnwatch import taskqueue

from . import importer, progress
from .models import ImportBatch

logger = logging.getLogger(__name__)
PREVIEW_ROWS = 200
OPEN = (ImportBatch.State.UPLOADED, ImportBatch.State.FAILED)


class AlreadyQueued(Exception):
    """The import is queued, running, applied or discarded: nothing more was queued."""


def queue(batch: ImportBatch, job: str) -> None:
    taken = ImportBatch.objects.filter(pk=batch.pk, state__in=OPEN).exclude(file="")
    if not taken.update(state=ImportBatch.State.QUEUED, job=job, error=""):
        raise AlreadyQueued
    batch.state, batch.job, batch.error = ImportBatch.State.QUEUED, job, ""
    progress.report(batch.pk, "queued", 0, 0)
    from .tasks import run_import

    taskqueue.enqueue_on_commit(run_import, batch.pk)


def run(pk: int) -> None:
    """The worker's part (see the module's docstring)."""
    started = _steady(
        lambda: ImportBatch.objects.filter(pk=pk, state=ImportBatch.State.QUEUED).update(
            state=ImportBatch.State.RUNNING, started_at=timezone.now(), finished_at=None
        )
    )
    if not started:
        return  # already taken by another worker, or discarded meanwhile
    batch = ImportBatch.objects.select_related("created_by").get(pk=pk)
    try:
        _run(batch)
    except Exception as error:
        logger.exception("import %s failed", pk)
        reason = _describe(error)
        _steady(lambda: _finish(batch, ImportBatch.State.FAILED, error=reason))
    finally:
        progress.clear(pk)


_steady = taskqueue.steady


def _run(batch: ImportBatch) -> None:
    user = batch.created_by
    progress.report(batch.pk, "reading", 0, 0)
    with batch.file.open("rb") as f:
        table = importer.read_table(f.read(), batch.filename)
    total = len(table.rows)
    options = importer.Options.from_dict(batch.options)
    progress.report(batch.pk, "checking", 0, total)
    report = importer.plan(
        table,
        batch.columns,
        user,
        options,
        progress=lambda n: progress.report(batch.pk, "checking", n, total),
    )
    batch.summary = report.summary()
    batch.report = _stored(report)
    if batch.job != ImportBatch.Job.APPLY:
        _steady(lambda: _finish(batch, ImportBatch.State.UPLOADED))
        return
    if not report.ok:
        _finish(
            batch,
            ImportBatch.State.UPLOADED,
            error=_("Nothing was imported: fix the bad rows first."),
        )
        return
    progress.report(batch.pk, "writing", report.unchanged, total)
    importer.apply(
        report,
        user,
        options,
        note=f"import {batch.filename}"[:500],
        progress=lambda n: progress.report(batch.pk, "writing", n, total),
    )
    batch.summary = report.summary()
    batch.report = _stored(report)
    _steady(lambda: _finish(batch, ImportBatch.State.APPLIED))


def _stored(report: importer.Report) -> dict[str, Any]:
    """What the pages show of a check: problems, the first bad rows, the first good rows."""
    return {
        "problems": [str(p) for p in report.problems],
        "errors": [
            {"row": e.row, "column": e.column, "message": e.message}
            for e in report.errors[: importer.MAX_ERRORS_SHOWN]
        ],
        "more_errors": max(0, len(report.errors) - importer.MAX_ERRORS_SHOWN),
        "plans": [
            {
                "row": p.row,
                "action": p.action,
                "reference": p.reference,
                "title": str(p.values.get("title") or ""),
                "changed": p.changed,
            }
            for p in report.plans[:PREVIEW_ROWS]
        ],
        "good_rows": len(report.plans),
        "applied": report.applied,
    }


def _describe(error: Exception) -> str:
    if isinstance(error, importer.ImportError_ | importer.NotApplied | PermissionDenied):
        message = str(error)
    else:
        message = _("The worker stopped with an error (%(kind)s).") % {"kind": type(error).__name__}
    return _("Nothing was imported: %(reason)s") % {"reason": message}


def _finish(batch: ImportBatch, state: str, error: str = "") -> None:
    with transaction.atomic():
        batch.state = state
        batch.error = error
        batch.finished_at = timezone.now()
        fields = ["state", "error", "finished_at", "summary", "report"]
        if state == ImportBatch.State.APPLIED:
            # The spreadsheet may hold restricted text: it is not kept once it has served.
            batch.file.delete(save=False)
            batch.applied_at = timezone.now()
            fields += ["file", "applied_at"]
        batch.save(update_fields=fields)


STALE_SECONDS = 30 * 60  # a running job reports at least every few thousand rows


def recover(batch: ImportBatch) -> None:
    """A job whose worker was stopped half-way (killed, machine restarted) reports nothing
    more: after STALE_SECONDS it is failed, so it may be run again or discarded. Its
    transaction died with the worker, so nothing of it was written."""
    if batch.state != ImportBatch.State.RUNNING:
        return
    live = progress.read(batch.pk)
    last = (live or {}).get("at") or (batch.started_at.timestamp() if batch.started_at else 0)
    if time.time() - float(last) < STALE_SECONDS:
        return
    reason = _("Nothing was imported: %(reason)s") % {
        "reason": _("the worker stopped before the end.")
    }
    if ImportBatch.objects.filter(pk=batch.pk, state=ImportBatch.State.RUNNING).update(
        state=ImportBatch.State.FAILED, error=reason, finished_at=timezone.now()
    ):
        progress.clear(batch.pk)
        batch.refresh_from_db()


def discard(batch: ImportBatch) -> bool:
    """Close an open import and delete its file; False when it is queued or done."""
    if not ImportBatch.objects.filter(pk=batch.pk, state__in=OPEN).update(
        state=ImportBatch.State.DISCARDED
    ):
        return False
    if batch.file:
        batch.file.delete(save=False)
    ImportBatch.objects.filter(pk=batch.pk).update(file="", applied_at=None)
    batch.refresh_from_db()
    return True
