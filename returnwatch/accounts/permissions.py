"""Who may do what in the workspace. Views call these; nothing else decides access."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from .models import Role


def role_required(role: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Anonymous visitors go to the sign-in page; signed-in users without the role get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_role(role):  # type: ignore[union-attr]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


researcher_required = role_required(Role.RESEARCHER)
editor_required = role_required(Role.EDITOR)
admin_required = role_required(Role.ADMIN)


def can_publish(request: HttpRequest) -> bool:
    """Publishing, retracting and merging are for editors (and admins)."""
    return request.user.is_authenticated and request.user.has_role(Role.EDITOR)  # type: ignore[union-attr]


def visible_incidents(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    """The incidents a staff user may see in the workspace."""
    return qs
