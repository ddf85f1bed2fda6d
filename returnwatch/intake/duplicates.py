"""Possible duplicates of a tip among incidents and other tips, with the reasons shown.

Bounded so it stays fast at a million incidents: candidates are first narrowed in the
database (same city within a date window, or — without a city — overlapping types within
the window, or the most recent when there is no date), at most CANDIDATE_LIMIT of each kind,
and only those are scored in Python. Wording is compared with rapidfuzz.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, utils

from returnwatch.incidents.models import Incident

from .models import Tip

WINDOW_DAYS = 45
CANDIDATE_LIMIT = 200
MIN_SCORE = 35
SHOWN = 8
# Weights add up to 100.
W_CITY, W_DATE, W_TYPES, W_TEXT = 30, 25, 20, 25


@dataclass
class Match:
    kind: str  # "incident" or "tip"
    obj: Any
    score: int
    reasons: list[str] = field(default_factory=list)
    url: str = ""


def _window(qs: QuerySet[Any], tip: Tip, date_field: str) -> QuerySet[Any]:
    lo = tip.date - dt.timedelta(days=WINDOW_DAYS)
    hi = tip.date + dt.timedelta(days=WINDOW_DAYS)
    return qs.filter(**{f"{date_field}__range": (lo, hi)})


def _prefilter(qs: QuerySet[Any], tip: Tip, type_ids: set[int], date_field: str) -> QuerySet[Any]:
    if tip.city_id:
        qs = qs.filter(city_id=tip.city_id)
        if tip.date:
            qs = _window(qs, tip, date_field)
    elif tip.date:
        qs = _window(qs, tip, date_field)
        if type_ids:
            qs = qs.filter(violence_types__in=type_ids).distinct()
    elif type_ids:
        qs = qs.filter(violence_types__in=type_ids).distinct()
    else:
        return qs.none()
    return qs


def _score(
    tip: Tip,
    type_ids: set[int],
    city_id: Any,
    date: dt.date | None,
    precision: str,
    other_types: set[int],
    text: str,
    city_label: str,
) -> tuple[int, list[str]]:
    score, reasons = 0.0, []
    if tip.city_id and city_id == tip.city_id:
        score += W_CITY
        reasons.append(_("same city (%(city)s)") % {"city": city_label})
    if tip.date and date:
        days = abs((date - tip.date).days)
        # A month given approximately counts as close anywhere inside it.
        slack = 31 if "month" in (precision, tip.date_precision) else 0
        days = max(0, days - slack)
        if days <= WINDOW_DAYS:
            score += W_DATE * (1 - days / (WINDOW_DAYS + 1))
            if days == 0:
                reasons.append(_("same month") if slack else _("same day"))
            else:
                reasons.append(_("%(days)d days apart") % {"days": days})
    if type_ids and other_types:
        common = type_ids & other_types
        if common:
            score += W_TYPES * len(common) / len(type_ids | other_types)
            reasons.append(_("%(n)d violence type(s) in common") % {"n": len(common)})
    if text and tip.narrative:
        similarity = fuzz.token_set_ratio(tip.narrative, text, processor=utils.default_process)
        if similarity >= 40:
            score += W_TEXT * similarity / 100
            reasons.append(_("similar wording (%(pct)d%%)") % {"pct": similarity})
    return round(score), reasons


def _types_by(model_ids: list[int], through: Any, owner: str) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for owner_id, type_id in through.objects.filter(**{f"{owner}_id__in": model_ids}).values_list(
        f"{owner}_id", "violencetype_id"
    ):
        out.setdefault(owner_id, set()).add(type_id)
    return out


def find_duplicates(
    tip: Tip,
    incidents: QuerySet[Any] | None = None,
    *,
    readable: QuerySet[Any] | None = None,
    tips: QuerySet[Tip] | None = None,
) -> list[Match]:
    """Ranked possible duplicates of `tip`: incidents (from `incidents`, e.g. the user's
    visible ones) and other tips (from `tips`). Restricted narratives are compared only for
    the incidents in `readable` (all when None): a score must not reveal hidden words."""
    type_ids = set(tip.violence_types.values_list("id", flat=True))
    matches: list[Match] = []

    inc_qs = incidents if incidents is not None else Incident.objects.all()
    inc_qs = _prefilter(inc_qs.filter(merged_into__isnull=True), tip, type_ids, "date")
    if tip.incident_id:
        inc_qs = inc_qs.exclude(pk=tip.incident_id)
    rows = list(
        inc_qs.select_related("city")
        .only(
            "id",
            "reference",
            "title",
            "summary",
            "narrative",
            "date",
            "date_precision",
            "status",
            "city",
        )
        .order_by("-date", "-id")[:CANDIDATE_LIMIT]
    )
    types = _types_by([r.pk for r in rows], Incident.violence_types.through, "incident")
    may_read = (
        None
        if readable is None
        else set(readable.filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True))
    )
    for r in rows:
        narrative = r.narrative if may_read is None or r.pk in may_read else ""
        text = " ".join(x for x in (r.title, r.summary, narrative) if x)
        score, reasons = _score(
            tip,
            type_ids,
            r.city_id,
            r.date,
            r.date_precision,
            types.get(r.pk, set()),
            text,
            r.city.label if r.city else "",
        )
        if score >= MIN_SCORE:
            matches.append(Match("incident", r, score, reasons))

    tip_base = tips if tips is not None else Tip.objects.all()
    tip_qs = _prefilter(tip_base.exclude(pk=tip.pk), tip, type_ids, "date")
    tip_rows = list(tip_qs.select_related("city").order_by("-created_at")[:CANDIDATE_LIMIT])
    ttypes = _types_by([t.pk for t in tip_rows], Tip.violence_types.through, "tip")
    for t in tip_rows:
        score, reasons = _score(
            tip,
            type_ids,
            t.city_id,
            t.date,
            t.date_precision,
            ttypes.get(t.pk, set()),
            t.narrative,
            t.city.label if t.city else "",
        )
        if score >= MIN_SCORE:
            matches.append(Match("tip", t, score, reasons))

    matches.sort(key=lambda m: -m.score)
    return matches[:SHOWN]
