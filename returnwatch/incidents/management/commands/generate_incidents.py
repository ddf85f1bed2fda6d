"""Fast synthetic incidents for scale tests, written by the one bulk writer (incidents/bulkwrite.py)
that the importer uses too; docs/benchmarks.md has the timings."""

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from returnwatch.incidents import bulkwrite, stats
from returnwatch.incidents.demo import Vocab, fake_incidents
from returnwatch.incidents.models import Incident

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
            incident = Incident(
                reference="",  # given out per batch by the one allocator (bulkwrite)
                external_id=f"synthetic-{seed}-{done + len(batch)}",
                is_demo=True,
                title=fake.title,
                summary=fake.summary,
                narrative=fake.narrative,
                status=fake.status if status == "mixed" else status,
                date=fake.date,
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
        stats.analyze()  # planner statistics for the new size, on both engines
        self.stdout.write(
            self.style.SUCCESS(f"Created {done} incidents in {time.monotonic() - started:.1f} s.")
        )

    @transaction.atomic
    def _save(self, batch: list[tuple[Incident, Any]], vocab: Vocab) -> None:
        # The one bulk writer (incidents/bulkwrite.py), shared with the importer.
        bulkwrite.write_batch(
            [
                bulkwrite.NewIncident(
                    incident,
                    multi={
                        "violence_types": [vocab.type[c] for c in fake.types],
                        "perpetrators": [vocab.perpetrator[c] for c in fake.perpetrators],
                        "victim_groups": [vocab.group[c] for c in fake.groups],
                        "nationalities": [vocab.country[c] for c in fake.nationalities],
                    },
                )
                for incident, fake in batch
            ]
        )
