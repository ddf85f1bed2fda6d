"""Full-text search on SQLite FTS5 and PostgreSQL text search, with the same results on both.

Text is folded in Python (lower case, accents removed, split into words) before it is stored
and before it is queried, so `Juárez`, `juarez` and `JUAREZ` are one word on both engines, and
each query word matches as a prefix (`secuestro` finds `secuestros`). The index carries the
Spanish and English labels of every vocabulary value, so `secuestro` finds a kidnapping
written up in English. The staff index (`everything`) holds restricted narratives only as
keyed hashes of their words and prefixes (encryption.search_tokens): a staff query word
matches public words by prefix and restricted words by its own keyed hash.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from .encryption import TOKEN_PREFIX, search_token, search_tokens
from .models import Incident, SearchEntry

WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 12


# Characters both engines must split words at, though Python's tables call them letters or
# digits: numbers that are neither decimal digits nor letters (category No: PostgreSQL's
# parser splits at them), and New Tai Lue and Vedic signs (letters in Python's Unicode, signs
# in SQLite's). With them replaced by a space, FTS5, PostgreSQL's parser and
# `fold` find the same words in every folded text (test_word_index), so the facet index's
# words (wordindex.py) answer exactly what the engines would.
_SPLIT = frozenset([*range(0x19B0, 0x19C1), 0x19C8, 0x19C9, 0x1CF2, 0x1CF3])


class _Marks(dict[int, int | str | None]):
    """str.translate table deleting combining marks and replacing the characters above with
    a space, filled as characters are met."""

    def __missing__(self, code: int) -> int | str | None:
        char = chr(code)
        kept: int | str | None = code
        if unicodedata.combining(char):
            kept = None
        elif code in _SPLIT or unicodedata.category(char) == "No":
            kept = " "
        self[code] = kept
        return kept


_MARKS = _Marks()


def fold(text: str) -> str:
    """Lower case, no accents, words separated by single spaces; fold(fold(t)) == fold(t)."""
    if text.isascii():  # nothing to decompose (most text, and all of every reference)
        plain = text.lower()
    else:
        # Folded again after the decomposition: NFKD can give capitals (ᴬ → A) and a final
        # sigma (ϲ → ς); lower(), as casefold leaves Cherokee in capitals where the engines
        # lower it.
        plain = unicodedata.normalize("NFKD", text.casefold()).casefold().lower()
        plain = plain.translate(_MARKS)
    return " ".join(WORD.findall(plain))


def words(query: str) -> list[str]:
    return fold(query).split()[:MAX_WORDS]


# ---------------------------------------------------------------------------- indexing


def _labels(term: object) -> list[str]:
    return [getattr(term, f"label_{lang}", "") for lang in ("en", "es")] + [
        getattr(term, "code", "")
    ]


# What of a vocabulary term the texts read (`compose`: its labels and code, a city's state)
# and the order they read terms in: when one of these changes, the entries of the incidents
# using the term are written again (signals.py, tasks.reindex_term).
TERM_FIELDS = ("label_en", "label_es", "code", "state", "position")


def term_fields(term: object) -> tuple[Any, ...]:
    return tuple(getattr(term, f, None) for f in TERM_FIELDS)


# The vocabularies whose labels the texts hold, in the order they are read (`texts`, and the
# bulk writer's `prepare`); a change of one of their terms re-indexes (signals.py).
SINGLE_TERMS = ("city", "place_type", "program", "port_of_entry")
MULTI_TERMS = ("violence_types", "perpetrators", "victim_groups", "nationalities")


def texts(incident: Incident) -> tuple[str, str]:
    """(public text, everything) for one incident; public text holds only public fields."""
    terms: list[Any] = [t for t in (getattr(incident, f) for f in SINGLE_TERMS) if t]
    for name in MULTI_TERMS:
        terms += list(getattr(incident, name).all())
    return compose(incident, terms)


def compose(
    incident: Incident, terms: Iterable[Any], memo: dict[str, str] | None = None
) -> tuple[str, str]:
    """Index text from an incident's own fields and its vocabulary terms (already loaded);
    `memo` as for `staff_text`."""
    parts: list[str] = [incident.reference, incident.title, incident.summary]
    for term in terms:
        parts += _labels(term)
    if incident.city is not None:
        parts.append(incident.city.state)
    if incident.year:
        parts.append(str(incident.year))
    public = fold(" ".join(p for p in parts if p))
    return public, staff_text(public, incident.narrative, memo)


def staff_text(public: str, narrative: str | None, memo: dict[str, str] | None = None) -> str:
    """The staff index text: the public text, then keyed hashes of the restricted
    narrative's words (it is encrypted at rest; the index must not hold its words)."""
    tokens = search_tokens(fold(narrative or "").split(), memo)  # memo: encryption.search_tokens
    return " ".join([public, *tokens]).strip()


def index(incident_ids: Iterable[int], *, batch: int = 2000) -> int:
    """(Re)build the entries of these incidents: on every save, delete and change, and for
    every case using a renamed vocabulary term (thousands at once: tasks.reindex_term).
    A batch at a time, entries whose texts changed are written (one statement), missing
    ones created, and those of incidents that no longer exist deleted. Returns how many
    entries were written."""
    ids = sorted(set(incident_ids))
    written = 0
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        entries = SearchEntry.objects.in_bulk(chunk)
        changed, new = [], []
        for incident in prefetched(chunk):
            public, everything = texts(incident)
            entry = entries.pop(incident.pk, None)
            if entry is None:
                new.append(SearchEntry(incident=incident, public=public, everything=everything))
            elif (entry.public, entry.everything) != (public, everything):
                entry.public, entry.everything = public, everything
                changed.append(entry)
        if changed:
            SearchEntry.objects.bulk_update(changed, ["public", "everything"])
        if new:
            SearchEntry.objects.bulk_create(new)
        if entries:  # left over: their incidents are gone
            SearchEntry.objects.filter(incident_id__in=list(entries)).delete()
        written += len(changed) + len(new)
    return written


def bulk_index(incidents: Iterable[Incident]) -> None:
    """Insert entries for new incidents (with vocabularies prefetched) in one statement."""
    SearchEntry.objects.bulk_create(
        [
            SearchEntry(incident_id=i.pk, public=p, everything=e)
            for i in incidents
            for p, e in [texts(i)]
        ],
        batch_size=2000,
    )


# ---------------------------------------------------------------------------- querying


def _term(term: str, scope: str) -> str:
    """One query word as the engine's expression: a prefix; in the staff scope also the keyed
    token of restricted text. On SQLite a staff word names its columns: a word that begins
    the tokens' prefix ("z") is a prefix of the public words only, or it would match every
    token; the public text is also the start of `everything`, so other words are searched
    there as before (the same bm25)."""
    pg = connection.vendor == "postgresql"
    if scope == "everything":
        token = search_token(term)
        if pg:  # the ranking's expression (`ranked_rows`); `_where` matches each vector alone
            star = "" if term.startswith(TOKEN_PREFIX) else ":*"
            return f"{term}{star} | {token}"
        if TOKEN_PREFIX.startswith(term):
            return f'public : "{term}"* OR everything : "{token}"'
        star = "" if term.startswith(TOKEN_PREFIX) else "*"
        return f'everything : ("{term}"{star} OR "{token}")'
    return f"{term}:*" if pg else f'"{term}"*'


def _expression(terms: list[str], scope: str = "public") -> str:
    """Every word of a query, all required (see `_term`)."""
    joined = " & " if connection.vendor == "postgresql" else " AND "
    return joined.join(f"({_term(t, scope)})" for t in terms)


# On PostgreSQL the staff text is two stored tsvectors (migration 0020): the public text's
# and the restricted tokens' (what `staff_text` adds after it). Their concatenation is the
# vector of the whole staff text.
_TSQUERY = "to_tsquery('simple'::regconfig, %s)"
_STAFF_VECTOR = "(public_vector || restricted_vector)"


def _where(terms: list[str], scope: str) -> tuple[str, list[str]]:
    """PostgreSQL's condition for entries matching every term, with its parameters: one
    query on the public vector, or in the staff scope each word as a prefix of the public
    words or as the keyed token of a restricted one (each of the two GIN indexes answers its
    part; a token is never a prefix, so "z" does not match every token)."""
    if scope == "public":
        return f"public_vector @@ {_TSQUERY}", [_expression(terms)]
    either = f"(public_vector @@ {_TSQUERY} OR restricted_vector @@ {_TSQUERY})"
    return " AND ".join([either] * len(terms)), [
        e for t in terms for e in (f"{t}:*", search_token(t))
    ]


def _match(terms: list[str], scope: str) -> tuple[str, list[str]]:
    """SQL giving the ids of the entries matching every term, with its parameters."""
    if connection.vendor == "postgresql":
        where, args = _where(terms, scope)
        return f"SELECT incident_id FROM incidents_searchentry WHERE {where}", args
    return f"SELECT rowid FROM incidents_fts WHERE {_fts_match(scope)}", [_expression(terms, scope)]


def _fts_match(scope: str) -> str:
    """SQLite's MATCH: on the public column, or on the table (staff words name columns)."""
    return "public MATCH %s" if scope == "public" else "incidents_fts MATCH %s"


def filter_text(qs: QuerySet[Incident], query: str, *, scope: str = "public") -> QuerySet[Incident]:
    """Incidents whose text matches every word of `query`; `scope` is public or everything."""
    assert scope in ("public", "everything")
    terms = words(query)
    if not terms:
        return qs
    return qs.filter(pk__in=RawSQL(*_match(terms, scope)))


class Ranked:
    """Results in order of relevance, sliceable like a queryset (for Paginator).

    Staff search: the ranking runs once as a single full-text query over the matching set
    (FTS5's bm25, PostgreSQL's ts_rank); public search without the facet index: relevance.py
    scores the matches' texts. Only the rows of the page asked for are then fetched. Ties go
    to the newer record.
    """

    def __init__(self, qs: QuerySet[Incident], query: str, scope: str) -> None:
        self.qs = qs
        self.query = query
        self.scope = scope
        self._ids: list[int] | None = None

    def ids(self) -> list[int]:
        if self._ids is None:
            if self.scope == "public":  # the public order is relevance.py's, on both engines
                from . import relevance

                self._ids = relevance.ranked_ids(self.qs, self.query)
            else:
                self._ids = [pk for pk, _score in ranked_rows(self.qs, self.query, self.scope)]
        return self._ids

    def count(self) -> int:
        return len(self.ids())

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Any:
        return iter(self[:])

    def __getitem__(self, key: slice) -> list[Incident]:
        page = self.ids()[key]
        rows = {r.pk: r for r in self.qs.filter(pk__in=page)}
        return [rows[pk] for pk in page if pk in rows]


def ranked_rows(qs: QuerySet[Incident] | None, query: str, scope: str) -> list[tuple[int, float]]:
    """(id, score) of the incidents of `qs` (None: of every entry) matching `query`, most
    relevant first: one full-text query over the match set. A lower score is more relevant
    (SQLite's bm25, minus PostgreSQL's ts_rank); ties go to the newer record."""
    inner, params = (
        qs.order_by().values("pk").query.sql_with_params() if qs is not None else ("", ())
    )
    terms = words(query)
    expr = _expression(terms, scope)
    if connection.vendor == "postgresql":
        vector = "public_vector" if scope == "public" else _STAFF_VECTOR
        where, where_args = _where(terms, scope)
        among = f" AND incident_id IN ({inner})" if qs is not None else ""
        sql = (
            f"SELECT incident_id, -ts_rank({vector}, {_TSQUERY}) AS r FROM incidents_searchentry "
            f"WHERE {where}{among} ORDER BY r, incident_id DESC"
        )
        args = [expr, *where_args, *params]
    else:
        # MATERIALIZED: FTS5 must run the match once, not once per candidate row.
        among = f" WHERE id IN ({inner})" if qs is not None else ""
        sql = (
            f"WITH f(id, r) AS MATERIALIZED (SELECT rowid, rank FROM incidents_fts "
            f"WHERE {_fts_match(scope)}) "
            f"SELECT id, r FROM f{among} ORDER BY r, id DESC"
        )
        args = [expr, *params]
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return [(int(pk), float(score)) for pk, score in cursor.fetchall()]


def order_by_relevance(
    qs: QuerySet[Incident], query: str, *, scope: str = "public"
) -> QuerySet[Incident] | Ranked:
    """Matching incidents, most relevant first (`qs` must already be filtered by the text)."""
    if not words(query):
        return qs
    return Ranked(qs, query, scope)


def rebuild() -> int:
    """Re-index every incident (after a bulk load or to repair the index)."""
    SearchEntry.objects.all().delete()
    ids = Incident.objects.values_list("pk", flat=True).order_by("pk")
    chunk: list[int] = []
    total = 0
    for pk in ids.iterator(chunk_size=2000):
        chunk.append(pk)
        if len(chunk) == 2000:
            bulk_index(prefetched(chunk))
            total += len(chunk)
            chunk = []
    if chunk:
        bulk_index(prefetched(chunk))
        total += len(chunk)
    # Every text may have changed: the change log says "everything" (a NULL id, as for a
    # TRUNCATE), so every app server makes a new facet index and drops the answers it kept
    # for words (matches.py).
    # (Migration 0014 rebuilds before the log exists.)
    if "incidents_changelog" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO incidents_changelog (incident_id) VALUES (NULL)")
    return total


def rekey(narratives: list[tuple[int, str]]) -> tuple[int, int]:
    """Recompute the keyed word hashes of these incidents' staff entries under the current
    field key (after a key rotation), from each entry's stored public text and the incident's
    narrative: (pk, decrypted narrative) pairs. Writes only the entries that change, so running
    it again changes nothing; an incident without an entry gets one (`index`).
    Returns (entries rewritten, entries created)."""
    entries = {
        e.pk: e
        for e in SearchEntry.objects.filter(incident_id__in=[pk for pk, _ in narratives]).only(
            "incident_id", "public", "everything"
        )
    }
    changed = []
    for pk, narrative in narratives:
        entry = entries.get(pk)
        if entry is None:
            continue
        text = staff_text(entry.public, narrative)
        if text != entry.everything:
            entry.everything = text
            changed.append(entry)
    if changed:
        SearchEntry.objects.bulk_update(changed, ["everything"])
    missing = [pk for pk, _ in narratives if pk not in entries]
    if missing:
        index(missing)
    return len(changed), len(missing)


def prefetched(ids: list[int]) -> QuerySet[Incident]:
    return (
        Incident.objects.filter(pk__in=ids)
        .select_related(*SINGLE_TERMS)
        .prefetch_related(*MULTI_TERMS)
    )
