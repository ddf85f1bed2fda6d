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
of real text, and every reference number); a common one keeps a compressed bitmap.
"""

from __future__ import annotations

import array
import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pyroaring import BitMap

FEW = 16  # positions up to which a word's list is kept in the shared array, not a bitmap
CHUNK = 50_000  # texts read and folded into the bitmaps at a time (bounds the build's memory)
LAST = chr(0x10FFFF)  # sorts after every character: words with a prefix are [p, p + LAST)


@dataclass(frozen=True)
class Words:
    terms: list[str]  # every distinct word, sorted (code points: the engines' byte order)
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
    postings: dict[str, BitMap] = {}
    pending: defaultdict[str, list[int]] = defaultdict(list)
    for n, (position, text) in enumerate(texts, 1):
        for word in text.split():  # a word twice in a text: the bitmap keeps it once
            pending[word].append(position)
        if n % CHUNK == 0:
            _flush(pending, postings)
    _flush(pending, postings)
    terms = sorted(postings)
    starts, few = array.array("I", [0]), array.array("I")
    common, bitmaps = [], []
    for i, term in enumerate(terms):
        positions = postings[term]
        if len(positions) <= FEW:
            few.extend(positions)
        else:
            positions.run_optimize()
            common.append(i)
            bitmaps.append(positions)
        starts.append(len(few))
    return Words(terms, starts, few, common, bitmaps)


def _flush(pending: dict[str, list[int]], postings: dict[str, BitMap]) -> None:
    for word, positions in pending.items():
        kept = postings.get(word)
        if kept is None:
            postings[word] = BitMap(positions)
        else:
            kept.update(positions)
    pending.clear()
