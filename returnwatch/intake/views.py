"""The public tip form (/report/) and the receipt-code follow-up (/report/follow-up/).

No account, no JavaScript needed, no IP address stored or logged. Pages that show a receipt
code are never cached. Offered in all five LANGUAGES; on the bare English address a browser
that prefers another of them is sent to that language's address unless the person chose.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from .files import FileRefused, max_file_bytes, max_files, max_total_bytes
from .forms import CodeForm, FollowUpForm, TipForm
from .privacy import TipUploadLimits, allow
from .submissions import add_follow_up, create_tip, find_tip, new_receipt_code

FORM_LANGUAGES = ["en", "es", "ht", "pt", "fr"]
CHOSEN = "lang"  # ?lang=en on the bare address: an explicit choice of English


def _offer_all_languages(request: HttpRequest) -> None:
    request.page_languages = FORM_LANGUAGES  # type: ignore[attr-defined]


def _language_switch(request: HttpRequest) -> list[dict[str, Any]]:
    """The five languages; English links carry ?lang=en so choosing it is respected."""
    current = (translation.get_language() or "en")[:2]
    out = []
    for code in FORM_LANGUAGES:
        url = translate_url(request.path, code)
        if code == settings.LANGUAGE_CODE:
            url = f"{url}?{CHOSEN}={code}"
        out.append(
            {
                "code": code,
                "name": translation.get_language_info(code)["name_local"],
                "url": url,
                "current": code == current,
            }
        )
    return out


def preferred_language(request: HttpRequest) -> str | None:
    """The browser's most preferred of the five form languages, from Accept-Language."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _q in translation.trans_real.parse_accept_lang_header(header):
        base = code.split("-")[0].lower()
        if base in FORM_LANGUAGES:
            return base
    return None


def _accept_language_redirect(request: HttpRequest) -> HttpResponse | None:
    """On the bare (English) address with no explicit choice, follow the browser."""
    if request.method != "GET" or (translation.get_language() or "en")[:2] != "en":
        return None
    if CHOSEN in request.GET or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return None
    wanted = preferred_language(request)
    if wanted and wanted != "en":
        response = HttpResponseRedirect(translate_url(request.path, wanted))
        patch_vary_headers(response, ["Accept-Language", "Cookie"])
        return response
    return None


def _context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    # Links between the two pages keep an explicit English choice.
    suffix = f"?{CHOSEN}=en" if (translation.get_language() or "en")[:2] == "en" else ""
    return {
        "language_switch": _language_switch(request),
        "report_url": reverse("intake:report") + suffix,
        "follow_up_url": reverse("intake:follow_up") + suffix,
        "max_file": max_file_bytes(),
        "max_total": max_total_bytes(),
        "max_files": max_files(),
        **extra,
    }


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response


@csrf_exempt  # the upload limit handler must be installed before CSRF reads the body…
def report(request: HttpRequest) -> HttpResponse:
    _offer_all_languages(request)
    if request.method == "POST":
        request.upload_handlers.insert(0, TipUploadLimits(request))
    return _report(request)


@csrf_protect  # …so the check runs here instead
def _report(request: HttpRequest) -> HttpResponse:
    redirect = _accept_language_redirect(request)
    if redirect:
        return redirect
    if request.method != "POST":
        return _private(render(request, "intake/report.html", _context(request, form=TipForm())))

    oversized = getattr(request, "intake_oversized", [])
    form = TipForm(request.POST, request.FILES, oversized=oversized)
    files_sent = bool(request.FILES) or bool(oversized)
    if form.is_valid() and form.cleaned_data.get("website"):
        # Honeypot filled: answer exactly as if saved (with a code that opens nothing).
        ctx = _context(request, code=new_receipt_code())
        return _private(render(request, "intake/receipt.html", ctx))
    if form.is_valid():
        if not allow(request, "tip", settings.TIP_RATE_LIMIT_PER_HOUR):
            ctx = _context(request, form=form, files_sent=files_sent, rate_limited=True)
            return _private(render(request, "intake/report.html", ctx, status=429))
        try:
            tip, code = create_tip(form.tip_data(), form.prepared, source="form")
        except FileRefused as refused:  # defensive: the form already checked the files
            form.add_error("files", str(refused))
        else:
            ctx = _context(request, code=code, tip_language=tip.language)
            return _private(render(request, "intake/receipt.html", ctx))
    ctx = _context(request, form=form, files_sent=files_sent)
    return _private(render(request, "intake/report.html", ctx, status=400))


@csrf_exempt
def follow_up(request: HttpRequest) -> HttpResponse:
    _offer_all_languages(request)
    if request.method == "POST":
        request.upload_handlers.insert(0, TipUploadLimits(request))
    return _follow_up(request)


STAGE_TEXT = {
    "received": lambda: _("Received. Nobody has started reviewing it yet."),
    "review": lambda: _("Being reviewed by our researchers."),
    "closed": lambda: _("Closed. Our researchers have finished reviewing it."),
}


@csrf_protect
def _follow_up(request: HttpRequest) -> HttpResponse:
    redirect = _accept_language_redirect(request)
    if redirect:
        return redirect
    if request.method != "POST":
        ctx = _context(request, code_form=CodeForm())
        return _private(render(request, "intake/follow_up.html", ctx))

    code_form = CodeForm(request.POST)
    if not code_form.is_valid():
        ctx = _context(request, code_form=code_form)
        return _private(render(request, "intake/follow_up.html", ctx, status=400))
    if not allow(request, "code", settings.TIP_RATE_LIMIT_PER_HOUR * 3):
        ctx = _context(request, code_form=code_form, rate_limited=True)
        return _private(render(request, "intake/follow_up.html", ctx, status=429))
    tip = find_tip(code_form.cleaned_data["code"])
    if tip is None:
        # One message for every wrong, mistyped or unknown code.
        ctx = _context(request, code_form=code_form, not_found=True)
        return _private(render(request, "intake/follow_up.html", ctx, status=200))

    code = code_form.cleaned_data["code"].strip()
    added = False
    oversized = getattr(request, "intake_oversized", [])
    if "add" in request.POST:
        form = FollowUpForm(request.POST, request.FILES, oversized=oversized)
        if form.is_valid():
            try:
                add_follow_up(tip, form.cleaned_data["text"], form.prepared)
            except FileRefused as refused:
                form.add_error("files", str(refused))
            else:
                added = True
                form = FollowUpForm(initial={"code": code})
    else:
        form = FollowUpForm(initial={"code": code})
    ctx = _context(
        request,
        found=True,
        stage=tip.public_stage,
        stage_text=STAGE_TEXT[tip.public_stage](),
        form=form,
        added=added,
        files_sent=bool(request.FILES) or bool(oversized),
    )
    status = 400 if form.errors else 200
    return _private(render(request, "intake/follow_up.html", ctx, status=status))
