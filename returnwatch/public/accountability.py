"""What the public sees of accountability (part of the public projection), followed over time: the dated steps after an incident (complaint filed with
CRCL / OIG / another office, acknowledged, investigation opened, closed with or without a
finding, no answer; lawsuit filed and its status).

Public: the steps of published incidents, without the office's reference number, and the
counts "complaints filed", "answered", "median days to an answer" (published incidents only,
as every statistic). Restricted: the reference number, for staff who read the record's
restricted parts (returnwatch/access.py).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils.functional import Promise

from returnwatch.incidents.models import AccountabilityStep

from . import incident_ids

Kind = AccountabilityStep.Kind
ANSWERS = {Kind.ACKNOWLEDGED, Kind.INVESTIGATING, Kind.CLOSED_FINDING, Kind.CLOSED_NO_FINDING}


@dataclass(frozen=True)
class PublicStep:
    date: Any
    kind: str
    kind_label: Promise | str
    office: str
    office_label: Promise | str
    note: str


def public_steps(reference: str) -> list[PublicStep]:
    """The steps of a published incident, public fields only (no reference number)."""
    rows = AccountabilityStep.objects.filter(
        incident__in=incident_ids().filter(reference=reference)
    ).only("date", "kind", "office", "note")
    return [
        PublicStep(s.date, s.kind, s.get_kind_display(), s.office, s.get_office_display(), s.note)
        for s in rows
    ]


@dataclass(frozen=True)
class Summary:
    filed: int
    answered: int
    median_days: float | None
    no_answer: int
    lawsuits: int


def summary() -> Summary:
    """Complaints filed, answered, and the median days from filing to the first answer, over
    published incidents. A complaint is a filing with one office for one incident. Cached
    until the data changes (steps bump the data version too, migration 0017)."""
    from django.core.cache import cache

    from returnwatch.incidents.stats import data_version

    key = f"accountability:summary:{data_version()}"
    found = cache.get(key)
    if found is None:
        found = _summary()
        cache.set(key, found, 3600)
    return found


def _summary() -> Summary:
    # EXISTS, one lookup by id per step: with `IN (public incidents)` SQLite first lists
    # every public incident (0.5 s at 1,000,000, docs/benchmarks.md).
    public_incident = incident_ids().filter(pk=OuterRef("incident_id"))
    rows = AccountabilityStep.objects.filter(Exists(public_incident)).values_list(
        "incident_id", "office", "kind", "date"
    )
    filed: dict[tuple[int, str], Any] = {}
    answers: dict[tuple[int, str], Any] = {}
    no_answer = lawsuits = 0
    for incident_id, office, kind, date in rows.order_by("date", "id"):
        key = (incident_id, office)
        if kind == Kind.FILED:
            filed.setdefault(key, date)
        elif kind in ANSWERS:
            answers.setdefault(key, date)
        elif kind == Kind.NO_ANSWER:
            no_answer += 1
        elif kind == Kind.LAWSUIT_FILED:
            lawsuits += 1
    days = [(answers[k] - d).days for k, d in filed.items() if k in answers and answers[k] >= d]
    return Summary(
        filed=len(filed),
        answered=len(days),
        median_days=statistics.median(days) if days else None,
        no_answer=no_answer,
        lawsuits=lawsuits,
    )
