from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class FollowForm(forms.Form):
    email = forms.EmailField(
        label=_("Your e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "size": 32}),
    )


class SaveSearchForm(forms.Form):
    name = forms.CharField(label=_("Name of this search"), max_length=120)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
