"""Workspace pages for spreadsheet imports under /staff/data/import/: upload, map columns, see
the check, import all or nothing. Checking and importing run on the background worker
(jobs.py); the import's page shows its progress, also after leaving it and coming back.
Researchers and above; an import is only its uploader's (access.visible_imports)."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from returnwatch import access
from returnwatch.accounts.permissions import StaffRequest, researcher_required
from returnwatch.audit import log
from returnwatch.audit.actions import Action
from returnwatch.incidents.models import DocumentKind, Incident

from . import importer, jobs, progress
from .models import ImportBatch, ImportMapping

SAMPLE_ROWS = 50


def max_upload_bytes() -> int:
    return int(settings.IMPORT_MAX_BYTES)


def _kinds() -> list[tuple[str, str]]:
    return [(k.code, k.label) for k in DocumentKind.objects.all()]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy(
            "CSV or XLSX with a header row. Several values in one cell are separated by “;”."
        ),
    )
    mapping = forms.ModelChoiceField(
        label=gettext_lazy("Saved column mapping"),
        queryset=ImportMapping.objects.none(),
        required=False,
        empty_label=gettext_lazy("Guess from the column names"),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = access.visible_import_mappings(user)  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > max_upload_bytes():
            raise forms.ValidationError(
                _("The file is larger than %(size)s: split it.")
                % {"size": filesizeformat(max_upload_bytes())}
            )
        if not f.name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm", ".tsv")):
            raise forms.ValidationError(_("Send a .csv or .xlsx file."))
        return f


@researcher_required
def import_upload(request: StaffRequest) -> HttpResponse:
    if not access.can(request, "create", Incident):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            # Only the header and the first rows here; the worker reads the rest.
            head = importer.read_table(data, upload.name, head=SAMPLE_ROWS)
        except importer.ImportError_ as error:
            form.add_error("file", str(error))
        else:
            columns = importer.guess_mapping(head.headers)
            options = importer.Options().as_dict()
            saved = form.cleaned_data.get("mapping")
            if saved is not None:
                columns.update({h: t for h, t in saved.columns.items() if h in columns})
                options.update(saved.options)
            digest = hashlib.sha256(data).hexdigest()
            with transaction.atomic():
                batch = ImportBatch(
                    created_by=request.user,
                    filename=upload.name[:255],
                    sha256=digest,
                    columns=columns,
                    options=options,
                    samples=_samples(head),
                )
                batch.file.save(digest, ContentFile(data), save=False)
                batch.save()
                jobs.queue(batch, ImportBatch.Job.CHECK)
            return redirect("staff:data_import_review", batch.pk)
    recent = access.visible_imports(request.user)[:10]
    context = {"form": form, "recent": recent, "max_size": filesizeformat(max_upload_bytes())}
    return render(request, "imports/staff/import_upload.html", context)


def _mapping_form(batch: ImportBatch, data: Any = None) -> forms.Form:
    choices = [("", _("(ignore this column)"))] + [(k, str(v)) for k, v in importer.TARGETS.items()]
    fields: dict[str, forms.Field] = {}
    for i, header in enumerate(batch.headers()):
        fields[f"col_{i}"] = forms.ChoiceField(
            label=header, choices=choices, required=False, initial=batch.columns.get(header, "")
        )
    fields["date_order"] = forms.ChoiceField(
        label=_("Dates like 03/10/2019 are"),
        choices=[
            ("dmy", _("day/month/year (3 October 2019)")),
            ("mdy", _("month/day/year (10 March 2019)")),
        ],
        initial=batch.options.get("date_order", "dmy"),
        widget=forms.RadioSelect,
    )
    fields["document_kind"] = forms.ChoiceField(
        label=_("Kind of the documents made from source addresses"),
        choices=_kinds(),
        initial=batch.options.get("document_kind", "news"),
    )
    fields["save_as"] = forms.CharField(
        label=_("Save this mapping as"),
        required=False,
        max_length=100,
        help_text=_("Give it a name to reuse it with the next file."),
    )
    form_class = type("MappingForm", (forms.Form,), fields)
    return form_class(data)


@researcher_required
def import_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The import's page: its progress while the worker has it; then the check (what would be
    created, updated, every bad row) with the column mapping; at the end, what was done."""
    batch = get_object_or_404(access.visible_imports(request.user), pk=pk)
    jobs.recover(batch)
    if request.method == "POST":
        return _act(request, batch)
    return _page(request, batch, _mapping_form(batch))


def _act(request: HttpRequest, batch: ImportBatch) -> HttpResponse:
    action = request.POST.get("action", "")
    if not batch.open:
        # A reload or a second click of a form already sent: nothing is done twice.
        if batch.busy:
            messages.info(request, _("This import is already under way: its progress is below."))
        else:
            messages.info(request, _("This import was already applied or discarded."))
        return redirect("staff:data_import_review", batch.pk)
    if action == "discard":
        if jobs.discard(batch):
            messages.success(request, _("The upload was discarded and its file deleted."))
        return redirect("staff:data_import")
    form = _mapping_form(batch, request.POST)
    if not form.is_valid():
        return _page(request, batch, form)
    columns = {h: form.cleaned_data[f"col_{i}"] for i, h in enumerate(batch.headers())}
    options = {
        "date_order": form.cleaned_data["date_order"],
        "document_kind": form.cleaned_data["document_kind"],
    }
    changed = columns != batch.columns or options != batch.options
    batch.columns, batch.options = columns, options
    batch.save(update_fields=["columns", "options"])
    if form.cleaned_data["save_as"]:
        _save_mapping(request, form.cleaned_data["save_as"], batch)
    if action == "apply" and not changed and batch.checked and not batch.ok:
        messages.error(request, _("Nothing was imported: fix the bad rows first."))
        return _page(request, batch, form)
    job = ImportBatch.Job.APPLY if action == "apply" else ImportBatch.Job.CHECK
    try:
        with transaction.atomic():
            jobs.queue(batch, job)
    except jobs.AlreadyQueued:
        messages.info(request, _("This import is already under way: its progress is below."))
    return redirect("staff:data_import_review", batch.pk)


def _page(request: HttpRequest, batch: ImportBatch, form: forms.Form) -> HttpResponse:
    report = batch.report or {}
    context = {
        "batch": batch,
        "form": form,
        "report": report,
        "summary": batch.summary,
        "progress": _progress(batch),
        "samples": {header: value for header, value in batch.samples},
    }
    return render(request, "imports/staff/import_review.html", context)


def _progress(batch: ImportBatch) -> dict[str, Any]:
    """What the progress bar shows: the state, the phase, rows done of the total, percent."""
    live = progress.read(batch.pk) if batch.busy else None
    phase = (live or {}).get("phase") or ("queued" if batch.busy else "")
    done, total = int((live or {}).get("done") or 0), int((live or {}).get("total") or 0)
    if batch.state == ImportBatch.State.APPLIED:
        phase, done = "done", int(batch.summary.get("rows", 0))
        total = done
    elif batch.state in (ImportBatch.State.UPLOADED, ImportBatch.State.FAILED) and batch.checked:
        phase = "checked" if batch.state == ImportBatch.State.UPLOADED else "failed"
        done = total = int(batch.summary.get("rows", 0))
    # Checking is the first half of an import's bar, writing the second.
    if batch.job == ImportBatch.Job.APPLY:
        share = {"checking": (0, 50), "writing": (50, 50), "done": (0, 100)}.get(phase, (0, 0))
    else:
        share = {"checking": (0, 100), "checked": (0, 100)}.get(phase, (0, 0))
    percent = share[0] + (share[1] * done // total if total else 0)
    if phase in ("done", "checked"):
        percent = 100
    labels = {
        "queued": _("Waiting for the worker…"),
        "reading": _("Reading the file…"),
        "checking": _("Checking rows: %(done)s of %(total)s"),
        "writing": _("Writing rows: %(done)s of %(total)s"),
        "checked": _("Checked: %(total)s rows."),
        "done": _("Done: %(total)s rows imported."),
        "failed": _("Failed."),
    }
    label = str(labels.get(phase, "")) % {"done": f"{done:,}", "total": f"{total:,}"}
    return {
        "state": batch.state,
        "job": batch.job,
        "phase": phase,
        "done": done,
        "total": total,
        "percent": percent,
        "label": label,
        "busy": batch.busy,
    }


@researcher_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress of one import as JSON, for the page's small script (polled)."""
    batch = get_object_or_404(access.visible_imports(request.user), pk=pk)
    return JsonResponse(_progress(batch))


def _samples(table: importer.Table) -> list[tuple[str, str]]:
    """(header, first non-empty value) to help map each column."""
    out = []
    for i, header in enumerate(table.headers):
        value = next((r[i] for _n, r in table.rows[:SAMPLE_ROWS] if r[i] not in (None, "")), "")
        out.append((header, str(value)[:60]))
    return out


def _save_mapping(request: HttpRequest, name: str, batch: ImportBatch) -> None:
    user: Any = request.user
    with transaction.atomic():
        mapping, created = ImportMapping.objects.update_or_create(
            organization=user.organization,
            name=name,
            defaults={"columns": batch.columns, "options": batch.options, "created_by": user},
        )
        log.record(
            user, Action.CREATE if created else Action.UPDATE, mapping, ["columns", "options"]
        )
    messages.success(request, _("Mapping “%(name)s” saved.") % {"name": name})
