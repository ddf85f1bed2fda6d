"""Possible duplicates of a tip among incidents and other tips, with the reasons shown.

Bounded so it stays fast at a million incidents: candidates are first narrowed in the
database (same city within a date window, or — without a city — overlapping types within
the window, or the most recent when there is no date), at most CANDIDATE_LIMIT of each kind,
and only those are scored in Python.

Scoring separates "the same event told twice" from "another event in the same city": every
candidate shares the city, so the city weighs little; what decides is whether the two
accounts share the same details — numbers (ages, amounts, days held), people, places, kinds
of harm — compared across English, Spanish, Portuguese, French and Haitian Creole through a
small vocabulary of concepts (duplicate_words.csv: "secuestro", "kidnapped" and "sequestro"
are one concept; "4,000" and "cuatro mil" are one number), then the closeness of the dates
and the overlap of violence types. Measured on a labelled set (tests/data/duplicate_pairs.json,
see docs/intake.md): precision and recall at MIN_SCORE are checked by test_duplicates.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from returnwatch.incidents.models import Incident

from .models import Tip

WINDOW_DAYS = 45
CANDIDATE_LIMIT = 200
MIN_SCORE = 60  # shown to researchers from this score up (measured: docs/intake.md)
SHOWN = 8
# Weights of the evidence (they add up to 100). The text's details decide most.
W_TEXT, W_DATE, W_TYPES, W_CITY = 55, 20, 15, 10
WORDS_FILE = Path(__file__).with_name("duplicate_words.csv")

STOPWORDS = set(
    """
    a an and are as at be been but by for from had has have he her him his i in into is it its
    me my of on or our she so that the their them then there they this to was we were when
    where which who with you your after before about also just only not no one
    el la los las un una unos unas y o de del al a en con por para que se su sus lo le les me
    mi mis nos es fue fueron era eran ser estar estaba estaban como pero cuando donde muy mas
    ya ha han hay sin sobre entre hasta desde ella ellos ellas yo tu usted
    o os as um uma e do da dos das no na nos nas em com por para que se seu sua foi eram ele
    ela eles elas eu
    le la les un une des et ou du au aux en dans avec par pour que qui se sa son ses il elle
    ils elles je est sont etait ete ont avait
    li yo nan ak pou ki te mwen ou se
    """.split()
)
NUMBER = re.compile(r"\d{1,3}(?:[ .,]\d{3})+(?![\d])|\d+")
WORD = re.compile(r"[a-z]+")


@dataclass
class Match:
    kind: str  # "incident" or "tip"
    obj: Any
    score: int
    reasons: list[str] = field(default_factory=list)
    url: str = ""


@dataclass
class Account:
    """What scoring compares: one tip's or incident's facts, whatever the model."""

    text: str
    city_id: Any = None
    city_label: str = ""
    date: dt.date | None = None
    precision: str = ""  # "month" when only the month is known
    types: set[int] = field(default_factory=set)


# ---------------------------------------------------------------------------- wording


@cache
def _lexicon() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Words (and word beginnings ending in *) of every language, to their concept."""
    exact: dict[str, str] = {}
    prefixes: list[tuple[str, str]] = []
    with WORDS_FILE.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            _weights()[row["concept"]] = float(row["weight"])
            for word in row["words"].split():
                word = _fold(word)
                if word.endswith("*"):
                    prefixes.append((word[:-1], row["concept"]))
                else:
                    exact.setdefault(word, row["concept"])
    prefixes.sort(key=lambda p: -len(p[0]))
    return exact, prefixes


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _concept(word: str) -> str | None:
    exact, prefixes = _lexicon()
    if word in exact:
        return exact[word]
    for prefix, concept in prefixes:
        if word.startswith(prefix):
            return concept
    return None


def details(text: str) -> dict[str, float]:
    """The details of an account, each with its weight: numbers weigh most (an amount or an
    age rarely repeats by chance), then concepts, then other words (cut to their first six
    letters, so "hondureña" and "Honduran" or "Monterrey" meet)."""
    folded = _fold(text or "")
    out: dict[str, float] = {}
    tokens: list[str] = []
    position = 0
    for match in NUMBER.finditer(folded):
        tokens += WORD.findall(folded[position : match.start()])
        tokens.append("#" + re.sub(r"\D", "", match.group()))
        position = match.end()
    tokens += WORD.findall(folded[position:])
    _lexicon()  # loads the weights too
    previous: str | None = None
    for token in tokens:
        if token.startswith("#"):
            value = int(token[1:])
            key = f"n{value}" if value <= 20 else f"#{value}"
        elif token in STOPWORDS or len(token) < 3:
            previous = None
            continue
        else:
            key = _concept(token) or token[:6]
        if key == "n1000" and previous and previous.startswith("n"):
            # "cuatro mil", "four thousand": the number 4000.
            out.pop(previous, None)
            key = f"#{int(previous[1:]) * 1000}"
        out[key] = 3.0 if key.startswith("#") else _weights().get(key, 1.0)
        previous = key
    return out


@cache
def _weights() -> dict[str, float]:
    """Each concept's weight: specific ones 1.5, common ones ("day", "money") 0.5."""
    return {}


def _distinctive_numbers(d: dict[str, float]) -> set[str]:
    """Numbers that rarely agree by chance: from 10 up (ages, amounts, days held, years)."""
    return {
        k for k in d if k.startswith("#") or (k[:1] == "n" and k[1:].isdigit() and int(k[1:]) >= 10)
    }


def wording(a: dict[str, float], b: dict[str, float]) -> tuple[float, list[str]]:
    """Weighted Dice overlap of two accounts' details (0–1), and the shared details."""
    if not a or not b:
        return 0.0, []
    shared = a.keys() & b.keys()
    overlap = sum(a[k] for k in shared)
    similarity = 2 * overlap / (sum(a.values()) + sum(b.values()))
    numbers_a, numbers_b = _distinctive_numbers(a), _distinctive_numbers(b)
    if numbers_a and numbers_b and not numbers_a & numbers_b:
        similarity /= 2  # both give ages, amounts or years, and none agree: other events
    best = sorted(shared, key=lambda k: (-a[k], k))
    return similarity, [_shown(k) for k in best]


def _shown(key: str) -> str:
    """A detail as a researcher reads it: "n9" and "#4000" are numbers, "bus-station" words."""
    if key.startswith("#") or (key[:1] == "n" and key[1:].isdigit()):
        return key[1:]
    return key.replace("-", " ")


# ---------------------------------------------------------------------------- scoring


def _date_closeness(a: Account, b: Account) -> tuple[float | None, str]:
    if not (a.date and b.date):
        return None, ""
    days = abs((a.date - b.date).days)
    slack = 31 if "month" in (a.precision, b.precision) else 0
    days = max(0, days - slack)
    if days > WINDOW_DAYS:
        return 0.0, ""
    if days == 0:
        return 1.0, _("same month") if slack else _("same day")
    # Close within a few days (a date remembered a little off), then falling fast.
    closeness = max(0.0, 1 - days / 10) if days > 2 else 0.9
    return closeness, _("%(days)d days apart") % {"days": days}


def score(
    a: Account, b: Account, a_details: dict[str, float] | None = None
) -> tuple[int, list[str]]:
    """How likely `b` tells the same event as `a`, 0–100, with the reasons a researcher sees."""
    reasons: list[str] = []
    parts: list[tuple[float, float]] = []  # (weight, value); evidence not given is left out
    similarity, shared = wording(a_details or details(a.text), details(b.text))
    parts.append((W_TEXT, min(1.0, similarity * 1.6)))  # ~0.6 overlap is already a retelling
    if similarity >= 0.15:
        reasons.append(_("similar details (%(pct)d%%)") % {"pct": round(similarity * 100)})
    if shared:
        reasons.append(_("shared: %(details)s") % {"details": ", ".join(shared[:6])})
    closeness, said = _date_closeness(a, b)
    if closeness is not None:
        parts.append((W_DATE, closeness))
        if said:
            reasons.append(said)
    if a.types and b.types:
        common = a.types & b.types
        parts.append((W_TYPES, len(common) / len(a.types | b.types)))
        if common:
            reasons.append(_("%(n)d violence type(s) in common") % {"n": len(common)})
    if a.city_id:
        same = a.city_id == b.city_id
        parts.append((W_CITY, 1.0 if same else 0.0))
        if same:
            reasons.append(_("same city (%(city)s)") % {"city": b.city_label})
    total = sum(w for w, _v in parts)
    value = sum(w * v for w, v in parts) / total
    # Without shared details, closeness in time and kind alone is not a duplicate.
    if similarity < 0.1:
        value = min(value, (MIN_SCORE - 1) / 100)
    return round(100 * value), reasons


# ---------------------------------------------------------------------------- candidates


def _window(qs: QuerySet[Any], tip: Tip, date_field: str) -> QuerySet[Any]:
    assert tip.date is not None  # called for a dated tip only
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


def _types_by(model_ids: list[int], through: Any, owner: str) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for owner_id, type_id in through.objects.filter(**{f"{owner}_id__in": model_ids}).values_list(
        f"{owner}_id", "violencetype_id"
    ):
        out.setdefault(owner_id, set()).add(type_id)
    return out


def incident_text(incident: Incident, narrative: bool = True) -> str:
    parts = (incident.title, incident.summary, incident.narrative if narrative else "")
    return " ".join(x for x in parts if x)


def find_duplicates(
    tip: Tip,
    incidents: QuerySet[Any] | None = None,
    tips: QuerySet[Any] | None = None,
    *,
    readable: QuerySet[Any] | None = None,
) -> list[Match]:
    """Ranked possible duplicates of `tip` among `incidents` and `tips` (the candidates the
    user may see; by default all), scoring at least MIN_SCORE. Restricted narratives are
    compared only for the incidents in `readable` (all when None): a score must not reveal
    words the user may not read."""
    type_ids = set(tip.violence_types.values_list("id", flat=True))
    me = Account(
        tip.narrative,
        tip.city_id,
        tip.city.label if tip.city else "",
        tip.date,
        tip.date_precision,
        type_ids,
    )
    mine = details(me.text)
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
        other = Account(
            incident_text(r, narrative=may_read is None or r.pk in may_read),
            r.city_id,
            r.city.label if r.city else "",
            r.date,
            r.date_precision,
            types.get(r.pk, set()),
        )
        value, reasons = score(me, other, mine)
        if value >= MIN_SCORE:
            matches.append(Match("incident", r, value, reasons))

    tip_qs = (tips if tips is not None else Tip.objects.all()).exclude(pk=tip.pk)
    tip_qs = _prefilter(tip_qs, tip, type_ids, "date")
    tip_rows = list(tip_qs.select_related("city").order_by("-created_at")[:CANDIDATE_LIMIT])
    ttypes = _types_by([t.pk for t in tip_rows], Tip.violence_types.through, "tip")
    for t in tip_rows:
        other = Account(
            t.narrative,
            t.city_id,
            t.city.label if t.city else "",
            t.date,
            t.date_precision,
            ttypes.get(t.pk, set()),
        )
        value, reasons = score(me, other, mine)
        if value >= MIN_SCORE:
            matches.append(Match("tip", t, value, reasons))

    matches.sort(key=lambda m: -m.score)
    return matches[:SHOWN]
