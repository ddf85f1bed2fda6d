"""Fast synthetic incidents for scale tests: 100,000 in well under two minutes."""

import time
from collections import defaultdict
from typing import Any, cast

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import ManyToManyField
from django.utils import timezone

from returnwatch.incidents import references, search
from returnwatch.incidents.demo import Vocab, fake_incidents
from returnwatch.incidents.models import Incident, SearchEntry

BATCH = 5000


class Command(BaseCommand):
    help = "Create N fictional incidents quickly (bulk inserts), e.g. --count 100000 --seed 1."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--status", default="published", choices=["published", "draft", "review", "mixed"]
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        vocab = Vocab()
        count, seed, status = options["count"], options["seed"], options["status"]
        now = timezone.now()
        batch: list[tuple[Incident, Any]] = []
        done = 0
        for fake in fake_incidents(count, seed):
            year = fake.date.year
            incident = Incident(
                reference="",  # given out per batch by the one allocator (_save)
                external_id=f"synthetic-{seed}-{done + len(batch)}",
                is_demo=True,
                title=fake.title,
                summary=fake.summary,
                narrative=fake.narrative,
                status=fake.status if status == "mixed" else status,
                date=fake.date,
                year=year,
                month=fake.date.replace(day=1),
                date_precision=fake.date_precision,
                date_reported=fake.date_reported,
                city=vocab.city[fake.city],
                place_type=vocab.place[fake.place],
                program=vocab.program[fake.program],
                victims_count=fake.victims_count,
                children_count=fake.children_count,
                fear_expressed=fake.fear_expressed,
                verification=fake.verification,
                published_at=now,
            )
            batch.append((incident, fake))
            if len(batch) == BATCH:
                self._save(batch, vocab)
                done += len(batch)
                batch = []
                self.stdout.write(f"{done}/{count}", ending="\r")
        if batch:
            self._save(batch, vocab)
            done += len(batch)
        if connection.vendor == "postgresql":
            # Planner statistics now, not whenever autovacuum gets to it: right after a bulk
            # load PostgreSQL otherwise picks plans for empty tables (seconds per search).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(f"Created {done} incidents in {time.monotonic() - started:.1f} s.")
        )

    @transaction.atomic
    def _save(self, batch: list[tuple[Incident, Any]], vocab: Vocab) -> None:
        numbers = references.reserve(i.date.year for i, _ in batch)  # type: ignore[union-attr]  # fakes are dated
        for incident, _fake in batch:
            numbers[incident.date.year] += 1  # type: ignore[union-attr]  # fakes are dated
            incident.reference = references.format_reference(
                incident.date.year,  # type: ignore[union-attr]  # fakes are dated
                numbers[incident.date.year],  # type: ignore[union-attr]  # fakes are dated
            )
        Incident.objects.bulk_create([i for i, _ in batch])  # sets each pk (RETURNING)
        links: dict[str, list[tuple[int, int]]] = defaultdict(list)
        entries: list[tuple[int, str, str]] = []
        for incident, fake in batch:
            terms: list[Any] = [incident.city, incident.place_type, incident.program]
            for field, codes, table in (
                ("violence_types", fake.types, vocab.type),
                ("perpetrators", fake.perpetrators, vocab.perpetrator),
                ("victim_groups", fake.groups, vocab.group),
                ("nationalities", fake.nationalities, vocab.country),
            ):
                for code in codes:
                    links[field].append((incident.pk, table[code].pk))
                    terms.append(table[code])
            entries.append((incident.pk, *search.compose(incident, terms)))
        # Plain executemany: the ORM's per-object work would dominate at this volume.
        with connection.cursor() as cursor:
            for field, rows in links.items():
                through = getattr(Incident, field).through
                target = through._meta.get_field(
                    cast(ManyToManyField, Incident._meta.get_field(field)).m2m_reverse_name()
                ).column
                cursor.executemany(
                    f"INSERT INTO {through._meta.db_table} (incident_id, {target}) VALUES (%s, %s)",
                    rows,
                )
            cursor.executemany(
                f"INSERT INTO {SearchEntry._meta.db_table} (incident_id, public, everything) "
                "VALUES (%s, %s, %s)",
                entries,
            )
