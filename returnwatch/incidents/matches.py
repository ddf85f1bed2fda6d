"""Words, dates and documents of a public search, answered once per build of the facet index.

The facet index (facets.py) answers facet and year filters from bitmaps, and words from the
build's own words (wordindex.py); what it cannot answer itself — a date range, a document —
goes to the database. The answer is kept here, per build and per question, as the build's
positions that match. Later searches with the same question (whatever their facets, sort or
page) intersect bitmaps instead of asking again, so a repeated search grows with the page
and the number of facet values, not with its matches. The order by relevance is
relevance.py's, from the build's words: nothing to rank in the database.

Why a kept answer stays exact without a timer: a build's rows never change. An incident
whose row, links or text changed since the build is dead in the index (the change log of
migrations 0016 and 0019 names it) and is matched afresh, with its current text, as one of
the index's few changed rows (`scores_of`). So a kept answer is only ever read for rows that
are as they were, and it is dropped with its build. Answers read inside a transaction (which
may yet roll back) are used, never kept.

Kept answers are shared with the other app servers through Django's cache (Redis when
several run), under the build's token: a question is asked once per build, not once per
process. When a new build is made, the questions asked of the last one are asked again in
the background (facets._build_in_background). The cache's expiry only frees memory: an entry
never changes, so it is never wrong.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import connection
from pyroaring import BitMap

from returnwatch import public

from . import relevance, search
from .filters import Search

if TYPE_CHECKING:
    from .facets import Base

KEPT = 64  # answers kept per process (a broad date range at 1,000,000: about 130 KB)
SHARED_FOR = 7 * 24 * 3600  # seconds an answer stays in the shared cache (memory, not truth)


@dataclass(frozen=True)
class Match:
    positions: BitMap  # the build's positions that match


_kept: OrderedDict[tuple[Any, ...], Match] = OrderedDict()
_asked: OrderedDict[tuple[Any, ...], Search] = OrderedDict()  # recent questions, newest last
_changed: OrderedDict[tuple[Any, ...], dict[int, float]] = OrderedDict()  # scores_of's answers
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
    """The positions of `base` matching `rest` (a search of words, dates, document only):
    the words from the build's own (in memory), the dates and document from the database,
    kept (without the words, so any words reuse them)."""
    words = search.words(rest.q)
    found = base.words.matching(words) if words else None
    if not (rest.date_from or rest.date_to or rest.document):
        return Match(found if found is not None else base.everything)
    dated = _dated(replace(rest, q=""), base)
    return dated if found is None else Match(dated.positions & found)


def _dated(rest: Search, base: Base) -> Match:
    key = (base.token, question(rest))
    with _lock:
        hit = _kept.get(key)
        if hit is not None:
            _kept.move_to_end(key)
            _asked.move_to_end(key[1])
    if hit is not None:
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
    return Match(base.positions(matching.order_by().values_list("pk", flat=True)))


def scores_of(rest: Search, pks: list[int], base: Base, seq: int) -> dict[int, float]:
    """Which of these incidents (changed since the build, as of change-log position `seq`)
    match `rest` now, with their relevance (relevance.py, 0 without words): from their
    current texts, the words weighed as in the build. Kept per position of the log: these
    rows change only with a new entry."""
    if not pks:
        return {}
    key = (base.token, seq, question(rest), tuple(sorted(pks)))
    with _lock:
        hit = _changed.get(key)
    if hit is not None:
        return hit
    others = replace(rest, q="")  # dates, document: the database
    matching = others.apply(public.incident_ids()).filter(pk__in=pks)
    words = search.words(rest.q)
    if words:
        idfs = relevance.idfs_of(base.words, words, len(base.order))
        found = {
            pk: s
            for pk, text in public.search_texts(among=matching)
            if (s := relevance.of_text(idfs, words, text)) is not None
        }
    else:
        found = dict.fromkeys(matching.order_by().values_list("pk", flat=True), 0.0)
    if not connection.in_atomic_block:
        with _lock:
            _changed[key] = found
            while len(_changed) > KEPT:
                _changed.popitem(last=False)
    return found


def forget() -> None:
    """Drop every answer this process kept, and the questions it remembers (tests, the
    benchmark); the shared cache is Django's."""
    with _lock:
        _kept.clear()
        _asked.clear()
        _changed.clear()
