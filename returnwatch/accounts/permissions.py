"""The gates of the workspace: a role to enter a page, a second factor for editors and admins.

Roles: researcher < editor < admin. Editors and admins act with their role only after a
second factor in this session (two-factor sign-in); until then they are sent to set it up or
to sign in again. Which records each of them may see and change is decided in one place,
returnwatch/access.py.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import twofactor
from .models import Role, User


class StaffRequest(HttpRequest):
    """The request a view behind role_required() gets: its user is signed in (for type checks)."""

    user: User


def role_required(
    role: str,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """Anonymous visitors go to the sign-in page; signed-in users without the role get 403.

    Editor and admin pages also need a verified second factor: without one the user is sent
    to set it up (or, if they have one, to sign in again with it).
    """

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_role(role):
                raise PermissionDenied
            if role != Role.RESEARCHER and not twofactor.is_verified(request):
                return second_factor_needed(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def second_factor_needed(request: HttpRequest) -> HttpResponse:
    nxt = urlencode({"next": request.get_full_path()})
    if twofactor.has_device(request.user):
        return redirect_to_login(request.get_full_path())
    return redirect(f"{reverse('staff:two_factor_setup')}?{nxt}")


researcher_required = role_required(Role.RESEARCHER)
editor_required = role_required(Role.EDITOR)
admin_required = role_required(Role.ADMIN)
