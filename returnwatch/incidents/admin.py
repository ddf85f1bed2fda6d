"""Django admin for the record: vocabularies are edited here (labels in every language);
incidents and documents are mostly read here and worked on in the workspace (/staff/),
which keeps archived files and the workflow in one path. Every change is in the history.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldGroups

from returnwatch.audit import log
from returnwatch.audit.actions import Action

from .models import (
    City,
    Country,
    Document,
    DocumentKind,
    Incident,
    Perpetrator,
    PlaceType,
    PortOfEntry,
    Program,
    Tag,
    VictimGroup,
    ViolenceType,
)

LABELS = ("label_en", "label_es", "label_fr", "label_pt", "label_ht")


class AuditedAdmin(admin.ModelAdmin):
    """Admin edits go to the same hash-chained history as the workspace's."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and not form.changed_data:
            return
        action = Action.UPDATE if change else Action.CREATE
        log.record(request.user, action, obj, form.changed_data, note="admin")

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        log.record(request.user, Action.DELETE, obj, note="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            log.record(request.user, Action.DELETE, obj, note="admin")
        super().delete_queryset(request, queryset)


class TermAdmin(AuditedAdmin):
    """A vocabulary: codes are stable (addresses and data use them), labels are editable."""

    list_display: tuple[str, ...] = ("code", *LABELS, "position", "active")
    list_editable = (*LABELS, "position", "active")
    list_filter: ClassVar[tuple[str, ...]] = ("active",)
    search_fields = ("code", *LABELS)
    extra_fields: tuple[str, ...] = ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> _FieldGroups:
        return ["code", *LABELS, *self.extra_fields, "position", "active"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if getattr(obj, "search_reindex_queued", False):  # signals.term_saved
            messages.info(
                request,
                _(
                    "The search texts of the cases using “%(term)s” are being updated in "
                    "the background; until then search finds them under the old labels."
                )
                % {"term": obj.label_en},
            )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("code",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Retire a value (active = off) instead: records and links keep using its code.
        return False


@admin.register(ViolenceType)
class ViolenceTypeAdmin(TermAdmin):
    extra_fields = ("huridocs_term",)


@admin.register(Perpetrator, VictimGroup, PlaceType, PortOfEntry, Country)
class SimpleTermAdmin(TermAdmin):
    pass


@admin.register(Program)
class ProgramAdmin(TermAdmin):
    extra_fields = ("start", "end")


@admin.register(DocumentKind)
class DocumentKindAdmin(TermAdmin):
    list_display = ("code", *LABELS, "public", "position", "active")
    extra_fields = ("public",)


@admin.register(City)
class CityAdmin(TermAdmin):
    list_display = ("code", *LABELS, "state", "position", "active")
    list_filter = ("active", "state", "country")
    extra_fields = ("state", "country", "latitude", "longitude", "port_of_entry")


@admin.register(Tag)
class TagAdmin(AuditedAdmin):
    search_fields = ("name",)


@admin.register(Incident)
class IncidentAdmin(AuditedAdmin):
    """Read here; create, edit and publish in the workspace. Admins may reassign a record."""

    list_display = ("reference", "title", "status", "date", "city", "organization", "assignee")
    list_filter = ("status", "is_demo", "organization", "verification")
    search_fields = ("reference", "title")
    list_select_related = ("city", "organization", "assignee")
    date_hierarchy = "date"
    show_full_result_count = False  # no COUNT(*) over a million rows on every page
    editable = ("organization", "assignee")
    actions = None

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = [f.name for f in Incident._meta.get_fields() if f.concrete]
        return [f for f in fields if f not in self.editable]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(AuditedAdmin):
    """Metadata may be corrected here; the archived file and its hash never change."""

    list_display = ("title", "kind", "publisher", "date_published", "media_type", "size")
    list_filter = ("kind", "media_type")
    search_fields = ("title", "publisher", "url", "sha256")
    list_select_related = ("kind",)
    show_full_result_count = False
    readonly_fields = (
        "file",
        "original_filename",
        "sha256",
        "size",
        "media_type",
        "captured_at",
        "captured_by",
        "created_by",
        "created_at",
        "updated_at",
    )
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New documents come through the workspace, which hashes and checks their files.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
