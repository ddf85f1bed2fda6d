"""Relevance (relevance.py): more mentions of rarer words first, ties newest first; the same
order from the index, for incidents changed since its build, and without the index."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from django.http import QueryDict

from returnwatch import public
from returnwatch.incidents import facets, filters, relevance, wordindex

TEXTS = [
    "secuestro en reynosa",  # 0
    "secuestro secuestro secuestros familia",  # 1: secuestro twice
    "secuestrada familia familia familia",  # 2: familia three times
    "familia reynosa reynosa",  # 3
    "secuestro secuestro secuestro secuestro familia",  # 4: four times counts as three
    "extorsion",  # 5
]


def plain_order(words: list[str]) -> list[int]:
    """relevance.py's definition written out over TEXTS, ties by position."""

    def times(word: str, text: str) -> int:
        found = text.split()
        return min(3, max([found.count(w) for w in found if w.startswith(word)] or [0]))

    matching = [p for p, t in enumerate(TEXTS) if all(times(w, t) for w in words)]
    weights = []
    for word in words:
        n = sum(1 for t in TEXTS if times(word, t))
        weights.append(math.log(1 + (len(TEXTS) - n + 0.5) / (n + 0.5)))

    def score(p: int) -> float:
        return sum(
            w * t * 2.2 / (t + 1.2)
            for w, t in zip(weights, [times(x, TEXTS[p]) for x in words], strict=True)
        )

    return sorted(matching, key=lambda p: (-round(score(p), 9), p))


@pytest.mark.parametrize(
    "words",
    [
        ["secuestro"],
        ["secuestr"],
        ["familia"],
        ["secuestr", "familia"],
        ["reynosa", "secuestro"],
        ["f", "s"],
    ],
)
def test_the_index_orders_by_the_definition(words: list[str]) -> None:
    index = wordindex.build(enumerate(TEXTS))
    found = index.matching(words)
    got = [p for _s, p in relevance.ordered(index, words, found, len(TEXTS))]
    assert got == plain_order(words)
    assert got  # each of these matches something


def test_a_text_scores_as_its_class_in_the_index() -> None:
    index = wordindex.build(enumerate(TEXTS))
    words = ["secuestr", "familia"]
    idfs = relevance.idfs_of(index, words, len(TEXTS))
    ranked = dict(
        (p, s) for s, p in relevance.ordered(index, words, index.matching(words), len(TEXTS))
    )
    for position, score in ranked.items():
        assert relevance.of_text(idfs, words, TEXTS[position]) == score
    assert relevance.of_text(idfs, words, "nothing here") is None


def page(client: Any, query: str) -> list[str]:
    return [r.reference for r in client.get(f"/incidents/?{query}").context["results"]]


@pytest.mark.django_db(transaction=True)
def test_a_change_moves_an_incident_at_once_and_every_path_agrees(
    client: Any, make_incident: Any, monkeypatch: Any
) -> None:
    robbery = ["armed-robbery"]  # (a kidnapping's labels would say "kidnapping" twice)
    older = make_incident(
        title="Kidnapping at the bridge", summary="One kidnapping.", types=robbery
    )
    newer = make_incident(title="Robbery", summary="A kidnapping was mentioned.", types=robbery)
    plain = make_incident(title="Assault", summary="Nothing of the kind.", types=robbery)
    newer.date = older.date.replace(year=older.date.year + 1)
    newer.save()
    facets._memo[:] = []
    assert facets.index(wait=True) is not None
    # Twice "kidnapping" against once: the older incident first, then the newer one.
    assert page(client, "q=kidnapping") == [older.reference, newer.reference]
    # An edit, applied to the index from the change log (no rebuild): three mentions now.
    newer.summary = "Kidnapping, a kidnapping and a kidnapping again."
    newer.save()
    idx = facets.index()
    assert idx is not None and newer.pk in idx.extra
    assert page(client, "q=kidnapping") == [newer.reference, older.reference]
    # Without the index (while it is built), the same order from the texts themselves.
    monkeypatch.setattr(facets, "index", lambda **kw: None)
    assert page(client, "q=kidnapping") == [newer.reference, older.reference]
    s = filters.parse(QueryDict("q=kidnapping"))
    assert list(s.order(s.apply(public.incidents()))) == [newer, older]
    assert plain.reference not in page(client, "q=kidnapping")


def test_weights_saturate() -> None:
    assert relevance.WEIGHT[1] == 1.0
    assert [round(w, 3) for w in relevance.WEIGHT[1:]] == [1.0, 1.375, 1.571]
    assert list(itertools.pairwise(relevance.WEIGHT))  # increasing
    assert all(a < b for a, b in itertools.pairwise(relevance.WEIGHT))
