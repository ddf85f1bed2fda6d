"""The words of a build of the facet index: each word of the public texts, and where it is.

A public search's words are prefixes (`secuestro` finds `secuestros`), all of them required.
The full-text engines answer that from their own indexes, but a broad word at a million
incidents (`secuestro`: 400,000 of them) costs a scan of a quarter to a whole second there.
Here every distinct word of the build's public texts is kept in sorted order, with the
build's positions that hold it: the words starting with a prefix are one contiguous run of
that order, and the match is the union of their positions, intersected across the words of
the search, all in C. It grows with the number of distinct words of the prefix, not with
the matches.

Exactly the engines' answer: the stored texts are folded by `search.fold`, whose words are
the words FTS5 and PostgreSQL's parser find in them (test_word_index checks every character),
and both engines' prefix match is the same as `str.startswith`.

Memory: a word found in few incidents keeps its positions in one shared array (most words
of real text, and every reference number); a common one keeps a compressed bitmap. Beside
where each word is, the same kept for where it is twice and three times or more: relevance.py
orders a search's matches from them.
"""

from __future__ import annotations

import array
import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import compress
from operator import eq

from pyroaring import BitMap

FEW = 16  # positions up to which a word's list is kept in the shared array, not a bitmap
CHUNK = 50_000  # texts read and folded into the bitmaps at a time (bounds the build's memory)
LAST = chr(0x10FFFF)  # sorts after every character: words with a prefix are [p, p + LAST)
TIMES = 3  # how often a word is counted in a text, at most (relevance.py)


@dataclass(frozen=True)
class Postings:
    terms: list[str]  # distinct words, sorted (code points: the engines' byte order)
    starts: array.array[int]  # term i's few positions are few[starts[i]:starts[i + 1]]
    few: array.array[int]
    common: list[int]  # sorted indexes of the terms kept as bitmaps ...
    bitmaps: list[BitMap]  # ... and their bitmaps, in the same order

    def prefixed(self, prefix: str) -> BitMap:
        """The positions holding a word that starts with `prefix`."""
        lo = bisect.bisect_left(self.terms, prefix)
        hi = bisect.bisect_left(self.terms, prefix + LAST, lo)
        found = BitMap(self.few[self.starts[lo] : self.starts[hi]])
        a, b = bisect.bisect_left(self.common, lo), bisect.bisect_left(self.common, hi)
        return BitMap.union(found, *self.bitmaps[a:b]) if b > a else found


@dataclass(frozen=True)
class Words:
    # times[0]: where each word is; times[k]: where it is at least k + 1 times (for relevance)
    times: tuple[Postings, ...]

    @property
    def terms(self) -> list[str]:
        return self.times[0].terms

    def prefixed(self, prefix: str, times: int = 1) -> BitMap:
        """The positions holding, at least `times` times, one word that starts with `prefix`."""
        return self.times[times - 1].prefixed(prefix)

    def matching(self, prefixes: list[str]) -> BitMap:
        """The positions holding, for every prefix, a word that starts with it."""
        found: BitMap | None = None
        for prefix in sorted(prefixes, key=len, reverse=True):  # longest: likely the fewest
            here = self.prefixed(prefix)
            found = here if found is None else found & here
            if not found:
                break
        return found if found is not None else BitMap()


def build(texts: Iterable[tuple[int, str]]) -> Words:
    """The words of (position, folded public text) pairs."""
    postings: list[dict[str, BitMap]] = [{} for _ in range(TIMES)]
    pending: defaultdict[str, list[int]] = defaultdict(list)
    for n, (position, text) in enumerate(texts, 1):
        for word in text.split():  # a text's position, once per time the word is in it
            pending[word].append(position)
        if n % CHUNK == 0:
            _flush(pending, postings)
    _flush(pending, postings)
    return Words(tuple(_postings(found) for found in postings))


def _postings(found: dict[str, BitMap]) -> Postings:
    terms = sorted(found)
    starts, few = array.array("I", [0]), array.array("I")
    common, bitmaps = [], []
    for i, term in enumerate(terms):
        positions = found[term]
        if len(positions) <= FEW:
            few.extend(positions)
        else:
            positions.run_optimize()
            common.append(i)
            bitmaps.append(positions)
        starts.append(len(few))
    return Postings(terms, starts, few, common, bitmaps)


def _flush(pending: dict[str, list[int]], postings: list[dict[str, BitMap]]) -> None:
    for word, positions in pending.items():
        here = BitMap(positions)
        _add(postings[0], word, here)
        if len(here) == len(positions):
            continue  # no text holds it twice
        # A text's positions are side by side: one k places on is there k + 1 times or more.
        for k in range(1, TIMES):
            again = BitMap(compress(positions[k:], map(eq, positions, positions[k:])))
            if not again:
                break
            _add(postings[k], word, again)
    pending.clear()


def _add(into: dict[str, BitMap], word: str, positions: BitMap) -> None:
    kept = into.get(word)
    if kept is None:
        into[word] = positions
    else:
        kept |= positions
