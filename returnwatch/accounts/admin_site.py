"""The Django admin behind the same two-step sign-in as the workspace.

Admin pages need a verified second factor; the admin's own login form is replaced by the
staff sign-in (which django-axes throttles) so there is one way in.
"""

from typing import Any

from django.contrib import admin, auth
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import twofactor


def has_permission(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and twofactor.is_verified(request))


def login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    nxt = request.GET.get("next") or reverse("admin:index")
    user = request.user
    if user.is_authenticated:
        if twofactor.is_verified(request):
            raise PermissionDenied  # signed in properly, but not allowed in the admin
        if not twofactor.has_device(user):
            return redirect(f"{reverse('staff:two_factor_setup')}?{urlencode({'next': nxt})}")
        auth.logout(request)
    return redirect(f"{reverse('staff:login')}?{urlencode({'next': nxt})}")


admin.site.has_permission = has_permission  # type: ignore[method-assign]  # the staff gates, on purpose
admin.site.login = login  # type: ignore[method-assign]  # the staff sign-in, on purpose
