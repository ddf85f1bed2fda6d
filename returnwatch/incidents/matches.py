"""Words, dates and documents of a public search, answered once per build of the facet index.

The facet index (facets.py) answers facet and year filters from bitmaps; what it cannot
answer itself — the words, a date range, a document — goes to the database. The answer is
kept here, per build and per question, as the build's positions that match and, for words,
the same positions most relevant first with their scores. Later searches with the same words
(whatever their facets, sort or page) intersect bitmaps instead of asking again, so a
repeated search grows with the page and the number of facet values, not with its matches.

Why a kept answer stays exact without a timer: a build's rows never change. An incident
whose row, links or text changed since the build is dead in the index (the change log of
migration 0016 names it) and is matched afresh, with its current text, as one of the index's
few changed rows (`scores_of`). So a kept answer is only ever read for rows that are as
they were, and it is dropped with its build. Answers read inside a transaction (which may
yet roll back) are used, never kept.

Kept answers are shared with the other app servers through Django's cache (Redis when
several run), under the build's token: a word is asked once per build, not once per process.
When a new build is made, the questions asked of the last one are asked again in the
background (facets._build_in_background), so a rebuild does not send every visitor's first
search of a word back to the full-text match. The cache's expiry only frees memory: an entry
never changes, so it is never wrong.
"""

from __future__ import annotations

import array
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import connection
from pyroaring import BitMap

from returnwatch import public

from . import search
from .filters import Search

if TYPE_CHECKING:
    from .facets import Base

KEPT = 64  # answers kept per process (a broad word at 1,000,000 incidents: about 2 MB)
SHARED_FOR = 7 * 24 * 3600  # seconds an answer stays in the shared cache (memory, not truth)


@dataclass(frozen=True)
class Match:
    positions: BitMap  # the build's positions that match
    ranked: array.array[int]  # with words: the same positions, most relevant first
    scores: array.array[float]  # their scores (lower is more relevant, search.ranked_rows)


_kept: OrderedDict[tuple[Any, ...], Match] = OrderedDict()
_asked: OrderedDict[tuple[Any, ...], Search] = OrderedDict()  # recent questions, newest last
_lock = threading.Lock()


def question(rest: Search) -> tuple[Any, ...]:
    """What of a search the database answers (Search.apply reads only these fields here)."""
    return (tuple(search.words(rest.q)), rest.date_from, rest.date_to, rest.document)


def has_words(rest: Search) -> bool:
    return bool(search.words(rest.q))


def _shared_key(key: tuple[Any, ...]) -> str:
    return "matches:" + hashlib.sha256(repr(key).encode()).hexdigest()


def _keep(key: tuple[Any, ...], rest: Search, found: Match) -> None:
    with _lock:
        _kept[key] = found
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
        _asked[key[1]] = rest
        _asked.move_to_end(key[1])
        while len(_asked) > KEPT:
            _asked.popitem(last=False)


def of_build(rest: Search, base: Base) -> Match:
    """The positions of `base` matching `rest` (a search of words, dates, document only)."""
    key = (base.token, question(rest))
    with _lock:
        hit = _kept.get(key)
        if hit is not None:
            _kept.move_to_end(key)
            _asked.move_to_end(key[1])
            return hit
    if connection.in_atomic_block:  # may yet roll back: used, neither kept nor shared
        return _ask(rest, base)
    shared: Match | None = cache.get(_shared_key(key))
    if shared is None:
        shared = _ask(rest, base)
        cache.set(_shared_key(key), shared, SHARED_FOR)
    _keep(key, rest, shared)
    return shared


def ask_again(base: Base) -> int:
    """Answer for a new build the questions asked recently, newest first (in the background,
    after the build is shared). Returns how many were asked."""
    with _lock:
        recent = list(reversed(_asked.values()))
    for rest in recent:
        of_build(rest, base)
    return len(recent)


def _ask(rest: Search, base: Base) -> Match:
    matching = rest.apply(public.incident_ids())
    where, size = base.where, len(base.where)
    ranked, scores = array.array("I"), array.array("d")  # "I": what BitMap reads as is
    if has_words(rest):
        for pk, score in search.ranked_rows(matching, rest.q, "public"):
            if pk < size and (p := where[pk]) >= 0:
                ranked.append(p)
                scores.append(score)
        return Match(BitMap(ranked), ranked, scores)
    ids = matching.order_by().values_list("pk", flat=True).iterator(10000)
    return Match(base.positions(ids), ranked, scores)


def scores_of(rest: Search, pks: list[int]) -> dict[int, float]:
    """Which of these incidents (changed since the build) match `rest` now, with their
    scores when it has words (0 without)."""
    if not pks:
        return {}
    matching = rest.apply(public.incident_ids()).filter(pk__in=pks)
    if has_words(rest):
        return dict(search.ranked_rows(matching, rest.q, "public"))
    return dict.fromkeys(matching.order_by().values_list("pk", flat=True), 0.0)


def forget() -> None:
    """Drop every answer this process kept, and the questions it remembers (tests, the
    benchmark); the shared cache is Django's."""
    with _lock:
        _kept.clear()
        _asked.clear()
