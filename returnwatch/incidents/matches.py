"""Words, dates and documents of a public search, answered once per build of the facet index.

The facet index (facets.py) answers facet and year filters from bitmaps; what it cannot
answer itself — the words, a date range, a document — goes to the database. The answer is
kept here, per build and per question, as the build's positions that match and, for words,
the same positions most relevant first with their scores. Later searches with the same words
(whatever their facets, sort or page) intersect bitmaps instead of asking again, so a
repeated search grows with the page and the number of facet values, not with its matches.

A word's first search takes its matches from the build's own words (wordindex.py; the
full-text index only for a build without them). Their ranking, the costly part, is made in
a background thread, once across app servers (a claim in the cache); until it is kept, a
search by relevance ranks only its own matches, the first page's worth
(search.ranked_among), which gives the same order.

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
from dataclasses import dataclass, replace
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
    # With words, once ranked (in the background after the first ask): the same positions,
    # most relevant first, and their scores (lower is more relevant, search.ranked_rows).
    ranked: array.array[int] | None = None
    scores: array.array[float] | None = None


_kept: OrderedDict[tuple[Any, ...], Match] = OrderedDict()
_asked: OrderedDict[tuple[Any, ...], Search] = OrderedDict()  # recent questions, newest last
_changed: OrderedDict[tuple[Any, ...], dict[int, float]] = OrderedDict()  # scores_of's answers
_lock = threading.Lock()
_threads: list[threading.Thread] = []


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


def of_build(rest: Search, base: Base, *, rank: bool = False) -> Match:
    """The positions of `base` matching `rest` (a search of words, dates, document only).

    The first ask is the match alone (cheap); the ranking of the words' matches follows in
    the background (`rank`: here and now), and until it is kept, a search by relevance ranks
    its own matches (`ranked_among`)."""
    key = (base.token, question(rest))
    words = has_words(rest)
    with _lock:
        hit = _kept.get(key)
        if hit is not None:
            _kept.move_to_end(key)
            _asked.move_to_end(key[1])
    if hit is not None and (hit.ranked is not None or not words):
        return hit
    if connection.in_atomic_block:  # may yet roll back: used, neither kept nor shared
        return hit or _ask(rest, base)
    shared: Match | None = cache.get(_shared_key(key))  # perhaps ranked by now, elsewhere
    if shared is None:
        shared = hit or _ask(rest, base)
        cache.set(_shared_key(key), shared, SHARED_FOR)
    if words and shared.ranked is None:
        if rank:
            shared = _rank(key, rest, base, shared)
        elif cache.add(_shared_key(key) + ":ranking", 1, 300):  # once across app servers
            thread = threading.Thread(
                target=_rank_in_background, args=(key, rest, base, shared), daemon=True
            )
            _threads.append(thread)
            thread.start()
    _keep(key, rest, shared)
    return shared


def ask_again(base: Base) -> int:
    """Answer for a new build the questions asked recently, newest first (in the background,
    after the build is shared), ranked at once. Returns how many were asked."""
    with _lock:
        recent = list(reversed(_asked.values()))
    for rest in recent:
        of_build(rest, base, rank=True)
    return len(recent)


def _ask(rest: Search, base: Base) -> Match:
    if rest.date_from or rest.date_to or rest.document:
        matching = rest.apply(public.incident_ids())
        return Match(base.positions(matching.order_by().values_list("pk", flat=True)))
    if base.words is not None:  # words only: the build's own words (wordindex.py)
        return Match(base.words.matching(search.words(rest.q)))
    # Else the full-text index alone. Its ids that are not public, or not in the build, have
    # no position (the build holds only what was public).
    return Match(base.positions(search.matching_ids(rest.q)))


def _rank(key: tuple[Any, ...], rest: Search, base: Base, found: Match) -> Match:
    """`found` with the ranking of its positions, kept and shared."""
    where, size, keep = base.where, len(base.where), found.positions
    ranked, scores = array.array("I"), array.array("d")  # "I": what BitMap reads as is
    for pk, score in search.ranked_rows(None, rest.q, "public"):
        if pk < size and (p := where[pk]) >= 0 and p in keep:
            ranked.append(p)
            scores.append(score)
    done = Match(keep, ranked, scores)
    cache.set(_shared_key(key), done, SHARED_FOR)
    _keep(key, rest, done)
    return done


def _rank_in_background(key: tuple[Any, ...], rest: Search, base: Base, found: Match) -> None:
    try:
        _rank(key, rest, base, found)
    finally:
        cache.delete(_shared_key(key) + ":ranking")
        connection.close()


def ranked_among(rest: Search, ids: list[int], limit: int) -> list[tuple[int, float]]:
    """The first `limit` of these matches of `rest` by relevance, before its ranking is kept."""
    return search.ranked_among(ids, rest.q, "public", limit)


def scores_of(rest: Search, pks: list[int], base: Base, seq: int) -> dict[int, float]:
    """Which of these incidents (changed since the build, as of change-log position `seq`)
    match `rest` now, with their scores when it has words (0 without). Kept per position of
    the log: these rows change only with a new entry."""
    if not pks:
        return {}
    key = (base.token, seq, question(rest), tuple(sorted(pks)))
    with _lock:
        hit = _changed.get(key)
    if hit is not None:
        return hit
    others = replace(rest, q="")  # the words go to ranked_among: scores for these rows only
    matching = others.apply(public.incident_ids()).filter(pk__in=pks).order_by()
    ids = list(matching.values_list("pk", flat=True))
    if has_words(rest):
        found = dict(search.ranked_among(ids, rest.q, "public"))
    else:
        found = dict.fromkeys(ids, 0.0)
    if not connection.in_atomic_block:
        with _lock:
            _changed[key] = found
            while len(_changed) > KEPT:
                _changed.popitem(last=False)
    return found


def wait_for_background() -> None:
    """Let this process's rankings in the background finish (tests, the benchmark)."""
    while _threads:
        _threads.pop().join()


def forget() -> None:
    """Drop every answer this process kept, and the questions it remembers (tests, the
    benchmark); the shared cache is Django's."""
    wait_for_background()
    with _lock:
        _kept.clear()
        _asked.clear()
        _changed.clear()
