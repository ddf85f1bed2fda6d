"""Public pages of followed searches: subscribe (/follow/?<search>), confirm, unsubscribe.

The search parameters are those of /incidents/ (incidents/filters.py). No page says whether
an address already follows a search; no IP address is stored (the rate limit counts under a
keyed hash kept in memory, intake/privacy.py). Unsubscribing is a POST, from the page's button
or straight from a mail program (RFC 8058 one-click: no CSRF token, the signed link is the
proof); a GET never changes anything, so link checkers in mail systems cannot unsubscribe or
confirm anyone.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from returnwatch.incidents import filters
from returnwatch.intake.privacy import allow

from . import actions
from .forms import FollowForm
from .models import Subscription

RATE_BUCKET = "subscribe"


def _search_context(query: str) -> dict[str, object]:
    search = filters.parse(QueryDict(query))
    return {
        "applied": search.applied(),
        "search_query": f"?{query}" if query else "",
    }


@never_cache
def follow(request: HttpRequest) -> HttpResponse:
    query = actions.canonical_query(request.GET)
    form = FollowForm(request.POST or None)
    status = 200
    limited = False
    if request.method == "POST":
        limited = not allow(request, RATE_BUCKET, settings.SUBSCRIBE_RATE_LIMIT_PER_HOUR)
        if limited:
            status = 429
        elif form.is_valid():
            actions.subscribe(form.cleaned_data["email"], query, request.LANGUAGE_CODE)
            response = HttpResponseRedirect(
                reverse("subscriptions:sent") + (f"?{query}" if query else "")
            )
            response.status_code = 303
            return response
        else:
            status = 400
    context = {
        "form": form,
        "rate_limited": limited,
        "days": actions.confirm_days(),
        **_search_context(query),
    }
    return render(request, "subscriptions/follow.html", context, status=status)


@never_cache
def sent(request: HttpRequest) -> HttpResponse:
    query = actions.canonical_query(request.GET)
    context = {"days": actions.confirm_days(), **_search_context(query)}
    return render(request, "subscriptions/sent.html", context)


def _broken(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "subscriptions/broken.html", {"message": message}, status=status)


@never_cache
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        key = actions.key_from_confirm_token(token)
    except actions.TokenExpired:
        return _broken(
            request,
            _("This confirmation link has expired. Follow the search again to get a new one."),
            410,
        )
    except actions.TokenInvalid:
        return _broken(request, _("This link is not valid. Check that it was copied whole."), 400)
    subscription = Subscription.objects.filter(key=key).first()
    if subscription is None:
        return _broken(
            request,
            _("This link no longer works. Follow the search again to get a new one."),
            410,
        )
    if request.method == "POST":
        actions.confirm(key)
        context = {
            "unsubscribe": actions.unsubscribe_token(subscription),
            **_search_context(subscription.query),
        }
        return render(request, "subscriptions/confirmed.html", context)
    context = {
        "already": subscription.confirmed_at is not None,
        **_search_context(subscription.query),
    }
    return render(request, "subscriptions/confirm.html", context)


@never_cache
@csrf_exempt  # RFC 8058: mail programs POST "List-Unsubscribe=One-Click" with no token
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        key = actions.key_from_unsubscribe_token(token)
    except actions.TokenInvalid:
        return _broken(request, _("This link is not valid. Check that it was copied whole."), 400)
    if request.method == "POST":
        actions.unsubscribe(key)
        return render(request, "subscriptions/unsubscribed.html")
    subscription = Subscription.objects.filter(key=key).first()
    if subscription is None:
        return render(request, "subscriptions/unsubscribed.html")
    return render(request, "subscriptions/unsubscribe.html", _search_context(subscription.query))
