"""Tips in the admin: an overview only. Every change goes through the triage queue, which
writes the audit history; the admin shows no free text the submitter wrote."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from .models import Tip


@admin.register(Tip)
class TipAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "status", "language", "city", "assignee", "source", "queue")
    list_filter = ("status", "language", "source", "city")
    date_hierarchy = "created_at"
    fields = (
        "queue",
        "status",
        "submitter_role",
        "language",
        "source",
        "city",
        "date",
        "date_precision",
        "program",
        "port_of_entry",
        "fear_expressed",
        "consent_contact",
        "consent_publish",
        "consent_crcl",
        "assignee",
        "incident",
        "document",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    actions = None

    @admin.display(description="triage queue")
    def queue(self, obj: Tip) -> str:
        return format_html('<a href="{}">open</a>', reverse("staff:tip_detail", args=[obj.pk]))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
