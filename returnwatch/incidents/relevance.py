"""Relevance: the order of a public search with words, one definition on both engines.

An incident's score for a search is, over the search's words,

    score = sum of idf(word) * weight(times)

- times: how often the incident's public text holds a word that starts with the query word
  (the most of any one such word: `secuestr` counts `secuestro` or `secuestrada`), counted
  as 1, 2, or 3 and more;
- weight(times) = times * (K1 + 1) / (times + K1), K1 = 1.2: BM25's saturation, so a second
  mention counts and a tenth little more (1, 1.375, 1.571);
- idf(word) = ln(1 + (N - n + 0.5) / (n + 0.5)): N the public incidents of the facet index's
  build, n those holding the word (BM25's, as Lucene has it: a rare word weighs more).

Ties go to the newer record (newest-first order). There is no length normalisation: public
texts are short and of one kind.

From the index (`ordered`): the build keeps where each word is once, twice and three times
(wordindex.py), so the matches split into classes of equal score with a few bitmap
intersections per word, and a page is read off the classes in order: the work grows with
the words and the page, not with the matches, and no full-text ranking runs in the database.
Incidents changed since the build are scored from their current text with the same
function (`of_text`), and so is every match while there is no index (`ranked_ids`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

from django.db import connection
from django.db.models import QuerySet
from pyroaring import BitMap

from returnwatch import public

from . import search
from .models import Incident
from .wordindex import TIMES, Words

K1 = 1.2
WEIGHT = [0.0] + [t * (K1 + 1) / (t + K1) for t in range(1, TIMES + 1)]


def idf(total: int, holding: int) -> float:
    return math.log(1 + (total - holding + 0.5) / (holding + 0.5))


def score(idfs: list[float], times: tuple[int, ...]) -> float:
    """The one sum, so equal counts give equal floats wherever they are computed."""
    return math.fsum(i * WEIGHT[t] for i, t in zip(idfs, times, strict=True))


def times_in(words: list[str], text: str) -> tuple[int, ...] | None:
    """For each query word, how often (at most TIMES) the folded text holds one word that
    starts with it; None when a word is not there (the text does not match)."""
    counts = Counter(text.split())
    out = []
    for word in words:
        most = max((n for w, n in counts.items() if w.startswith(word)), default=0)
        if not most:
            return None
        out.append(min(most, TIMES))
    return tuple(out)


def idfs_of(index: Words, words: list[str], total: int) -> list[float]:
    """Each word's weight as of the build (N, n from its positions)."""
    return [idf(total, len(index.prefixed(w))) for w in words]


def of_text(idfs: list[float], words: list[str], text: str) -> float | None:
    """The score of one folded public text (None: it does not match the words)."""
    times = times_in(words, text)
    return None if times is None else score(idfs, times)


def ordered(
    index: Words, words: list[str], found: BitMap, total: int
) -> Iterator[tuple[float, int]]:
    """(score, position) of the positions `found` (which match every word), most relevant
    first, ties newest first (lower position)."""
    idfs = idfs_of(index, words, total)
    parts: list[tuple[tuple[int, ...], BitMap]] = [((), found)]
    for word in words:  # split each part by how often this word is there
        at_least = [index.prefixed(word, t) for t in range(2, TIMES + 1)]
        split = []
        for times, part in parts:
            rest = part
            for t in range(TIMES, 1, -1):
                more = rest & at_least[t - 2]
                if more:
                    split.append(((*times, t), more))
                    rest = rest - more
            if rest:
                split.append(((*times, 1), rest))
        parts = split
    classes: dict[float, BitMap] = {}
    for times, part in parts:
        s = score(idfs, times)
        classes[s] = classes[s] | part if s in classes else part
    for s in sorted(classes, reverse=True):
        for position in classes[s]:
            yield s, position


def ranked_ids(qs: QuerySet[Incident], query: str) -> list[int]:
    """Ids of `qs` (public, filtered by the words) most relevant first, without the index:
    every match's text scored here, the weights counted with SQL."""
    words = search.words(query)
    published = public.incident_ids()
    total = published.count()
    idfs = [idf(total, search.filter_text(published, w).count()) for w in words]
    from .facets import _key  # newest-first order, the database's NULL order (one rule)

    nulls_first = connection.vendor == "postgresql"
    dates = dict(qs.order_by().values_list("pk", "date"))
    scored = []
    for pk, text in public.search_texts(among=qs):
        s = of_text(idfs, words, text)
        if s is not None and pk in dates:
            day = dates[pk]
            scored.append((-s, _key(day.toordinal() if day else 0, pk, nulls_first)))
    scored.sort()
    return [-key[2] for _s, key in scored]
