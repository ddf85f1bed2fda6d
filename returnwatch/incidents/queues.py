"""The researcher's and editor's queues, with their counts in the workspace bar:
"my drafts", "waiting for my review" (editors), "sent back to me", "tips assigned to me".

Each queue is a filter over what the user may see (returnwatch/access.py); the workspace list
shows one with `?queue=<name>` (e.g. /staff/?queue=review).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from returnwatch import access
from returnwatch.accounts.models import Role

from .models import Incident, Status


def _mine(user: Any) -> Q:
    return Q(created_by=user) | Q(assignee=user)


@dataclass(frozen=True)
class Queue:
    name: str
    label: Promise
    rows: Callable[[Any], QuerySet[Incident]]
    editors_only: bool = False


QUEUES = {
    q.name: q
    for q in (
        Queue(
            "mine",
            _("My drafts"),
            lambda u: access.visible_incidents(u).filter(_mine(u), status=Status.DRAFT),
        ),
        Queue(
            "review",
            _("Waiting for my review"),
            # Records in review that this editor's organization holds, not their own work.
            lambda u: (
                access.restricted_incidents(u).filter(status=Status.REVIEW).exclude(created_by=u)
            ),
            editors_only=True,
        ),
        Queue(
            "sent_back",
            _("Sent back to me"),
            lambda u: access.visible_incidents(u).filter(
                _mine(u), status=Status.DRAFT, sent_back_at__isnull=False
            ),
        ),
    )
}


def for_user(user: Any) -> list[Queue]:
    return [q for q in QUEUES.values() if not q.editors_only or user.has_role(Role.EDITOR)]


def workspace_queues(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the queues and their counts, on workspace pages only."""
    user = request.user
    if not request.path_info.startswith("/staff/") or not access.is_staff(user):
        return {}
    from returnwatch.intake.models import OPEN_STATUSES

    home = reverse("staff:home")
    rows = [
        {"label": q.label, "count": q.rows(user).count(), "url": f"{home}?queue={q.name}"}
        for q in for_user(user)
    ]
    tips = access.visible_tips(user).filter(assignee=user, status__in=OPEN_STATUSES).count()
    rows.append(
        {
            "label": _("Tips assigned to me"),
            "count": tips,
            "url": reverse("staff:tip_list") + "?assignee=me&status=open",
        }
    )
    return {"workspace_queues": rows}
