"""Who may do what in the workspace. Views call these; nothing else decides access.

Roles: researcher < editor < admin. Editors and admins act with their role only after a
second factor in this session (two-factor sign-in); until then they are sent to set it up or
to sign in again. Partner organizations' users see published records plus their own
organization's work, and the tips assigned to them.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from . import twofactor
from .models import Role


def role_required(
    role: str,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Anonymous visitors go to the sign-in page; signed-in users without the role get 403.

    Editor and admin pages also need a verified second factor: without one the user is sent
    to set it up (or, if they have one, to sign in again with it).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_role(role):  # type: ignore[union-attr]
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


def can_publish(request: HttpRequest) -> bool:
    """Publishing, retracting and merging: editors (and admins) who passed a second factor."""
    user = request.user
    return bool(
        user.is_authenticated
        and user.has_role(Role.EDITOR)  # type: ignore[union-attr]
        and twofactor.is_verified(request)
    )


def is_lead(user: Any) -> bool:
    """Users of the lead organization (and superusers) see everything in the workspace."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    org = user.organization
    return bool(org is not None and org.is_lead)


def visible_incidents(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    """The incidents a staff user may see in the workspace.

    Lead organization: all. Partners: published (and retracted) records plus their own
    organization's drafts and records in review. Nobody else: none.
    """
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.RESEARCHER):
        return qs.none()
    if is_lead(user):
        return qs
    public = Q(status__in=["published", "retracted"])
    if user.organization_id is None:
        return qs.filter(public)
    return qs.filter(public | Q(organization_id=user.organization_id))


def can_see_restricted(user: Any, incident: Any) -> bool:
    """Restricted parts of an incident (narrative, persons, archived files, evidence bundle):
    the lead organization, or the partner organization that owns the record."""
    if is_lead(user):
        return True
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.RESEARCHER):
        return False
    return bool(user.organization_id and incident.organization_id == user.organization_id)


def visible_tips(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    """The tips a staff user may see: the lead organization all, partners those assigned to
    them (or to their organization, where the tip model has an `organization` field)."""
    if not getattr(user, "is_authenticated", False) or not user.has_role(Role.RESEARCHER):
        return qs.none()
    if is_lead(user):
        return qs
    cond = Q(pk__in=[])
    if _has_field(qs.model, "assignee"):
        cond |= Q(assignee=user)
    if _has_field(qs.model, "organization") and user.organization_id:
        cond |= Q(organization_id=user.organization_id)
    return qs.filter(cond)


def _has_field(model: Any, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True
