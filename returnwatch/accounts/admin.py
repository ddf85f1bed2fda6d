from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Organization, User


@admin.register(User)
class ReturnWatchUserAdmin(UserAdmin):
    list_display = ("username", "email", "role", "organization", "is_active")
    list_filter = ("role", "organization", "is_active")
    fieldsets = (*UserAdmin.fieldsets, ("ReturnWatch", {"fields": ("role", "organization")}))
    add_fieldsets = (*UserAdmin.add_fieldsets, ("ReturnWatch", {"fields": ("role", "organization")}))


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "is_lead")
