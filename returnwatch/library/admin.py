from typing import Any

from django.contrib import admin

from returnwatch.audit.actions import Action
from returnwatch.audit.log import record

from .models import KeyFiling, LawsuitStatusChange, LibraryItem


class StatusChangeInline(admin.TabularInline):
    model = LawsuitStatusChange
    extra = 0
    fields = ["date", "status", "note", "note_es"]


class KeyFilingInline(admin.TabularInline):
    model = KeyFiling
    extra = 0
    raw_id_fields = ["document"]
    fields = ["document", "position"]


@admin.register(LibraryItem)
class LibraryItemAdmin(admin.ModelAdmin):
    list_display = [
        "slug",
        "kind",
        "publisher",
        "date_published",
        "lawsuit_status",
        "listed",
        "is_demo",
    ]
    list_filter = ["kind", "listed", "lawsuit_status", "is_demo"]
    search_fields = ["slug", "document__title", "title_es", "document__publisher", "docket_number"]
    raw_id_fields = ["document"]
    filter_horizontal = ["programs"]
    readonly_fields = ["is_demo", "created_by", "created_at", "updated_at"]
    inlines = [StatusChangeInline, KeyFilingInline]

    @admin.display(description="publisher", ordering="document__publisher")
    def publisher(self, obj: LibraryItem) -> str:
        return obj.document.publisher

    @admin.display(description="date", ordering="document__date_published")
    def date_published(self, obj: LibraryItem) -> object:
        return obj.document.date_published

    def save_model(self, request: Any, obj: LibraryItem, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        action = Action.LIBRARY_UPDATE if change else Action.LIBRARY_CREATE
        record(request.user, action, obj, form.changed_data, note="admin")
