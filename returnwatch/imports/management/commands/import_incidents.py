"""manage.py import_incidents FILE: bring a CSV or XLSX of incidents in as drafts."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from returnwatch.accounts.models import User
from returnwatch.imports import importer
from returnwatch.imports.models import ImportMapping


class Command(BaseCommand):
    help = (
        "Import incidents from a CSV or XLSX file as drafts. Reports what would be created or "
        "updated and every bad row; writes nothing unless every row is good (all or nothing)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="a .csv or .xlsx file with a header row")
        parser.add_argument(
            "--user", required=True, help="username of the researcher the import is made by"
        )
        parser.add_argument("--dry-run", action="store_true", help="report only; write nothing")
        parser.add_argument(
            "--mapping", help="name of a saved column mapping (from the staff import page)"
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="map a column to a field (repeatable; FIELD empty to ignore the column)",
        )
        parser.add_argument(
            "--date-order",
            choices=["dmy", "mdy"],
            default=None,
            help="how to read 03/10/2019: dmy (3 October, the default) or mdy (10 March)",
        )
        parser.add_argument(
            "--document-kind", default=None, help="kind of documents made from source URLs (news)"
        )
        parser.add_argument("--show-mapping", action="store_true", help="print the mapping used")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = User.objects.filter(username=options["user"]).first()
        if user is None or not user.is_researcher:
            raise CommandError(f"{options['user']} is not an active researcher, editor or admin.")
        started = time.monotonic()
        try:
            table = importer.read_table(path.read_bytes(), path.name)
        except importer.ImportError_ as error:
            raise CommandError(str(error)) from error
        mapping = importer.guess_mapping(table.headers)
        saved_options: dict[str, Any] = {}
        if options["mapping"]:
            saved = ImportMapping.objects.filter(name=options["mapping"]).first()
            if saved is None:
                raise CommandError(f"No saved mapping named {options['mapping']!r}.")
            mapping.update({h: f for h, f in saved.columns.items() if h in mapping})
            saved_options = saved.options
        for item in options["map"]:
            column, sep, target = item.partition("=")
            if not sep or column not in mapping:
                raise CommandError(f"--map {item!r}: the file has no column {column!r}.")
            mapping[column] = target
        opts = importer.Options.from_dict(
            {
                **saved_options,
                **{
                    k: v
                    for k, v in (
                        ("date_order", options["date_order"]),
                        ("document_kind", options["document_kind"]),
                    )
                    if v
                },
            }
        )
        if options["show_mapping"] or options["verbosity"] > 1:
            for header, target in mapping.items():
                self.stdout.write(f"  {header} -> {target or '(ignored)'}")
        report = importer.plan(table, mapping, user, opts)
        self.stdout.write(report.describe())
        if not report.ok:
            raise CommandError("Nothing was imported: fix the rows above and run again.")
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
            return
        importer.apply(report, user, opts, note=f"import {path.name}"[:500])
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {report.creates} created, {report.updates} updated, "
                f"{report.unchanged} unchanged ({elapsed:.1f} s)."
            )
        )
