"""Admins keep the complaint offices' contact details and the legal service list current."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import LegalService, LegalServiceLanguage, Office

DESCRIPTIONS = (
    "description_en",
    "description_es",
    "description_ht",
    "description_pt",
    "description_fr",
)


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "is_primary", "last_verified", "active")
    list_filter = ("active", "is_primary")
    list_editable = ("last_verified",)
    search_fields = ("name", "short_name", "email")
    fieldsets = (
        (None, {"fields": ("code", "name", "short_name", "is_primary", "position", "active")}),
        (
            _("Contact details"),
            {
                "fields": (
                    "email",
                    "email_alternative",
                    "mail_address",
                    "phone",
                    "toll_free",
                    "tty",
                    "fax",
                    "website",
                    "form_url",
                    "last_verified",
                )
            },
        ),
        (_("What it handles (shown in each language)"), {"fields": DESCRIPTIONS}),
    )


class LegalServiceForm(forms.ModelForm):
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=LegalServiceLanguage.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = LegalService
        fields = [  # noqa: RUF100 - every editable field, listed so a new one is a decision
            "name", "active", "is_demo", "last_verified", "cities", "cities_note", "languages",
            "phone", "whatsapp", "email", "website", "how_to_reach", *DESCRIPTIONS,
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["languages"] = list(self.instance.languages or [])


@admin.register(LegalService)
class LegalServiceAdmin(admin.ModelAdmin):
    form = LegalServiceForm
    list_display = ("name", "is_demo", "active", "last_verified")
    list_filter = ("active", "is_demo", "cities")
    search_fields = ("name", "email", "website")
    filter_horizontal = ("cities",)
    fieldsets = (
        (None, {"fields": ("name", "active", "is_demo", "last_verified")}),
        (_("Where and in which languages"), {"fields": ("cities", "cities_note", "languages")}),
        (
            _("How to reach them"),
            {"fields": ("phone", "whatsapp", "email", "website", "how_to_reach")},
        ),
        (_("Description (shown in each language)"), {"fields": DESCRIPTIONS}),
    )
