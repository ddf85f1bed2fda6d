"""The one bulk writer (incidents/bulkwrite.py) writes what `save()` writes: an incident it
writes equals one saved through the ORM field by field, with the same links, citation,
search entry, facet index memberships, a valid row digest and an encrypted narrative."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from returnwatch.audit import rows
from returnwatch.incidents import bulkwrite, facets, references, search, synthetic
from returnwatch.incidents.encryption import decrypt
from returnwatch.incidents.models import (
    City,
    Country,
    Document,
    DocumentKind,
    Incident,
    Perpetrator,
    PlaceType,
    PortOfEntry,
    Program,
    ReferenceCounter,
    SearchEntry,
    Tag,
    VictimGroup,
    ViolenceType,
)

pytestmark = pytest.mark.django_db

# Different for every incident by nature; everything else must be equal.
OWN = {"id", "reference", "created_at", "updated_at", "row_digest"}


def _values(researcher: Any, published_at: dt.datetime) -> dict[str, Any]:
    return {
        "title": "Familia secuestrada tras su devolución",
        "summary": "A family returned to Nuevo Laredo was kidnapped at the bus station.",
        "narrative": "Testimony of Doña Ana: the men took them near the Juárez bridge.",
        "status": "published",
        "published_at": published_at,
        "date": dt.date(2021, 3, 14),
        "date_precision": "day",
        "date_reported": dt.date(2021, 3, 20),
        "city": City.objects.get(code="nuevo-laredo"),
        "place_type": PlaceType.objects.first(),
        "program": Program.objects.get(code="mpp-2019"),
        "port_of_entry": PortOfEntry.objects.first(),
        "victims_count": 3,
        "children_count": 1,
        "gender": "mixed",
        "fear_expressed": "yes",
        "complaint_crcl": True,
        "verification": "corroborated",
        "external_id": "partner-7",
        "created_by": researcher,
        "organization": researcher.organization,
    }


def _multi() -> dict[str, list[Any]]:
    # Given in an order unlike the vocabularies' own, and with a repeat; Honduras and Haiti
    # sort one way by code and the other by label (countries' order).
    types = list(ViolenceType.objects.order_by("-position")[:2])
    return {
        "violence_types": [*types, types[0]],
        "perpetrators": list(Perpetrator.objects.all()[:1]),
        "victim_groups": list(VictimGroup.objects.order_by("-code")[:2]),
        "nationalities": list(Country.objects.filter(code__in=["hn", "ht"])),
    }


def _linked(incident: Incident) -> dict[str, list[int]]:
    out = {
        name: sorted(getattr(incident, name).values_list("pk", flat=True))
        for name in bulkwrite.MULTI
    }
    out["tags"] = sorted(incident.tags.values_list("pk", flat=True))
    out["citations"] = sorted(incident.citations.values_list("document_id", flat=True))
    return out


def _memberships(index: facets.Base, pk: int) -> set[tuple[str, Any]]:
    position = index.where[pk]
    assert position >= 0
    return {
        (param, value)
        for param, bucket in index.values.items()
        for value, positions in bucket.items()
        if position in positions
    }


def test_a_bulk_written_incident_equals_a_saved_one_field_by_field(researcher: Any) -> None:
    now = timezone.now()
    multi = _multi()
    tag = Tag.objects.create(name="bridge")
    doc = Document.objects.create(
        kind=DocumentKind.objects.get(code="news"), title="Report", url="https://example.org/r"
    )
    with transaction.atomic():
        saved = Incident(**_values(researcher, now))
        saved.save()
        for name, terms in multi.items():
            getattr(saved, name).set(terms)
        saved.tags.set([tag])
        saved.citations.create(document=doc)
    with transaction.atomic():
        (written,) = bulkwrite.create(
            [
                bulkwrite.NewIncident(
                    Incident(**_values(researcher, now)), multi=multi, tags=[tag], documents=[doc]
                )
            ]
        )
    a = Incident.objects.get(pk=saved.pk)
    b = Incident.objects.get(pk=written.pk)
    for f in Incident._meta.concrete_fields:
        if f.name not in OWN:
            assert getattr(a, f.attname) == getattr(b, f.attname), f.name
    # Derived as save() derives them; numbered by the one allocator, one after the other.
    assert (b.year, b.month) == (2021, dt.date(2021, 3, 1))
    assert references.number_of(b.reference) == references.number_of(a.reference) + 1
    assert written.reference == b.reference and written.pk == b.pk
    # Sealed: the stored digest is the one of the row as stored.
    assert rows.check(a) == [] and rows.check(b) == []
    # The narrative is encrypted at rest the same way.
    with connection.cursor() as cursor:
        cursor.execute("SELECT narrative FROM incidents_incident WHERE id = %s", [b.pk])
        (raw,) = cursor.fetchone()
    assert "Juárez" not in raw and decrypt(raw) == a.narrative
    # The same links (each term once) and the same citation.
    assert _linked(a) == _linked(b)
    assert b.citations.get().row_digest and rows.check(b.citations.get()) == []
    # The search entry is the one search.index writes, and equals the saved one's but for
    # the reference.
    entry_a, entry_b = SearchEntry.objects.get(pk=a.pk), SearchEntry.objects.get(pk=b.pk)
    assert (entry_b.public, entry_b.everything) == search.texts(b)
    ref_a, ref_b = search.fold(a.reference), search.fold(b.reference)
    assert entry_b.public == entry_a.public.replace(ref_a, ref_b)
    assert entry_b.everything == entry_a.everything.replace(ref_a, ref_b)
    # Found by the same searches, public and staff (the narrative by its keyed tokens).
    for query, scope in (("secuestrada", "public"), ("juarez", "everything")):
        found = set(search.filter_text(Incident.objects.all(), query, scope=scope))
        assert {a, b} <= found, (query, scope)
    # The same facet values in the facet index.
    index = facets._build()
    assert _memberships(index, a.pk) == _memberships(index, b.pk)
    assert len(_memberships(index, b.pk)) >= 8


def test_generate_incidents_writes_through_the_bulk_writer(researcher: Any) -> None:
    call_command("generate_incidents", count=40, seed=7, verbosity=0, stdout=open("/dev/null", "w"))
    made = Incident.objects.filter(is_demo=True).order_by("pk")
    assert made.count() == 40 and SearchEntry.objects.filter(incident__in=made).count() == 40
    for incident in made.prefetch_related(*bulkwrite.MULTI):
        assert rows.check(incident) == []
        assert incident.year == incident.date.year
        entry = SearchEntry.objects.get(pk=incident.pk)
        assert (entry.public, entry.everything) == search.texts(incident)
    refs = list(made.values_list("reference", flat=True))
    assert len(set(refs)) == 40 and all(references.REGEX.match(r) for r in refs)


def _written() -> list[tuple[Any, ...]]:
    fields = ["reference", "external_id", "title", "date", "city__code", "search__everything"]
    made = Incident.objects.filter(is_demo=True).order_by("external_id")
    return [
        (*row, incident.narrative, tuple(t.code for t in incident.violence_types.all()))
        for row, incident in zip(
            made.values_list(*fields), made.prefetch_related("violence_types"), strict=True
        )
    ]


def test_a_preparing_process_writes_the_same_records_as_one_process() -> None:
    # A run with a spawned process preparing the rows (the default at scale) gives exactly
    # the records, links and search texts of a run without it, in three batches (the last
    # one short), sealed and numbered as well. The spawned process needs no database.
    synthetic.generate(11, 7, "published", processes=0, batch=4)
    alone = _written()
    assert len(alone) == 11
    Incident.objects.filter(is_demo=True).delete()
    ReferenceCounter.objects.all().delete()
    done = synthetic.generate(11, 7, "published", processes=1, batch=4)
    assert done == 11 and _written() == alone
    for incident in Incident.objects.filter(is_demo=True):
        assert rows.check(incident) == []


def test_a_batch_longer_than_one_statement_is_written_whole() -> None:
    # More incident rows (and link rows) than one INSERT statement takes.
    done = synthetic.generate(1900, 3, "published", processes=0, batch=1900)
    made = Incident.objects.filter(is_demo=True)
    assert done == made.count() == SearchEntry.objects.filter(incident__in=made).count() == 1900
    assert made.values("reference").distinct().count() == 1900
    links = Incident.violence_types.through.objects.filter(incident__in=made)
    assert links.values("incident").distinct().count() == 1900


def test_generated_drafts_were_never_published() -> None:
    synthetic.generate(30, 5, "mixed", processes=0)
    made = Incident.objects.filter(is_demo=True)
    unpublished = made.filter(status__in=["draft", "review"])
    assert unpublished.exists() and not unpublished.filter(published_at__isnull=False).exists()
    assert not made.filter(status="published", published_at__isnull=True).exists()
