"""The change history in the admin: readable, never editable."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ("seq", "created_at", "actor_name", "action", "target_type", "target_label")
    list_filter = ("action", "target_type")
    search_fields = ("actor_name", "target_label", "about")
    readonly_fields = [f.name for f in Entry._meta.fields]
    date_hierarchy = "created_at"
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
