"""The public projection: the one place that decides what the public may see.

Every public surface — pages, search, facets, statistics, exports, feeds, API, sitemap —
reads records through the functions here and never touches the models directly. It is an
allow-list: a field is public only if it is named below, a record only if it is published
(retracted records keep a page that says so, with nothing but the reason).

Never public: narratives, persons (names, A-numbers, contacts), drafts and records in review,
internal notes, tips, assignees and users, documents of non-public kinds (interviews, tips),
archived files themselves, and any place finer than a city.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet

from returnwatch.incidents.models import Citation, Incident, Status

PUBLISHED = Status.PUBLISHED
# Retracted records keep their page; only these fields are shown for them.
RETRACTED_FIELDS = ("reference", "title", "status", "retraction_reason", "retracted_at")

INCIDENT_FIELDS = (
    "id",  # internal key, used only to join; never rendered
    "reference",
    "status",
    "title",
    "summary",
    "date",
    "date_precision",
    "date_reported",
    "year",
    "city",
    "place_type",
    "program",
    "victims_count",
    "children_count",
    "gender",
    "port_of_entry",
    "fear_expressed",
    "complaint_crcl",
    "complaint_oig",
    "lawsuit",
    "verification",
    "published_at",
    "is_demo",
)
# Many-valued vocabulary fields that are public.
INCIDENT_MULTI = ("violence_types", "perpetrators", "victim_groups", "nationalities")

DOCUMENT_FIELDS = ("kind", "title", "publisher", "url", "date_published", "language", "summary")
CITATION_FIELDS = ("passage", "excerpt", "reliability")


def incidents() -> QuerySet[Incident]:
    """Published incidents, limited to public fields. The base of every public list."""
    return (
        Incident.objects.filter(status=PUBLISHED, merged_into__isnull=True)
        .only(*INCIDENT_FIELDS)
        .select_related("city", "place_type", "program", "port_of_entry")
    )


def incident_ids() -> QuerySet[Incident]:
    return Incident.objects.filter(status=PUBLISHED, merged_into__isnull=True)


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

    @property
    def is_retracted(self) -> bool:
        return self.status == Status.RETRACTED

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("incidents:detail", args=[self.reference])

    def get_date_precision_display(self) -> str:
        from returnwatch.incidents.models import DatePrecision

        return str(DatePrecision(self.date_precision).label)


def project(rows: list[Incident]) -> list[PublicIncident]:
    """Turn incident rows (from `incidents()`) into public records, with their vocabularies."""
    if not rows:
        return []
    ids = [r.pk for r in rows]
    multi: dict[str, dict[int, list[Any]]] = {}
    for name in INCIDENT_MULTI:
        field = Incident._meta.get_field(name)
        through = field.remote_field.through  # type: ignore[union-attr]
        target = field.related_model
        fk = f"{target._meta.model_name}"  # type: ignore[union-attr]
        by_incident: dict[int, list[Any]] = {}
        terms = {t.pk: t for t in target.objects.all()}  # type: ignore[union-attr]
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
                city=r.city,
                place_type=r.place_type,
                program=r.program,
                port_of_entry=r.port_of_entry,
                **{name: tuple(multi[name].get(r.pk, ())) for name in INCIDENT_MULTI},
            )
        )
    return out


def incident(reference: str) -> PublicIncident | None:
    """One public incident by reference: published, or retracted with only its reason."""
    row = (
        Incident.objects.filter(reference=reference, status__in=[PUBLISHED, Status.RETRACTED])
        .select_related("city", "place_type", "program", "port_of_entry")
        .first()
    )
    if row is None:
        return None
    if row.status == Status.RETRACTED:
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
            published_at=None,
            is_demo=row.is_demo,
            retraction_reason=row.retraction_reason,
        )
    return project([row])[0]


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
            incident__reference=reference,
            incident__status=PUBLISHED,
            document__kind__public=True,
        )
        .select_related("document", "document__kind")
        .order_by("document__date_published", "id")
    )
    return [
        PublicCitation(
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
        for c in rows
    ]


DEMO_CACHE_KEY = "public:shows-demo-data"


def shows_demo_data() -> bool:
    """Whether any fictional demo record is public (every page then says so)."""
    value = cache.get(DEMO_CACHE_KEY)
    if value is None:
        value = incident_ids().filter(is_demo=True).exists()
        cache.set(DEMO_CACHE_KEY, value, 60)
    return bool(value)


def library_items_for(reference: str) -> list[Any]:
    """Library items that cite a published incident (filled in by the library app)."""
    return []
