"""The public tip form (/report/) and the receipt-code follow-up (/report/follow-up/).

No account, no JavaScript needed, no IP address stored or logged. Pages that show a receipt
code are never cached. Offered in all five LANGUAGES; on the bare English address a browser
that prefers another of them is sent to that language's address unless the person chose.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_safe

from .files import FileRefused, max_file_bytes, max_files, max_total_bytes
from .forms import CodeForm, FollowUpForm, TipForm
from .privacy import TipUploadLimits, allow
from .submissions import (
    add_follow_up,
    code_for_token,
    create_tip,
    find_follow_up,
    find_tip,
    new_submission_token,
    read_submission_token,
    submission_key,
)

FORM_LANGUAGES = ["en", "es", "ht", "pt", "fr"]
CHOSEN = "lang"  # ?lang=en on the bare address: an explicit choice of English


def _offer_all_languages(request: HttpRequest) -> None:
    request.page_languages = FORM_LANGUAGES  # type: ignore[attr-defined]  # ours, read by the templates


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


RECEIPT_COOKIE = "rw_receipt"
RECEIPT_SALT = "returnwatch.intake.receipt-cookie"
RECEIPT_MAX_AGE = 3600  # the receipt page shows the code again for an hour, then never


def _see_other(url: str) -> HttpResponse:
    response = HttpResponseRedirect(url)
    response.status_code = 303  # after a POST: the browser GETs the next page
    return _private(response)


def _limit_before_reading(request: HttpRequest, bucket: str, limit: int) -> None:
    """Count the attempt before the body is parsed; over the limit, no file is read on."""
    request.intake_rate_limited = not allow(request, bucket, limit)  # type: ignore[attr-defined]  # ours, read by the views
    handler = TipUploadLimits(request, refuse_files=request.intake_rate_limited)  # type: ignore[attr-defined]  # set above
    request.upload_handlers.insert(0, handler)


def _with_token(request: HttpRequest) -> tuple[Any, str]:
    """The POST data with a valid one-time token (the one sent, or a new one if it was missing
    or not ours), and the key of this submission (the token and what the form holds)."""
    data = request.POST.copy()
    raw = read_submission_token(data.get("submission"))
    if raw is None:
        data["submission"] = new_submission_token()
        raw = read_submission_token(data.get("submission"))
    return data, submission_key(str(raw), request.POST, request.FILES)


@csrf_exempt  # the rate limit and upload handler must come before CSRF reads the body…
def report(request: HttpRequest) -> HttpResponse:
    _offer_all_languages(request)
    if request.method == "POST":
        _limit_before_reading(request, "tip", settings.TIP_RATE_LIMIT_PER_HOUR)
    return _report(request)


def _to_receipt(request: HttpRequest, raw: str) -> HttpResponse:
    """Redirect to the receipt page, which finds the code again from a signed cookie."""
    response = _see_other(reverse("intake:receipt"))
    response.set_cookie(
        RECEIPT_COOKIE,
        signing.TimestampSigner(salt=RECEIPT_SALT).sign(raw),
        max_age=RECEIPT_MAX_AGE,
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    return response


@csrf_protect  # …so the check runs here instead
def _report(request: HttpRequest) -> HttpResponse:
    redirect = _accept_language_redirect(request)
    if redirect:
        return redirect
    if request.method != "POST":
        form = TipForm(initial={"submission": new_submission_token()})
        return _private(render(request, "intake/report.html", _context(request, form=form)))

    data, raw = _with_token(request)
    code = code_for_token(raw)
    if find_tip(code):  # this very form was saved already (double click, resend, back+send)
        return _to_receipt(request, raw)
    oversized = getattr(request, "intake_oversized", [])
    files_sent = bool(request.FILES) or bool(oversized)
    if request.intake_rate_limited:  # type: ignore[attr-defined]  # set by _limit_before_reading
        form = TipForm(data)
        ctx = _context(request, form=form, files_sent=files_sent, rate_limited=True)
        return _private(render(request, "intake/report.html", ctx, status=429))
    form = TipForm(data, request.FILES, oversized=oversized)
    if form.is_valid() and form.cleaned_data.get("website"):
        # Honeypot filled: answer exactly as if saved (with a code that opens nothing).
        return _to_receipt(request, raw)
    if form.is_valid():
        try:
            create_tip(form.tip_data(), form.prepared, source="form", code=code)
        except FileRefused as refused:  # defensive: the form already checked the files
            form.add_error("files", str(refused))
        except IntegrityError:
            if find_tip(code) is None:
                raise
            return _to_receipt(request, raw)  # the same form, saved by a request just before
        else:
            return _to_receipt(request, raw)
    ctx = _context(request, form=form, files_sent=files_sent)
    return _private(render(request, "intake/report.html", ctx, status=400))


def receipt_context(code: str | None) -> dict[str, Any]:
    """What the receipt page shows: the code, and the tip it opens (None for an expired
    receipt, and for the honeypot's code that opens nothing)."""
    return {"code": code, "tip": find_tip(code) if code else None}


@require_safe
def receipt(request: HttpRequest) -> HttpResponse:
    """GET after sending: reloading shows the same code again (for an hour), saves nothing."""
    _offer_all_languages(request)
    try:
        raw = signing.TimestampSigner(salt=RECEIPT_SALT).unsign(
            request.COOKIES.get(RECEIPT_COOKIE, ""), max_age=RECEIPT_MAX_AGE
        )
    except signing.BadSignature:
        raw = None
    ctx = _context(request, **receipt_context(code_for_token(raw) if raw else None))
    return _private(render(request, "intake/receipt.html", ctx))


@csrf_exempt
def follow_up(request: HttpRequest) -> HttpResponse:
    _offer_all_languages(request)
    if request.method == "POST":
        _limit_before_reading(request, "code", settings.TIP_RATE_LIMIT_PER_HOUR * 3)
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

    oversized = getattr(request, "intake_oversized", [])
    files_sent = bool(request.FILES) or bool(oversized)
    code_form = CodeForm(request.POST)
    if request.intake_rate_limited:  # type: ignore[attr-defined]  # set by _limit_before_reading
        # No lookup (that is what is limited); what was typed to add comes back as it was.
        adding = "add" in request.POST
        form = FollowUpForm(_with_token(request)[0]) if adding else None
        ctx = _context(
            request,
            code_form=code_form,
            rate_limited=True,
            found=adding,
            form=form,
            files_sent=files_sent,
        )
        return _private(render(request, "intake/follow_up.html", ctx, status=429))
    if not code_form.is_valid():
        ctx = _context(request, code_form=code_form)
        return _private(render(request, "intake/follow_up.html", ctx, status=400))
    tip = find_tip(code_form.cleaned_data["code"])
    if tip is None:
        # One message for every wrong, mistyped or unknown code.
        ctx = _context(request, code_form=code_form, not_found=True)
        return _private(render(request, "intake/follow_up.html", ctx, status=200))

    code = code_form.cleaned_data["code"].strip()
    if "add" in request.POST:
        data, raw = _with_token(request)
        if find_follow_up(raw):  # this very form was saved already
            return _see_other(reverse("intake:follow_up_received"))
        form = FollowUpForm(data, request.FILES, oversized=oversized)
        if form.is_valid():
            try:
                add_follow_up(tip, form.cleaned_data["text"], form.prepared, token=raw)
            except FileRefused as refused:
                form.add_error("files", str(refused))
            except IntegrityError:
                if find_follow_up(raw) is None:
                    raise
                return _see_other(reverse("intake:follow_up_received"))
            else:
                return _see_other(reverse("intake:follow_up_received"))
    else:
        form = FollowUpForm(initial={"code": code, "submission": new_submission_token()})
    ctx = _context(
        request,
        found=True,
        stage=tip.public_stage,
        stage_text=STAGE_TEXT[tip.public_stage](),
        form=form,
        files_sent=files_sent,
    )
    status = 400 if form.errors else 200
    return _private(render(request, "intake/follow_up.html", ctx, status=status))


@require_safe
def follow_up_received(request: HttpRequest) -> HttpResponse:
    """GET after adding information: a reload only thanks again."""
    _offer_all_languages(request)
    return _private(render(request, "intake/follow_up_received.html", _context(request)))
