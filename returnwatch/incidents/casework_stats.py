"""Case-handling statistics for staff: how tips and cases move through the workspace.

Every number reads through `returnwatch/access.py`: incidents are those whose restricted parts
the user holds (`restricted_incidents`: a partner's own organization's, the lead's all), tips
those the user sees (`visible_tips`). Times come from existing timestamps and the audit log:

- time to first triage: from a tip's arrival (`Tip.created_at`) to the first entry of the
  change history in which staff acted on it (assigned, moved, noted or linked to an incident);
- time from draft to publication: from an incident's creation (`created_at`) to its first
  publication (`published_at`).

Tables reuse the public statistics' shapes (`stats.Row`, `stats.Breakdown`, `stats.Month`) so
the charts and CSV helpers of the public pages draw them too.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from returnwatch import access
from returnwatch.audit import log
from returnwatch.audit.actions import Action
from returnwatch.audit.models import Entry

from .models import Status
from .stats import Breakdown, Month, Row, _fill_months

# Entries that show a person looked at a tip (its own arrival and follow-ups do not).
TRIAGE_ACTIONS = [
    Action.TIP_ASSIGN,
    Action.TIP_NOTE,
    Action.TIP_LINK_INCIDENT,
    *(a for a in Action if a.value.startswith("tip.status.")),
]

# Duration bands (upper bound in days, label), for the charts of times.
BANDS: tuple[tuple[float, Any], ...] = (
    (1, gettext_lazy("Within a day")),
    (7, gettext_lazy("1 to 7 days")),
    (30, gettext_lazy("8 to 30 days")),
    (90, gettext_lazy("31 to 90 days")),
    (float("inf"), gettext_lazy("More than 90 days")),
)


@dataclass(frozen=True)
class Durations:
    """How long something took, over `count` records (days, fractional)."""

    name: str
    title: Any
    count: int
    median_days: float | None
    mean_days: float | None
    longest_days: float | None
    waiting: int  # records where it has not happened yet
    bands: Breakdown


@dataclass(frozen=True)
class Casework:
    tips: int
    tips_untriaged: int
    incidents: int
    tip_months: list[Month]
    triage: Durations
    publication: Durations
    breakdowns: list[Breakdown]

    def breakdown(self, name: str) -> Breakdown | None:
        return next((b for b in self.breakdowns if b.name == name), None)

    def durations(self, name: str) -> Durations | None:
        return next((d for d in (self.triage, self.publication) if d.name == name), None)


def _durations(name: str, title: Any, spans: list[dt.timedelta], waiting: int) -> Durations:
    days = sorted(max(s.total_seconds(), 0) / 86400 for s in spans)
    counts = Counter(next(i for i, (top, _label) in enumerate(BANDS) if d <= top) for d in days)
    bands = Breakdown(
        f"{name}-bands",
        title,
        [Row(str(i), str(label), counts.get(i, 0)) for i, (_top, label) in enumerate(BANDS)],
    )
    return Durations(
        name=name,
        title=title,
        count=len(days),
        median_days=statistics.median(days) if days else None,
        mean_days=statistics.fmean(days) if days else None,
        longest_days=days[-1] if days else None,
        waiting=waiting,
        bands=bands,
    )


def _sorted(rows: list[Row]) -> list[Row]:
    return sorted(rows, key=lambda r: (-r.count, r.label))


def compute(user: Any) -> Casework:
    """The figures this user may see (see the module's docstring)."""
    incidents = access.restricted_incidents(user).filter(merged_into__isnull=True)
    tips = access.visible_tips(user)

    # Tips received, per month of arrival.
    monthly = (
        tips.order_by()
        .annotate(m=TruncMonth("created_at"))
        .values("m")
        .annotate(n=Count("pk"))
        .order_by("m")
        .values_list("m", "n")
    )
    months: list[Month] = []
    running = 0
    series = [(m.date() if isinstance(m, dt.datetime) else m, n) for m, n in monthly]
    for month, n in _fill_months(series):
        running += n
        months.append(Month(month, n, running))

    # Time to first triage, from the change history of the tips the user sees.
    arrived = {log.key(t): t.created_at for t in tips.only("pk", "created_at")}
    first = dict(
        Entry.objects.filter(
            about__in=list(arrived),
            action__in=[a.value for a in TRIAGE_ACTIONS],
        )
        .values("about")
        .annotate(first=Min("created_at"))
        .values_list("about", "first")
    )
    spans = []
    for about, created in arrived.items():
        when = first.get(about)
        if when is not None:
            spans.append(when - created)
    triage = _durations(
        "triage", gettext_lazy("Time to first triage"), spans, len(arrived) - len(spans)
    )

    # Time from draft to publication (first publication; retracted cases keep theirs).
    published = list(
        incidents.filter(published_at__isnull=False).values_list("created_at", "published_at")
    )
    unpublished = incidents.filter(status__in=[Status.DRAFT, Status.REVIEW]).count()
    publication = _durations(
        "publication",
        gettext_lazy("Time from draft to publication"),
        [p - c for c, p in published if p is not None],
        unpublished,
    )

    status_counts = dict(
        incidents.order_by().values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    statuses = Breakdown(
        "status",
        gettext_lazy("Status mix"),
        [Row(s.value, str(s.label), status_counts.get(s.value, 0)) for s in Status],
    )
    researchers = Breakdown(
        "researcher",
        gettext_lazy("Cases per researcher (assigned)"),
        _sorted(
            [
                Row(username or "", username or _("Unassigned"), n)
                for username, n in incidents.order_by()
                .values("assignee__username")
                .annotate(n=Count("pk"))
                .values_list("assignee__username", "n")
            ]
        ),
    )
    organizations = Breakdown(
        "organization",
        gettext_lazy("Cases per organization"),
        _sorted(
            [
                Row(str(pk or ""), name or _("No organization"), n)
                for pk, name, n in incidents.order_by()
                .values("organization_id", "organization__name")
                .annotate(n=Count("pk"))
                .values_list("organization_id", "organization__name", "n")
            ]
        ),
    )
    from returnwatch.intake.models import TipStatus

    tip_status_counts = Counter(tips.values_list("status", flat=True))
    tip_statuses = Breakdown(
        "tip-status",
        gettext_lazy("Tips by status"),
        [Row(s.value, str(s.label), tip_status_counts.get(s.value, 0)) for s in TipStatus],
    )
    return Casework(
        tips=len(arrived),
        tips_untriaged=triage.waiting,
        incidents=sum(status_counts.values()),
        tip_months=months,
        triage=triage,
        publication=publication,
        breakdowns=[statuses, researchers, organizations, tip_statuses],
    )
