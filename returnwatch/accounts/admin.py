from typing import Any

from axes.models import AccessAttempt
from axes.utils import reset
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from returnwatch.audit.actions import Action
from returnwatch.audit.log import record

from . import twofactor
from .models import Organization, User


@admin.register(User)
class ReturnWatchUserAdmin(UserAdmin):
    list_display = (
        "username",
        "email",
        "role",
        "organization",
        "is_active",
        "two_factor",
        "locked",
    )
    list_filter = ("role", "organization", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("ReturnWatch", {"fields": ("role", "organization")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("ReturnWatch", {"fields": ("role", "organization")}),
    )
    actions = ["unlock", "reset_two_factor"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).select_related("organization")

    @admin.display(boolean=True, description=_("two-factor"))
    def two_factor(self, obj: User) -> bool:
        return twofactor.has_device(obj)

    @admin.display(boolean=True, description=_("locked out"))
    def locked(self, obj: User) -> bool:
        """Locked when failed sign-ins reached the limit (django-axes; by username only)."""
        failures = AccessAttempt.objects.filter(username=obj.username).aggregate(
            n=Sum("failures_since_start")
        )["n"]
        return (failures or 0) >= settings.AXES_FAILURE_LIMIT

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        obj._audit_actor = request.user  # type: ignore[attr-defined]  # read by the audit signal
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Unlock: forget failed sign-ins"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            if reset(username=user.username):
                record(request.user, Action.ACCOUNT_UNLOCKED, user)
        messages.success(request, _("Unlocked."))

    @admin.action(description=_("Reset two-factor (lost phone): the user sets it up again"))
    def reset_two_factor(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            twofactor.remove_devices(user)
            record(request.user, Action.TWO_FACTOR_RESET, user)
        messages.success(request, _("Two-factor sign-in reset."))


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "is_lead")
