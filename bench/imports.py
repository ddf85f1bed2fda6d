"""Benchmark: import of BENCH_IMPORT_COUNT (default 100,000) rows from a CSV file.

`run()` starts a child process with a fresh database of its own (SQLite at
bench/out/imports.sqlite3, or BENCH_IMPORT_DATABASE_URL), writes a CSV of fictional incidents
(vocabulary values as English and Spanish labels and codes, dates in several formats, source
URLs), and times the whole import as `manage.py import_incidents` does it: read, check every
row (the preview), then apply in one transaction with the search index and one history entry
per incident. Goal: ≥ 2,000 rows per second.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
COUNT = int(os.environ.get("BENCH_IMPORT_COUNT", "100000"))


def run() -> dict[str, float]:
    OUT.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    url = os.environ.get("BENCH_IMPORT_DATABASE_URL")
    if not url:
        db = OUT / "imports.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    env["DATABASE_URL"] = url
    env["DJANGO_SETTINGS_MODULE"] = "returnwatch.settings"
    done = subprocess.run(
        [sys.executable, __file__, "--child"], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"imports benchmark failed ({done.returncode})")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"{'import of ' + format(int(result['rows']), ',') + ' CSV rows (check + apply)':<58} "
        f"{result['rows_per_second']:>9,.0f} rows/s  {result['seconds']:.1f} s "
        f"(check {result['check_seconds']:.1f} s, apply {result['apply_seconds']:.1f} s; "
        f"{result['rows_per_cpu_second']:,.0f} rows per CPU second)"
    )
    return result


def write_file(path: Path, count: int) -> None:
    from returnwatch.incidents.demo import fake_incidents
    from returnwatch.incidents.models import City, Country, ViolenceType

    # Labels in English and Spanish and codes, as spreadsheets mix them.
    types = {t.code: (t.code, t.label_en, t.label_es) for t in ViolenceType.objects.all()}
    cities = {c.code: (c.code, c.label_en, c.label_es.upper()) for c in City.objects.all()}
    countries = {c.code: (c.code.upper(), c.label_en, c.label_es) for c in Country.objects.all()}
    months = ["enero", "feb.", "March", "abril", "May", "junio", "July", "ago.", "Sept.",
              "octubre", "Nov.", "diciembre"]  # fmt: skip
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(
            ["ID", "Título", "Resumen", "Narrativa", "Fecha", "Ciudad", "Tipo de violencia",
             "Perpetrador", "Grupo", "Nacionalidad", "Víctimas", "Niños", "Miedo", "Fuente"]
        )  # fmt: skip
        for n, fake in enumerate(fake_incidents(count, seed=5)):
            d = fake.date
            date = (
                d.isoformat() if n % 3 == 0
                else d.strftime("%d/%m/%Y") if n % 3 == 1
                else f"{months[d.month - 1]} {d.year}"
            )  # fmt: skip
            writer.writerow(
                [
                    f"bench-{n}",
                    fake.title,
                    fake.summary,
                    fake.narrative,
                    date,
                    cities[fake.city][n % 3],
                    "; ".join(types[t][n % 3] for t in fake.types),
                    ";".join(fake.perpetrators),
                    ";".join(fake.groups),
                    ";".join(countries[c][n % 3] for c in fake.nationalities),
                    fake.victims_count,
                    fake.children_count,
                    {"yes": "sí", "no": "no", "unknown": ""}[fake.fear_expressed],
                    f"https://example.org/news/{n % 5000}",
                ]
            )


def child() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from returnwatch.accounts.models import Organization, User
    from returnwatch.imports import importer
    from returnwatch.incidents.models import Incident

    call_command("migrate", verbosity=0)
    org, _ = Organization.objects.get_or_create(name="Lead organization", is_lead=True)
    user = User.objects.create_user("bench", "bench@example.org", None, role="researcher")
    user.organization = org
    user.save()
    path = OUT / "imports.csv"
    write_file(path, COUNT)
    cpu = time.process_time()
    started = time.perf_counter()
    table = importer.read_table(path.read_bytes(), path.name)
    report = importer.plan(table, importer.guess_mapping(table.headers), user)
    checked = time.perf_counter()
    if not report.ok:
        raise SystemExit(report.describe()[:3000])
    importer.apply(report, user)
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu
    assert Incident.objects.count() == COUNT
    print(
        json.dumps(
            {
                "rows": COUNT,
                "seconds": round(seconds, 1),
                "check_seconds": round(checked - started, 1),
                "apply_seconds": round(seconds - (checked - started), 1),
                "rows_per_second": round(COUNT / seconds),
                "rows_per_cpu_second": round(COUNT / cpu_seconds),
            }
        )
    )


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        sys.path.insert(0, str(ROOT))
        run()
