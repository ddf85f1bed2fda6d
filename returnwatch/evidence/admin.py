from django.contrib import admin

from .models import BlockedHost


@admin.register(BlockedHost)
class BlockedHostAdmin(admin.ModelAdmin):
    list_display = ["host", "note"]
    search_fields = ["host"]
