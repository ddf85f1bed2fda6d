"""Signed receipts for tips: /report/receipt/ (download), /report/verify/ (check one) and
/report/verify/public-key.pem (the server's public key, at a stable address).

Kept apart from views.py (the tip form): these views only read a tip by its receipt code and
never show anything of what was sent. Checking a receipt uses no database at all.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import receipts
from .privacy import allow
from .submissions import find_tip
from .views import FORM_LANGUAGES

MAX_CHECK_FILES = 20


def _offer_all_languages(request: HttpRequest) -> None:
    request.page_languages = FORM_LANGUAGES  # type: ignore[attr-defined]  # ours, read by the templates


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
    return response


class DownloadForm(forms.Form):
    code = forms.CharField(max_length=64)
    output = forms.ChoiceField(choices=[("pdf", "PDF"), ("txt", "Text")], required=False)
    note = forms.CharField(
        label=_("A note of your own to put in the receipt (optional)"),
        help_text=_("For example “my message about 3 March”. Do not write names or places."),
        max_length=receipts.NOTE_MAX,
        required=False,
    )


@require_POST
@sensitive_post_parameters()
def download(request: HttpRequest) -> HttpResponse:
    """The signed receipt of the tip with this code, as PDF or text."""
    _offer_all_languages(request)
    form = DownloadForm(request.POST)
    tip = None
    if form.is_valid() and allow(request, "code", settings.TIP_RATE_LIMIT_PER_HOUR * 3):
        tip = find_tip(form.cleaned_data["code"])
    if tip is None:
        # One answer for a wrong code, a malformed request and too many attempts.
        return _private(render(request, "intake/receipt_missing.html", status=404))
    receipt = receipts.for_tip(tip, form.cleaned_data["code"], form.cleaned_data["note"])
    stamp = receipt.received.strftime("%Y-%m-%d")
    if form.cleaned_data["output"] == "txt":
        response = HttpResponse(receipts.to_text(receipt), content_type="text/plain; charset=utf-8")
        name = f"returnwatch-receipt-{stamp}.txt"
    else:
        response = HttpResponse(receipts.to_pdf(receipt), content_type="application/pdf")
        name = f"returnwatch-receipt-{stamp}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return _private(response)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class VerifyForm(forms.Form):
    receipt_text = forms.CharField(
        label=_("Paste the receipt text"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        required=False,
        max_length=20_000,
    )
    receipt_file = forms.FileField(
        label=_("Or choose the receipt file (PDF or .txt)"), required=False
    )
    sent_text = forms.CharField(
        label=_("Optional: the text you sent, to check it is the one in the receipt"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=200_000,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("receipt_text") and not data.get("receipt_file"):
            raise forms.ValidationError(_("Paste a receipt or choose a receipt file."))
        return data


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters()
def verify(request: HttpRequest) -> HttpResponse:
    """Check a receipt's signature (and, if given, a text and files against it)."""
    _offer_all_languages(request)
    context: dict[str, Any] = {"key_id": receipts.key_id(receipts.public_key())}
    if request.method == "GET":
        context["form"] = VerifyForm()
        return _private(render(request, "intake/verify.html", context))
    form = VerifyForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return _private(render(request, "intake/verify.html", context, status=400))
    upload = form.cleaned_data.get("receipt_file")
    try:
        if upload:
            receipt = receipts.read(upload.read(2_000_000))
        else:
            receipt = receipts.parse(form.cleaned_data["receipt_text"])
    except receipts.ReceiptError:
        context["unreadable"] = True
        return _private(render(request, "intake/verify.html", context, status=400))
    checked = [
        receipts.file_digest(f) for f in request.FILES.getlist("sent_files")[:MAX_CHECK_FILES]
    ]
    context.update(
        result=receipts.verify(receipt),
        matches=receipts.matches(receipt, form.cleaned_data.get("sent_text"), checked),
    )
    return _private(render(request, "intake/verify.html", context))


@require_GET
def public_key(request: HttpRequest) -> HttpResponse:
    """The public key receipts are signed with, as PEM (and its id in a header)."""
    key = receipts.public_key()
    response = HttpResponse(receipts.public_key_pem(key), content_type="text/plain; charset=utf-8")
    response["X-Receipt-Key-Id"] = receipts.key_id(key)
    patch_cache_control(response, public=True, max_age=3600)
    return response
