"""One fast writer of new incidents, shared by the importer (imports/importer/applying.py) and
`manage.py generate_incidents`: what `Incident.save()` and its signals would write, for
thousands of records at once.

For each new incident it writes exactly what a `save()` followed by setting its vocabularies
writes, and nothing else:

- the fields `save()` derives (`Incident.derive`: year and month from the date) and a
  reference from the one allocator (incidents/references.py), numbered per batch;
- the row as `bulk_create` would write it (every concrete field prepared by the field itself:
  `auto_now` times, the narrative encrypted at rest, the row digest of audit/rows.py computed
  last), many rows per statement instead of per-value SQL;
- the rows of its many-to-many tables (vocabularies, tags) and its citations;
- its search entry, composed by `search.compose` from the terms already in memory, in the
  order `search.texts` reads them, so the entry equals the one `search.index` would write.

`write_batch` is `prepare` (everything that needs no database, so another process can do it:
`generate_incidents`, incidents/synthetic.py) then `write`.

Counts and facets need nothing more: the database's data-version triggers see these inserts
(incidents migration 0015). The audit entries are the caller's (an import records each
creation; synthetic data records none). Call inside a transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.db.models import AutoField, BigAutoField, SmallAutoField

from . import references, search
from .models import Citation, Document, Incident, SearchEntry, Tag

# The vocabularies, in the order search.texts reads them.
MULTI = search.MULTI_TERMS
SINGLE = search.SINGLE_TERMS
BATCH = 5000


@dataclass
class NewIncident:
    """An unsaved incident with its fields set (vocabulary foreign keys as objects), and what
    hangs on it: many-valued vocabulary terms by field name, tags, cited documents."""

    incident: Incident
    multi: dict[str, list[Any]] = field(default_factory=dict)
    tags: list[Tag] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)


def create(
    items: Sequence[NewIncident],
    *,
    batch_size: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> list[Incident]:
    """Write these new incidents (and their links, citations and search entries) in batches;
    each incident gets its pk and reference. `progress(n)` is told how many are written."""
    done = 0
    for start in range(0, len(items), batch_size):
        batch = items[start : start + batch_size]
        write_batch(batch)
        done += len(batch)
        if progress is not None:
            progress(done)
    return [item.incident for item in items]


def write_batch(batch: Sequence[NewIncident]) -> None:
    """Write one batch: references from the allocator, then `write(prepare(batch))`."""
    if not batch:
        return
    incidents = [item.incident for item in batch]
    _allocate([i for i in incidents if not i.reference])
    for incident, pk in zip(incidents, write(prepare(batch)), strict=True):
        incident.pk = pk
        incident._state.adding = False
        incident._state.db = connection.alias


@dataclass
class Prepared:
    """A batch as database values, made without the database (`prepare`), so that another
    process can make the next batch while this one writes (`generate_incidents`). Related
    rows name their incident by its index in the batch: its id is known once it is written."""

    references: list[str]
    rows: list[list[Any]]  # the incidents' rows, columns as `_fields(Incident)`
    links: dict[str, list[tuple[int, int]]]  # many-to-many field -> (index, other id)
    citations: list[tuple[int, int]]  # (index, document id)
    entries: list[tuple[str, str]]  # (public, everything) search texts, by index


def prepare(batch: Sequence[NewIncident]) -> Prepared:
    """Everything of a batch that needs no database: the derived fields, the rows (encrypted
    and sealed), the link pairs and the search texts. Every incident has its reference."""
    if any(not item.incident.reference for item in batch):
        raise ValueError("prepare() needs every incident's reference (write_batch gives them)")
    links: dict[str, list[tuple[int, int]]] = defaultdict(list)
    citations: list[tuple[int, int]] = []
    entries: list[tuple[str, str]] = []
    tokens: dict[str, str] = {}  # the batch's restricted words' search tokens, then dropped
    for n, item in enumerate(batch):
        item.incident.derive()
        terms: list[Any] = [t for t in (getattr(item.incident, f) for f in SINGLE) if t]
        for name in MULTI:
            chosen = _ordered(item.multi.get(name, ()))
            links[name] += [(n, term.pk) for term in chosen]
            terms += chosen
        links["tags"] += [(n, tag.pk) for tag in _unique(item.tags)]
        citations += [(n, d.pk) for d in _unique(item.documents)]
        entries.append(search.compose(item.incident, terms, tokens))
    incidents = [item.incident for item in batch]
    return Prepared([i.reference for i in incidents], values(incidents), links, citations, entries)


def write(prepared: Prepared) -> list[int]:
    """Insert a prepared batch; returns the incidents' ids, in the batch's order."""
    _execute(Incident, [f.column for f in _fields(Incident)], prepared.rows)
    found = _ids_by_reference(prepared.references)
    ids = [found[ref] for ref in prepared.references]
    for name, pairs in prepared.links.items():
        link(name, [(ids[n], other) for n, other in pairs])
    # A citation's row digest covers its incident's id: made here, once the id is known.
    insert([Citation(incident_id=ids[n], document_id=d) for n, d in prepared.citations])
    _insert_rows(
        SearchEntry,
        ["incident", "public", "everything"],
        [(pk, *texts) for pk, texts in zip(ids, prepared.entries, strict=True)],
    )
    return ids


def _allocate(incidents: list[Incident]) -> None:
    """References from the one allocator: a block of numbers per year for the whole batch."""
    if incidents:
        given = references.allocate([references.year_of(i.date) for i in incidents])
        for incident, reference in zip(incidents, given, strict=True):
            incident.reference = reference


def _ids_by_reference(refs: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(refs), 900):
        chunk = refs[start : start + 900]
        found.update(Incident.objects.filter(reference__in=chunk).values_list("reference", "pk"))
    return found


def _ordered(terms: Iterable[Any]) -> list[Any]:
    """Each term once, in its vocabulary's own order (its Meta.ordering: position and code,
    or the English label for countries), as a related manager's `.all()` returns them to
    `search.texts` (labels in code-point order: SQLite's and a C collation's; the words are
    the same under any other)."""
    unique = _unique(terms)
    if not unique:
        return []
    fields = type(unique[0])._meta.ordering
    return sorted(unique, key=lambda t: tuple(getattr(t, f) for f in fields))


def _unique(objects: Iterable[Any]) -> list[Any]:
    seen: dict[Any, Any] = {}
    for obj in objects:
        seen.setdefault(obj.pk, obj)
    return list(seen.values())


def link(name: str, pairs: list[tuple[int, int]]) -> None:
    """Rows of one many-to-many table of Incident (incident id, other id), in one statement."""
    if not pairs:
        return
    through = getattr(Incident, name).through
    other: Any = Incident._meta.get_field(name).related_model
    _insert_rows(through, ["incident", str(other._meta.model_name)], pairs)


def insert(objects: list[Any]) -> None:
    """Insert new model instances whose ids are not needed back, many rows per statement:
    what `bulk_create` writes (every concrete field, prepared by the field itself, `auto_now`
    and the row digest included) without its per-value SQL compilation."""
    if objects:
        model = type(objects[0])
        _execute(model, [f.column for f in _fields(model)], values(objects))


def values(objects: list[Any]) -> list[list[Any]]:
    """The database values of new instances of one model, columns as `_fields(model)`."""
    if not objects:
        return []
    fields = _fields(type(objects[0]))
    plain = [_plain_type(f) for f in fields]
    prep = connection
    rows = []
    for o in objects:
        row = []
        for f, kind in zip(fields, plain, strict=True):
            if kind is None:
                row.append(f.get_db_prep_save(f.pre_save(o, True), prep))
                continue
            # A plain value of a plain field is written as it is: what get_db_prep_save
            # would return for it (and pre_save is only reading the attribute).
            value = getattr(o, f.attname)
            if value is not None and type(value) is not kind:
                value = f.get_db_prep_save(value, prep)
            row.append(value)
        rows.append(row)
    return rows


def _fields(model: type[models.Model]) -> list[Any]:
    return [
        f
        for f in model._meta.concrete_fields
        if not isinstance(f, AutoField | BigAutoField | SmallAutoField)
    ]


# Field classes (exactly these, not subclasses such as the encrypted text field or the row
# digest) whose database value is the Python value itself when it has this type.
_PLAIN: dict[type[models.Field[Any, Any]], type] = {
    models.CharField: str,
    models.TextField: str,
    models.SlugField: str,
    models.BooleanField: bool,
    models.IntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
}


def _plain_type(f: Any) -> type | None:
    if f.is_relation:
        target = f.target_field
        return int if isinstance(target, AutoField | BigAutoField | SmallAutoField) else None
    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return None
    return _PLAIN.get(type(f))


def _insert_rows(model: type[models.Model], names: list[str], rows: list[Any]) -> None:
    if rows:
        fields: list[Any] = [model._meta.get_field(n) for n in names]
        _execute(model, [str(f.column) for f in fields], rows)


def _execute(model: type[models.Model], cols: list[str], rows: list[Any]) -> None:
    if not rows:
        return
    q = connection.ops.quote_name
    head = f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(c) for c in cols)}) VALUES "
    one = f"({', '.join(['%s'] * len(cols))})"
    if connection.vendor == "postgresql":
        # COPY: one statement for the whole batch (its statement triggers, the data version
        # and the change log, fire once), no SQL text to parse for thousands of values.
        table = f"{q(model._meta.db_table)} ({', '.join(q(c) for c in cols)})"
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    # Many rows per statement, not one statement per row: each statement on a table with
    # triggers (data version, change log) pays for its statement journal once.
    per = max(1, min(1000, 32766 // len(cols)))  # SQLite's most parameters a statement
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            cursor.execute(head + ", ".join([one] * len(chunk)), [v for r in chunk for v in r])
