"""Fast synthetic incidents for scale tests (incidents/synthetic.py, written by the one bulk
writer the importer uses too); docs/benchmarks.md has the timings."""

import os
import time
from typing import Any

from django.core.management.base import BaseCommand

from returnwatch.incidents import bulkwrite, stats, synthetic


class Command(BaseCommand):
    help = "Create N fictional incidents quickly (bulk inserts), e.g. --count 100000 --seed 1."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--status", default="published", choices=["published", "draft", "review", "mixed"]
        )
        parser.add_argument(
            "--processes",
            type=int,
            default=None,
            help="processes preparing rows beside the writing one (default: one per core, "
            "at most 4, when there is more than one batch to write, else 0)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        count = options["count"]
        processes = options["processes"]
        if processes is None:
            processes = min(4, os.cpu_count() or 1) if count > bulkwrite.BATCH else 0
        done = synthetic.generate(
            count,
            options["seed"],
            options["status"],
            processes=processes,
            progress=lambda n: self.stdout.write(f"{n}/{count}", ending="\r"),
        )
        stats.analyze()  # planner statistics for the new size, on both engines
        self.stdout.write(
            self.style.SUCCESS(f"Created {done} incidents in {time.monotonic() - started:.1f} s.")
        )
