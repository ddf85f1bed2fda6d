"""The public projection: the one place that decides what the public may see.

Every public surface — pages, search, facets, statistics, exports, feeds, API, sitemap —
reads records through the functions here and never touches the models directly. It is an
allow-list: a field is public only if it is in the column registry (`columns.py`, from which
the exports, the API serializers and docs/data.md are derived) or named below, a record only
if it is published (retracted records keep a page that says so, with nothing but the reason).

Never public: narratives, persons (names, A-numbers, contacts), drafts and records in review,
internal notes, tips, assignees and users, documents of non-public kinds (interviews, tips),
archived files themselves, and any place finer than a city.

Sections: incidents (INCIDENT_FIELDS, `incidents()`, `project()`, `incident()`), citations
(DOCUMENT_FIELDS, CITATION_FIELDS, documents of public kinds only), library (LIBRARY_FIELDS:
listed items; citing incidents counted only when published), bulk exports (EXPORT_COLUMNS:
the same allow-list read as plain values for streams of a million rows).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q, QuerySet

from returnwatch.incidents.models import (
    Citation,
    Document,
    Incident,
    Program,
    SearchEntry,
    Status,
    public_q,
)
from returnwatch.library.models import LawsuitStatus, LibraryItem, LibraryKind

from . import columns
from .columns import COLUMNS, Column, case_url, site_url

__all__ = ["COLUMNS", "Column", "case_url", "columns", "site_url"]  # and every name below

PUBLISHED = Status.PUBLISHED

# Model fields an incident row carries: the registry's (public/columns.py) and the status.
INCIDENT_FIELDS = (
    "id",  # internal key, used only to join; never rendered
    "status",
    *(a for a in columns.ATTRIBUTES if a not in columns.MULTI),
)
# Many-valued vocabulary fields that are public.
INCIDENT_MULTI = columns.MULTI

DOCUMENT_FIELDS = ("kind", "title", "publisher", "url", "date_published", "language", "summary")
CITATION_FIELDS = ("passage", "excerpt", "reliability")


def incidents() -> QuerySet[Incident]:
    """Published incidents, limited to public fields. The base of every public list."""
    return (
        Incident.objects.public()
        .only(*INCIDENT_FIELDS)
        .select_related("city", "place_type", "program", "port_of_entry")
    )


def incident_ids() -> QuerySet[Incident]:
    return Incident.objects.public()


def search_texts(among: QuerySet[Incident] | None = None) -> Iterator[tuple[int, str]]:
    """(id, public index text) of every public incident (or of those `among` these): the
    words a public search matches. The text is made of public fields and vocabulary labels
    only (search.compose); the narrative is in the staff text alone, as keyed hashes."""
    entries = SearchEntry.objects.filter(public_q("incident__"))
    if among is not None:
        entries = entries.filter(incident__in=among.order_by().values("pk"))
    sql, params = entries.values_list("incident_id", "public").query.sql_with_params()
    # A million rows: a server-side cursor on PostgreSQL (Django's, as for .iterator()), and
    # the cursor's own tuples as they come (no model objects).
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(10_000):
            yield from chunk


@dataclass(frozen=True)
class PublicIncident:
    """What a template, export or API answer may show of an incident."""

    reference: str
    status: str
    title: str
    summary: str
    date: Any
    date_precision: str
    date_reported: Any
    city: Any
    place_type: Any
    program: Any
    port_of_entry: Any
    victims_count: int
    children_count: int
    gender: str
    fear_expressed: str
    complaint_crcl: bool
    complaint_oig: bool
    lawsuit: bool
    verification: str
    published_at: Any
    is_demo: bool
    violence_types: tuple[Any, ...] = ()
    perpetrators: tuple[Any, ...] = ()
    victim_groups: tuple[Any, ...] = ()
    nationalities: tuple[Any, ...] = ()
    retraction_reason: str = ""
    retracted_at: Any = None
    # The last change to what the public sees, after publication (None: none since).
    updated_at: Any = None

    @property
    def is_retracted(self) -> bool:
        return self.status == Status.RETRACTED

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("incidents:detail", args=[self.reference])


def project(rows: list[Incident]) -> list[PublicIncident]:
    """Turn incident rows (from `incidents()`) into public records, with their vocabularies."""
    if not rows:
        return []
    ids = [r.pk for r in rows]
    multi: dict[str, dict[int, list[Any]]] = {}
    for name in INCIDENT_MULTI:
        field = Incident._meta.get_field(name)
        through = field.remote_field.through  # type: ignore[union-attr]  # a many-to-many field
        target = field.related_model
        fk = f"{target._meta.model_name}"  # type: ignore[union-attr]  # a related field has its model
        by_incident: dict[int, list[Any]] = {}
        terms = {t.pk: t for t in target.objects.all()}  # type: ignore[union-attr]  # a vocabulary model
        for incident_id, term_id in through.objects.filter(incident_id__in=ids).values_list(
            "incident_id", f"{fk}_id"
        ):
            by_incident.setdefault(incident_id, []).append(terms[term_id])
        for lst in by_incident.values():
            lst.sort(key=lambda t: (t.position, t.code))
        multi[name] = by_incident
    out = []
    for r in rows:
        out.append(
            PublicIncident(
                **{f: getattr(r, f) for f in INCIDENT_FIELDS if f not in ("id", "year")},
                **{name: tuple(multi[name].get(r.pk, ())) for name in INCIDENT_MULTI},  # type: ignore[arg-type]  # the multi-valued fields are the tuple ones
            )
        )
    return out


def incident(reference: str) -> PublicIncident | None:
    """One public incident by reference: published, or retracted with only its reason."""
    row = (
        Incident.objects.filter(
            reference=reference, status__in=[PUBLISHED, Status.RETRACTED], merged_into__isnull=True
        )
        .select_related("city", "place_type", "program", "port_of_entry")
        .first()
    )
    if row is None:
        return None
    if row.status == Status.RETRACTED:
        return project_retracted(row)
    return replace(project([row])[0], updated_at=last_public_change(row.pk, row.published_at))


# A change to one of these (or to a source of a public kind) is a public update of a case.
PUBLIC_CHANGE_FIELDS = frozenset(INCIDENT_FIELDS + INCIDENT_MULTI) - {
    "id", "year", "status", "published_at", "is_demo",
}  # fmt: skip


def last_public_change(incident_id: int, published_at: Any) -> Any:
    """When the public part of a published incident last changed after its publication,
    from the change history (which names fields, never values); None when it did not.
    Changes to restricted fields (narrative, persons, notes) do not count."""
    from returnwatch.audit.models import Entry

    if published_at is None:
        return None
    entries = Entry.objects.filter(
        about=f"incidents.incident:{incident_id}", created_at__gt=published_at
    ).order_by("-seq")
    for target_type, target_id, fields, at in entries.values_list(
        "target_type", "target_id", "fields", "created_at"
    ):
        if target_type == "incidents.incident" and PUBLIC_CHANGE_FIELDS.intersection(fields):
            return at
        if target_type == "incidents.citation" and (
            Citation.objects.filter(pk=target_id, document__kind__public=True).exists()
            or not Citation.objects.filter(pk=target_id).exists()  # a source removed
        ):
            return at
    return None


def retractions() -> QuerySet[Incident]:
    """Incidents that were published and then retracted (announced in the feed with their
    reason and date; nothing else of them is public)."""
    return Incident.objects.filter(
        status=Status.RETRACTED, merged_into__isnull=True, published_at__isnull=False
    ).only(
        "id",
        "reference",
        "status",
        "title",
        "retraction_reason",
        "retracted_at",
        "published_at",
        "is_demo",
    )


def project_retracted(row: Incident) -> PublicIncident:
    """A retracted incident as the public sees it: reference, title, dates, the reason."""
    return PublicIncident(
        reference=row.reference,
        status=row.status,
        title=row.title,
        summary="",
        date=None,
        date_precision="day",
        date_reported=None,
        city=None,
        place_type=None,
        program=None,
        port_of_entry=None,
        victims_count=0,
        children_count=0,
        gender="",
        fear_expressed="unknown",
        complaint_crcl=False,
        complaint_oig=False,
        lawsuit=False,
        verification="",
        published_at=row.published_at,
        is_demo=row.is_demo,
        retraction_reason=row.retraction_reason,
        retracted_at=row.retracted_at,
    )


def merged_target(reference: str) -> str | None:
    """The reference a duplicate was merged into, when that one is public."""
    return (
        Incident.objects.filter(reference=reference, merged_into__status=PUBLISHED)
        .values_list("merged_into__reference", flat=True)
        .first()
    )


@dataclass(frozen=True)
class PublicCitation:
    passage: str
    excerpt: str
    reliability: str
    document_title: str
    document_publisher: str
    document_url: str
    document_date: Any
    document_kind: Any
    document_language: str
    document_id: int


def citations(reference: str) -> list[PublicCitation]:
    """Sources of a published incident, leaving out documents of non-public kinds."""
    rows = (
        Citation.objects.filter(
            public_q("incident__"), incident__reference=reference, document__kind__public=True
        )
        .select_related("document", "document__kind")
        .order_by("document__date_published", "id")
    )
    return [_public_citation(c) for c in rows]


def shown_document(document_id: int) -> bool:
    """Whether the public sees this document: as a listed library item, or as a public source
    of a published case. Anything else (an interview, a draft's source) is not confirmed to
    exist, not even by a filter that lists the cases citing it."""
    public_kind = Document.objects.filter(pk=document_id, kind__public=True)
    return (
        public_kind.filter(library_item__listed=True).exists()
        or public_kind.filter(
            citations__incident__in=incident_ids(),
        ).exists()
    )


def preview_citations(incident_id: int) -> list[PublicCitation]:
    """What `citations` will list once this incident is published (the staff preview only)."""
    rows = (
        Citation.objects.filter(incident_id=incident_id, document__kind__public=True)
        .select_related("document", "document__kind")
        .order_by("document__date_published", "id")
    )
    return [_public_citation(c) for c in rows]


def _public_citation(c: Citation) -> PublicCitation:
    return PublicCitation(
        passage=c.passage,
        excerpt=c.excerpt,
        reliability=c.reliability,
        document_title=c.document.title,
        document_publisher=c.document.publisher,
        document_url=c.document.url,
        document_date=c.document.date_published,
        document_kind=c.document.kind,
        document_language=c.document.language,
        document_id=c.document_id,
    )


DEMO_CACHE_KEY = "public:shows-demo-data"


def shows_demo_data() -> bool:
    """Whether any fictional demo record is public (every page then says so)."""
    value = cache.get(DEMO_CACHE_KEY)
    if value is None:
        value = incident_ids().filter(is_demo=True).exists()
        cache.set(DEMO_CACHE_KEY, value, 60)
    return bool(value)


# ---------------------------------------------------------------------------- library
# Library items: documents shown in the public library. Only listed items whose document is of
# a public kind; only the fields named here; incidents counted or linked only when published.

LIBRARY_FIELDS = (
    "slug", "kind", "title_es", "summary_es", "court", "docket_number", "parties",
    "filing_date", "lawsuit_status", "is_demo",
)  # fmt: skip
LIBRARY_DOCUMENT_FIELDS = ("id", *DOCUMENT_FIELDS, "sha256", "size", "media_type", "captured_at")


@dataclass(frozen=True)
class PublicStatusChange:
    date: Any
    status: str
    note_en: str
    note_es: str

    @property
    def note(self) -> str:
        return _in_language(self.note_en, self.note_es)

    def get_status_display(self) -> str:
        return str(LawsuitStatus(self.status).label)


@dataclass(frozen=True)
class PublicFiling:
    title: str
    publisher: str
    url: str
    date_published: Any
    sha256: str


@dataclass(frozen=True)
class PublicLibraryItem:
    """What a page may show of a library item (title and summary in English and Spanish)."""

    slug: str
    kind: str
    title_en: str
    title_es: str
    summary_en: str
    summary_es: str
    publisher: str
    url: str
    date_published: Any
    language: str
    document_id: int  # links to /incidents/?document=<id>
    sha256: str
    size: int | None
    media_type: str
    captured_at: Any
    court: str
    docket_number: str
    parties: str
    filing_date: Any
    lawsuit_status: str
    is_demo: bool
    programs: tuple[Any, ...] = ()
    incident_count: int | None = None
    history: tuple[PublicStatusChange, ...] = ()
    filings: tuple[PublicFiling, ...] = ()

    @property
    def title(self) -> str:
        return _in_language(self.title_en, self.title_es)

    @property
    def summary(self) -> str:
        return _in_language(self.summary_en, self.summary_es)

    @property
    def is_lawsuit(self) -> bool:
        return self.kind == LibraryKind.LAWSUIT

    def get_kind_display(self) -> str:
        return str(LibraryKind(self.kind).label)

    def get_lawsuit_status_display(self) -> str:
        return str(LawsuitStatus(self.lawsuit_status).label) if self.lawsuit_status else ""

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("library:detail", args=[self.slug])


def _in_language(en: str, es: str) -> str:
    from django.utils import translation

    return es if es and (translation.get_language() or "en")[:2] == "es" else en


def library_items() -> QuerySet[LibraryItem]:
    """Listed library items on documents of public kinds: the base of every library list."""
    return (
        LibraryItem.objects.filter(listed=True, document__kind__public=True)
        .select_related("document")
        .only(*LIBRARY_FIELDS, *(f"document__{f}" for f in LIBRARY_DOCUMENT_FIELDS))
    )


def _published_citing() -> Q:
    # Same rule as incident_ids(): published and not merged into another record.
    return public_q("document__citations__incident__")


def with_incident_counts(qs: QuerySet[LibraryItem]) -> QuerySet[LibraryItem]:
    """Annotate `incident_count`: published incidents citing each item's document."""
    return qs.annotate(
        incident_count=Count(
            "document__citations__incident", filter=_published_citing(), distinct=True
        )
    )


def project_library(rows: list[LibraryItem]) -> list[PublicLibraryItem]:
    """Library rows (from `library_items()`) as public records, with their programs."""
    programs: dict[int, list[Any]] = {}
    through = LibraryItem.programs.through
    terms = {t.pk: t for t in Program.objects.all()} if rows else {}
    for item_id, program_id in through.objects.filter(
        libraryitem_id__in=[r.pk for r in rows]
    ).values_list("libraryitem_id", "program_id"):
        programs.setdefault(item_id, []).append(terms[program_id])
    out = []
    for r in rows:
        d = r.document
        out.append(
            PublicLibraryItem(
                slug=r.slug,
                kind=r.kind,
                title_en=d.title,
                title_es=r.title_es,
                summary_en=d.summary,
                summary_es=r.summary_es,
                publisher=d.publisher,
                url=d.url,
                date_published=d.date_published,
                language=d.language,
                document_id=d.pk,
                sha256=d.sha256,
                size=d.size,
                media_type=d.media_type,
                captured_at=d.captured_at,
                court=r.court,
                docket_number=r.docket_number,
                parties=r.parties,
                filing_date=r.filing_date,
                lawsuit_status=r.lawsuit_status,
                is_demo=r.is_demo,
                programs=tuple(sorted(programs.get(r.pk, ()), key=lambda t: (t.position, t.code))),
                incident_count=getattr(r, "incident_count", None),
            )
        )
    return out


def library_item(slug: str) -> PublicLibraryItem | None:
    """One library item with its count of citing published incidents, history and filings."""
    row = with_incident_counts(library_items().filter(slug=slug)).first()
    if row is None:
        return None
    history = tuple(
        PublicStatusChange(date=c.date, status=c.status, note_en=c.note, note_es=c.note_es)
        for c in row.status_changes.order_by("date", "id")
    )
    filings = tuple(
        PublicFiling(
            title=f.document.title,
            publisher=f.document.publisher,
            url=f.document.url,
            date_published=f.document.date_published,
            sha256=f.document.sha256,
        )
        for f in row.key_filings.filter(document__kind__public=True).select_related("document")
    )
    item = project_library([row])[0]
    return replace(item, history=history, filings=filings)


def library_citing_incidents(document_id: int) -> QuerySet[Incident]:
    """Published incidents citing a document (for a library page's list of cases)."""
    return incidents().filter(citations__document_id=document_id)


def library_items_for(reference: str) -> list[PublicLibraryItem]:
    """Library items that cite a published incident; nothing for drafts, retracted or merged."""
    if not incident_ids().filter(reference=reference).exists():
        return []
    rows = library_items().filter(document__citations__incident__reference=reference)
    return project_library(list(rows.order_by("-document__date_published", "pk")))


# ---------------------------------------------------------------------------- bulk exports
# The exports, feed and API write many rows: `project()` builds objects per row, too slow
# for a million. `export_chunks` reads the same allow-list as plain values, a chunk at a
# time (keyset pagination by id), with vocabulary codes from in-memory maps and the
# many-valued fields aggregated by the database: memory stays flat whatever the number of
# rows. City coordinates are the finest place given.

# Columns of `export_chunks`, in order: the registry's, less the url (derived from the
# reference by each writer).
EXPORT_COLUMNS = tuple(n for n in columns.NAMES if n != "url")
_EXPORT_VALUES = (
    "id", "reference", "title", "summary", "date", "date_precision", "date_reported", "year",
    "city_id", "place_type_id", "program_id", "victims_count", "children_count", "gender",
    "port_of_entry_id", "fear_expressed", "complaint_crcl", "complaint_oig", "lawsuit",
    "verification", "published_at", "is_demo",
)  # fmt: skip
MULTI_SEPARATOR = ";"


def _codes(model: Any) -> dict[int, str]:
    return dict(model.objects.values_list("pk", "code"))


def _multi_sql(name: str, ids: int = 0) -> str:
    """SQL giving (incident id, codes joined by ';' in vocabulary order) for a range of ids
    (two parameters), or for `ids` listed ids when a search leaves gaps in the range."""
    from django.db import connection

    field = Incident._meta.get_field(name)
    through = field.remote_field.through  # type: ignore[union-attr]  # a many-to-many field
    target = field.related_model
    link = through._meta.get_field(target._meta.model_name).column  # type: ignore[union-attr]  # a related field has its model
    t, v = through._meta.db_table, target._meta.db_table  # type: ignore[union-attr]  # as above
    where = (
        f"l.incident_id IN ({', '.join(['%s'] * ids)})"
        if ids
        else "l.incident_id BETWEEN %s AND %s"
    )
    if connection.vendor == "postgresql":
        return (
            f"SELECT l.incident_id, string_agg(v.code, ';' ORDER BY v.position, v.code) "
            f"FROM {t} l JOIN {v} v ON v.id = l.{link} WHERE {where} GROUP BY l.incident_id"
        )
    # SQLite before 3.44 has no ORDER BY inside group_concat: it concatenates in the order
    # of the ordered subquery.
    return (
        f"SELECT incident_id, group_concat(code, ';') FROM ("
        f"SELECT l.incident_id AS incident_id, v.code AS code FROM {t} l "
        f"JOIN {v} v ON v.id = l.{link} WHERE {where} "
        f"ORDER BY l.incident_id, v.position, v.code) GROUP BY incident_id"
    )


def export_chunks(
    qs: QuerySet[Incident], chunk_size: int = 5000, booleans: tuple[Any, Any] = (False, True)
) -> Any:
    """Yield lists of tuples of public values, in EXPORT_COLUMNS order and id order.

    Values are plain: text, int, float, bool (or `booleans`: what a writer wants for false
    and true, e.g. "false" and "true" for CSV), None; dates as YYYY-MM-DD, `published_at` as
    YYYY-MM-DDTHH:MM:SSZ; many-valued fields as vocabulary codes joined by ';' in
    vocabulary order ("" when none). `qs` is `incidents()` narrowed by a search; it is
    narrowed to published records again here, so nothing else can slip through.
    """
    from django.db import connection
    from django.db.models import CharField
    from django.db.models.functions import Cast

    from returnwatch.incidents.models import City, PlaceType, PortOfEntry

    # Dates as text from the database itself: no per-value conversion in Python.
    base = (
        qs.filter(public_q())
        .select_related(None)
        .order_by("id")
        .annotate(
            date_text=Cast("date", CharField()),
            date_reported_text=Cast("date_reported", CharField()),
            published_text=Cast("published_at", CharField()),
        )
    )
    texts = {"date": "date_text", "date_reported": "date_reported_text"}
    texts["published_at"] = "published_text"
    values = [texts.get(name, name) for name in _EXPORT_VALUES]
    cities = {
        pk: (code, name, state, country,
             float(lat) if lat is not None else None, float(lon) if lon is not None else None)
        for pk, code, name, state, country, lat, lon in City.objects.values_list(
            "pk", "code", "label_en", "state", "country", "latitude", "longitude"
        )
    }  # fmt: skip
    no_city = (None,) * 6
    places, programs, ports = _codes(PlaceType), _codes(Program), _codes(PortOfEntry)
    multi_sql = [_multi_sql(name) for name in INCIDENT_MULTI]
    # SQLite gives 0 and 1; True and False hash the same.
    truth = {0: booleans[0], 1: booleans[1]}
    last = 0
    with connection.cursor() as cursor:
        while True:
            # Django compiles the filters of the search; the raw cursor skips per-value
            # converters (the slow part at a million rows).
            sql, params = (
                base.filter(id__gt=last).values_list(*values)[:chunk_size].query
            ).sql_with_params()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            if not rows:
                return
            first, last = rows[0][0], rows[-1][0]
            linked = []
            # A dense chunk (the whole table) reads a range of ids; a search that leaves
            # most of the range out reads just its ids.
            sparse = last - first + 1 > 2 * len(rows)
            for name, q in zip(INCIDENT_MULTI, multi_sql, strict=True):
                if sparse:
                    cursor.execute(_multi_sql(name, len(rows)), [r[0] for r in rows])
                else:
                    cursor.execute(q, [first, last])
                linked.append(dict(cursor.fetchall()).get)
            types, perps, groups, nats = linked
            # Dates come as text already (cast by the database): nothing to convert here.
            out = [
                (
                    r[1], r[2], r[3], r[4], r[5], r[6], r[7], *cities.get(r[8], no_city),
                    places.get(r[9]), programs.get(r[10]),
                    types(r[0], ""), perps(r[0], ""), groups(r[0], ""), nats(r[0], ""),
                    r[11], r[12], r[13], ports.get(r[14]), r[15],
                    truth[r[16]], truth[r[17]], truth[r[18]], r[19],
                    r[20][:19].replace(" ", "T") + "Z" if r[20] else None,
                    truth[r[21]],
                )
                for r in rows
            ]  # fmt: skip
            yield out
            if len(rows) < chunk_size:
                return


def export_rows(qs: QuerySet[Incident], chunk_size: int = 5000) -> Any:
    """Like `export_chunks`, as dicts with many-valued fields as lists of codes."""
    multi = [EXPORT_COLUMNS.index(name) for name in INCIDENT_MULTI]
    for chunk in export_chunks(qs, chunk_size):
        rows = []
        for values in chunk:
            row = dict(zip(EXPORT_COLUMNS, values, strict=True))
            for i in multi:
                name = EXPORT_COLUMNS[i]
                row[name] = row[name].split(MULTI_SEPARATOR) if row[name] else []
            rows.append(row)
        yield rows
