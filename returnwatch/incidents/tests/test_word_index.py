"""The facet index's words (wordindex.py) answer a public search's words exactly as the
full-text engine in use would (FTS5 on SQLite, the 'simple' text search on PostgreSQL)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from pyroaring import BitMap

from returnwatch import public
from returnwatch.incidents import facets, search, wordindex
from returnwatch.incidents.models import Incident

# "a" + the character + "b", for every character up to the end of the second plane.
EVERY_CHARACTER = [
    (cp, search.fold("a" + chr(cp) + "b"))
    for cp in range(0x20, 0x30000)
    if not 0xD800 <= cp < 0xE000  # surrogates are not text
]


def engine_words(texts: list[tuple[int, str]]) -> dict[int, list[str]]:
    """The words the database's full-text tokenizer finds in each text (sorted on
    PostgreSQL, where a tsvector keeps its words sorted, in order on SQLite)."""
    found: dict[int, list[str]] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for i in range(0, len(texts), 20_000):
                chunk = texts[i : i + 20_000]
                cursor.execute(
                    "SELECT n, tsvector_to_array(to_tsvector('simple'::regconfig, t)) "
                    "FROM unnest(%s::int[], %s::text[]) AS x(n, t)",
                    [[n for n, _t in chunk], [t for _n, t in chunk]],
                )
                found.update((n, list(words)) for n, words in cursor.fetchall())
            return found
        # A table with the tokenizer of the real one (migration 0002).
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'incidents_fts'")
        match = re.search(r"tokenize\s*=\s*(\"[^\"]*\"|'[^']*')", cursor.fetchone()[0])
        assert match is not None
        cursor.execute(f"CREATE VIRTUAL TABLE temp.chars USING fts5(x, tokenize={match[1]})")
        cursor.execute("CREATE VIRTUAL TABLE temp.chars_words USING fts5vocab(chars, 'instance')")
        cursor.executemany("INSERT INTO temp.chars (rowid, x) VALUES (%s, %s)", texts)
        cursor.execute("SELECT doc, term FROM temp.chars_words ORDER BY doc, offset")
        for n, word in cursor.fetchall():
            found.setdefault(n, []).append(word)
        cursor.execute("DROP TABLE temp.chars_words")
        cursor.execute("DROP TABLE temp.chars")
    return found


@pytest.mark.django_db
def test_the_engine_finds_the_words_fold_finds_for_every_character() -> None:
    found = engine_words(EVERY_CHARACTER)
    postgres = connection.vendor == "postgresql"
    differ = [
        (hex(cp), text)
        for cp, text in EVERY_CHARACTER
        if found.get(cp, []) != (sorted(set(text.split())) if postgres else text.split())
    ]
    assert differ == []


def test_fold_of_folded_text_changes_nothing() -> None:
    assert [t for _cp, t in EVERY_CHARACTER if search.fold(t) != t] == []


def test_a_prefix_finds_every_word_that_starts_with_it_few_or_common() -> None:
    common = [(p, "secuestro casa") for p in range(wordindex.FEW + 5)]
    texts = [*common, (100, "secuestros 2025 00017"), (101, "sec"), (102, "secuestrada zeta")]
    words = wordindex.build(texts)
    once = words.times[0]
    assert "secuestro" in [once.terms[i] for i in once.common]  # kept as a bitmap
    assert words.prefixed("secuestro") == BitMap([*range(wordindex.FEW + 5), 100])
    assert words.prefixed("secuestr") == BitMap([*range(wordindex.FEW + 5), 100, 102])
    assert words.prefixed("sec") == BitMap([*range(wordindex.FEW + 5), 100, 101, 102])
    assert words.prefixed("00017") == BitMap([100])
    assert words.prefixed("zz") == BitMap() and words.prefixed("a") == BitMap()
    assert words.matching(["secuestr", "zeta"]) == BitMap([102])
    assert words.matching(["casa", "nada"]) == BitMap()


def full_text_ids(query: str) -> list[int]:
    """Ids of every entry the database's full-text index matches for `query` (public text)."""
    with connection.cursor() as cursor:
        cursor.execute(*search._match(search.words(query), "public"))
        return [pk for (pk,) in cursor.fetchall()]


QUERIES = [
    "kidnapped",
    "kid",
    "secuestro",
    "Juárez",
    "JUAREZ niña",
    "nina",
    "straße",
    "strasse",
    "ﬁre",
    "№ 7",
    "ᴬbc",
    "Ꮳherokee",
    "ꮳ",
    "σοφία",
    "ϲοφια",
    "日本",
    "дети",
    "2020",
    "rw 2020",
    "00001",
    "tijuana kidnapped family",
    "nothingmatchesthis",
]


@pytest.mark.django_db
def test_the_words_of_a_build_match_what_the_full_text_index_matches(make_incident: Any) -> None:
    titles = [
        "Family kidnapped in Tijuana",
        "Niña secuestrada en Ciudad Juárez",
        "Secuestros en Reynosa",
        "Straße ﬁre № 7",
        "ᴬbc and Ꮳherokee ꮳ",
        "Σοφία ϲοφια",
        "日本 дети",
        "Kidnapping of a family near Tijuana",
    ]
    made = [make_incident(title=t, summary=t.upper()) for t in titles]
    hidden = make_incident(title="Kidnapped, not yet published", status="draft")
    idx = facets.index(wait=True)
    assert idx is not None and idx.base.words is not None
    base = idx.base
    public_ids = set(public.incident_ids().values_list("pk", flat=True))
    assert {i.pk for i in made} <= public_ids and hidden.pk not in public_ids
    for query in QUERIES:
        expected = sorted(set(full_text_ids(query)) & public_ids)
        got = sorted(base.ids(base.words.matching(search.words(query))))
        assert got == expected, query
    assert base.ids(base.words.matching(["kidnapped"]))  # the corpus does match


@pytest.mark.django_db
def test_a_restricted_narrative_is_not_among_the_words(make_incident: Any) -> None:
    make_incident(title="Extortion at the bridge", narrative="Nombre Secreto told us")
    idx = facets.index(wait=True)
    assert idx is not None and idx.base.words is not None
    assert "secreto" not in idx.base.words.terms and "extortion" in idx.base.words.terms
    assert Incident.objects.get(title="Extortion at the bridge").search.everything != ""


@pytest.mark.django_db
def test_texts_folded_before_are_folded_again_by_the_migration(make_incident: Any) -> None:
    import importlib

    from django.apps import apps

    from returnwatch.incidents.models import SearchEntry

    refold = importlib.import_module("returnwatch.incidents.migrations.0018_refold_search_texts")
    old = make_incident(title="Case № 7 ᴬbc")
    plain = make_incident(title="Plain ascii case")
    # As the earlier fold stored them: a capital from NFKD, a number PostgreSQL splits at.
    SearchEntry.objects.filter(pk=old.pk).update(
        public="case No 7 Abc a৴b", everything="case No 7 Abc a৴b x Abc"
    )
    before = SearchEntry.objects.get(pk=plain.pk)

    class Editor:
        connection = connection

        def execute(self, sql: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)

    refold.forwards(apps, Editor())
    entry = SearchEntry.objects.get(pk=old.pk)
    assert (entry.public, entry.everything) == ("case no 7 abc a b", "case no 7 abc a b x abc")
    after = SearchEntry.objects.get(pk=plain.pk)
    assert (after.public, after.everything) == (before.public, before.everything)
    with connection.cursor() as cursor:  # every app server builds its index again
        cursor.execute("SELECT incident_id FROM incidents_changelog ORDER BY id DESC LIMIT 1")
        assert cursor.fetchone() == (None,)
