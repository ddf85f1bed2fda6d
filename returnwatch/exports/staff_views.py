"""Workspace pages under /staff/data/: spreadsheet imports (upload, map columns, preview,
apply all or nothing). Researchers and above. API tokens are the api app's (api/staff_views.py)."""

from __future__ import annotations

import hashlib
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from returnwatch import access
from returnwatch.accounts.permissions import StaffRequest, researcher_required
from returnwatch.audit import log
from returnwatch.audit.actions import Action
from returnwatch.incidents.models import DocumentKind, Incident

from . import importer
from .models import ImportBatch, ImportMapping

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PREVIEW_ROWS = 200


# ---------------------------------------------------------------------------- import


def _kinds() -> list[tuple[str, str]]:
    return [(k.code, k.label) for k in DocumentKind.objects.all()]


def _mappings(user: Any) -> Any:
    return access.visible_import_mappings(user)


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
        cast(forms.ModelChoiceField, self.fields["mapping"]).queryset = _mappings(user)

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB: split it."))
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
            table = importer.read_table(data, upload.name)
        except importer.ImportError_ as error:
            form.add_error("file", str(error))
        else:
            columns = importer.guess_mapping(table.headers)
            options = importer.Options().as_dict()
            saved = form.cleaned_data.get("mapping")
            if saved is not None:
                columns.update({h: t for h, t in saved.columns.items() if h in columns})
                options.update(saved.options)
            digest = hashlib.sha256(data).hexdigest()
            batch = ImportBatch(
                created_by=request.user,
                filename=upload.name[:255],
                sha256=digest,
                columns=columns,
                options=options,
            )
            batch.file.save(digest, ContentFile(data), save=False)
            batch.save()
            return redirect("staff:data_import_review", batch.pk)
    recent = access.visible_imports(request.user)[:10]
    return render(request, "exports/staff/import_upload.html", {"form": form, "recent": recent})


def _mapping_form(table: importer.Table, batch: ImportBatch, data: Any = None) -> forms.Form:
    choices = [("", _("(ignore this column)"))] + [(k, str(v)) for k, v in importer.TARGETS.items()]
    fields: dict[str, forms.Field] = {}
    for i, header in enumerate(table.headers):
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
    """Map columns, see what the import would do (nothing is written), then apply it."""
    batch = get_object_or_404(access.visible_imports(request.user), pk=pk)
    if batch.state != ImportBatch.State.UPLOADED or not batch.file:
        messages.info(request, _("This import was already applied or discarded."))
        return redirect("staff:data_import")
    with batch.file.open("rb") as f:
        table = importer.read_table(f.read(), batch.filename)
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "discard":
        _close(batch, ImportBatch.State.DISCARDED)
        messages.success(request, _("The upload was discarded and its file deleted."))
        return redirect("staff:data_import")
    form = _mapping_form(table, batch, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        batch.columns = {h: form.cleaned_data[f"col_{i}"] for i, h in enumerate(table.headers)}
        batch.options = {
            "date_order": form.cleaned_data["date_order"],
            "document_kind": form.cleaned_data["document_kind"],
        }
        batch.save(update_fields=["columns", "options"])
        if form.cleaned_data["save_as"]:
            _save_mapping(request, form.cleaned_data["save_as"], batch)
    options = importer.Options.from_dict(batch.options)
    report = importer.plan(table, batch.columns, request.user, options)
    batch.summary = report.summary()
    batch.save(update_fields=["summary"])
    if request.method == "POST" and action == "apply" and form.is_valid():
        if report.ok:
            importer.apply(report, request.user, options, note=f"import {batch.filename}"[:500])
            batch.summary = report.summary()
            _close(batch, ImportBatch.State.APPLIED)
            messages.success(
                request,
                _(
                    "Imported: %(create)s created as drafts, %(update)s updated, %(unchanged)s unchanged."
                )
                % report.summary(),
            )
            return redirect("staff:data_import")
        messages.error(request, _("Nothing was imported: fix the bad rows first."))
    context = {
        "batch": batch,
        "form": form,
        "report": report,
        "errors": report.errors[: importer.MAX_ERRORS_SHOWN],
        "more_errors": max(0, len(report.errors) - importer.MAX_ERRORS_SHOWN),
        "plans": report.plans[:PREVIEW_ROWS],
        "more_plans": max(0, len(report.plans) - PREVIEW_ROWS),
        "samples": _samples(table),
    }
    return render(request, "exports/staff/import_review.html", context)


def _samples(table: importer.Table) -> list[tuple[int, str, str]]:
    """(index, header, first non-empty value) to help map each column."""
    out = []
    for i, header in enumerate(table.headers):
        value = next((r[i] for _n, r in table.rows[:50] if r[i] not in (None, "")), "")
        out.append((i, header, str(value)[:60]))
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


def _close(batch: ImportBatch, state: str) -> None:
    # The spreadsheet may hold restricted text: it is not kept once it has served.
    if batch.file:
        batch.file.delete(save=False)
    batch.state = state
    batch.applied_at = timezone.now() if state == ImportBatch.State.APPLIED else None
    batch.save()
