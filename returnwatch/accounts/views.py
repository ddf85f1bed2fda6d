"""Staff sign-in in two steps (password, then a second factor), and second-factor setup."""

from __future__ import annotations

from typing import Any

import django_otp
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_message
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from returnwatch.audit.actions import Action
from returnwatch.audit.log import record

from . import twofactor
from .forms import CodeForm, SetupForm

RECOVERY_SESSION_KEY = "rw_new_recovery_codes"


def wait_message(seconds: int) -> str:
    return ngettext(
        "After a wrong code, codes are checked again after a short wait. Wait %(n)d second and type the code your app shows then.",
        "After a wrong code, codes are checked again after a short wait. Wait %(n)d seconds and type the code your app shows then.",
        seconds,
    ) % {"n": seconds}


def wrong_code_message() -> str:
    return _(
        "That code is not valid. Type the code your app shows now; if codes keep failing, "
        "check that your phone sets its clock automatically."
    )


def safe_next(request: HttpRequest) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(
        nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return nxt
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def with_next(url: str, nxt: str) -> str:
    return f"{url}?{urlencode({'next': nxt})}"


def complete_sign_in(request: HttpRequest, user: Any, device: Any, nxt: str) -> HttpResponse:
    twofactor.clear_pending(request)
    auth.login(request, user, backend=getattr(user, "backend", None))
    if device is not None:
        django_otp.login(request, device)
    kind = "" if device is None else device.__class__.__name__
    note = {"TOTPDevice": "authenticator app", "StaticDevice": "recovery code"}.get(
        kind, "password"
    )
    record(
        user, Action.SIGN_IN, user, note=f"second factor: {note}" if device else "no second factor"
    )
    if device is None and twofactor.requires_two_factor(user):
        messages.warning(request, _("Your role requires two-factor sign-in. Set it up now."))
        return redirect(with_next(reverse("staff:two_factor_setup"), nxt))
    if kind == "StaticDevice":
        left = twofactor.recovery_codes_left(user)
        messages.warning(
            request,
            _("You used a recovery code; %(n)d left. Make new ones on your account page.")
            % {"n": left},
        )
    return HttpResponseRedirect(nxt)


@sensitive_post_parameters("password")
@csrf_protect
def login_view(request: HttpRequest) -> HttpResponse:
    """Step one: username and password (django-axes counts failures and locks the account)."""
    nxt = safe_next(request)
    if request.user.is_authenticated and request.method == "GET":
        return HttpResponseRedirect(nxt)
    form = AuthenticationForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.get_user()
        if twofactor.has_device(user):
            twofactor.start_pending(request, user)
            return redirect(with_next(reverse("staff:login_verify"), nxt))
        return complete_sign_in(request, user, None, nxt)
    return render(request, "accounts/login.html", {"form": form, "next": nxt})


@sensitive_post_parameters("code")
@csrf_protect
def verify_view(request: HttpRequest) -> HttpResponse:
    """Step two: a code from the authenticator app or a recovery code."""
    nxt = safe_next(request)
    user = twofactor.pending_user(request)
    if user is None:
        messages.info(request, _("Please sign in again."))
        return redirect(with_next(reverse("staff:login"), nxt))
    credentials = {"username": user.get_username()}
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        if not AxesProxyHandler.is_allowed(request, credentials):
            twofactor.clear_pending(request)
            return render(
                request,
                "accounts/locked.html",
                {"message": get_lockout_message()},
                status=settings.AXES_HTTP_RESPONSE_CODE,
            )
        if form.is_valid():
            # django-otp refuses every code for a moment after a wrong one: say so, rather
            # than calling a right code wrong. The attempt still counts like a wrong code.
            wait = twofactor.wait_seconds(user)
            device = None if wait else twofactor.verify(user, form.cleaned_data["code"])
            if device is not None:
                return complete_sign_in(request, user, device, nxt)
            # Counted by django-axes like a wrong password, and recorded in the audit log.
            user_login_failed.send(
                sender=__name__, credentials=credentials, request=request, second_factor=True
            )
            form.add_error("code", wait_message(wait) if wait else wrong_code_message())
            if getattr(request, "axes_locked_out", False):
                twofactor.clear_pending(request)
                return render(
                    request,
                    "accounts/locked.html",
                    {"message": get_lockout_message()},
                    status=settings.AXES_HTTP_RESPONSE_CODE,
                )
    return render(request, "accounts/verify.html", {"form": form, "next": nxt})


@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/account.html",
        {
            "has_totp": twofactor.has_totp(user),
            "verified": twofactor.is_verified(request),
            "required": twofactor.requires_two_factor(user),
            "codes_left": twofactor.recovery_codes_left(user),
        },
    )


@login_required
def setup_view(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: show the secret (QR code and text), confirm with one code."""
    user = request.user
    # Someone who already has a second factor proves it before replacing it.
    if twofactor.has_device(user) and not twofactor.is_verified(request):
        auth.logout(request)
        return redirect(with_next(reverse("staff:login"), reverse("staff:two_factor_setup")))
    device = twofactor.pending_totp(user)
    form = SetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if twofactor.confirm_totp(device, form.cleaned_data["code"]):
            django_otp.login(request, device)
            codes = twofactor.new_recovery_codes(user)
            record(user, Action.TWO_FACTOR_ENABLED, user, note="authenticator app added")
            request.session[RECOVERY_SESSION_KEY] = codes
            return redirect(with_next(reverse("staff:two_factor_recovery"), safe_next(request)))
        form.add_error("code", wrong_code_message())
    return render(
        request,
        "accounts/setup.html",
        {
            "form": form,
            "secret": twofactor.secret_b32(device),
            "next": safe_next(request),
        },
    )


@login_required
def setup_qr(request: HttpRequest) -> HttpResponse:
    device = twofactor.pending_totp(request.user)
    response = HttpResponse(twofactor.qr_svg(device), content_type="image/svg+xml")
    return response


@login_required
def recovery_view(request: HttpRequest) -> HttpResponse:
    """Shows freshly made recovery codes once; POST makes a new set (old ones stop working)."""
    if request.method == "POST":
        if not twofactor.is_verified(request):
            messages.error(request, _("Sign in with your second factor first."))
            return redirect("staff:account")
        request.session[RECOVERY_SESSION_KEY] = twofactor.new_recovery_codes(request.user)
        record(request.user, Action.RECOVERY_CODES_RENEWED, request.user)
        return redirect("staff:two_factor_recovery")
    codes = request.session.pop(RECOVERY_SESSION_KEY, None)
    if not codes:
        return redirect("staff:account")
    return render(request, "accounts/recovery.html", {"codes": codes, "next": safe_next(request)})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        record(request.user, Action.SIGN_OUT, request.user)
    auth.logout(request)
    return redirect("staff:login")
