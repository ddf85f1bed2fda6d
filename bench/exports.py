"""Benchmark: CSV export of BENCH_EXPORT_COUNT (default 1,000,000) published incidents.

`run()` starts a child process with a database of its own (SQLite at
bench/out/exports.sqlite3, kept between runs, or BENCH_EXPORT_DATABASE_URL), fills it with
generate_incidents when it has fewer incidents, then streams /exports/incidents.csv through
Django's test client, reading every byte, and reports rows per second and the peak resident
memory of the process (ru_maxrss) before and during the export. Goal: ≥ 50,000 rows/s with
peak memory under 250 MB. Wall-clock time depends on what else the machine runs (the
database is in this process), so CPU time of the process is reported too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
COUNT = int(os.environ.get("BENCH_EXPORT_COUNT", "1000000"))


def run() -> dict[str, float]:
    OUT.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["DATABASE_URL"] = os.environ.get(
        "BENCH_EXPORT_DATABASE_URL", f"sqlite:///{OUT / 'exports.sqlite3'}"
    )
    env["DJANGO_SETTINGS_MODULE"] = "returnwatch.settings"
    env.setdefault("ALLOWED_HOSTS", "testserver")
    done = subprocess.run(
        [sys.executable, __file__, "--child"], env=env, capture_output=True, text=True, check=False
    )
    sys.stderr.write(done.stderr[-3000:] if done.returncode else "")
    if done.returncode:
        raise SystemExit(f"exports benchmark failed ({done.returncode})")
    lines = done.stdout.strip().splitlines()
    for line in lines[:-1]:
        print(line)
    result: dict[str, float] = json.loads(lines[-1])
    print(
        f"{'CSV export of ' + format(int(result['rows']), ',') + ' incidents':<58} "
        f"{result['rows_per_second']:>9,.0f} rows/s  {result['seconds']:.1f} s "
        f"({result['rows_per_cpu_second']:,.0f} rows per CPU second)  "
        f"peak RSS {result['peak_rss_mb']:.0f} MB (before export {result['rss_before_mb']:.0f} MB)"
    )
    return result


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def child() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from returnwatch.incidents.models import Incident

    call_command("migrate", verbosity=0)
    existing = Incident.objects.filter(status="published").count()
    if existing < COUNT:
        started = time.perf_counter()
        call_command(
            "generate_incidents", count=COUNT - existing, seed=11, stdout=open(os.devnull, "w")
        )  # noqa: SIM115
        print(f"generate_incidents: {COUNT - existing} in {time.perf_counter() - started:.0f} s")
    Incident.objects.count()
    before = _rss_mb()
    client = Client()
    # Warm up: the first request imports the URL modules (DRF, the API) — not export work.
    b"".join(client.get("/exports/incidents.csv?year=1900"))  # iterates its streaming_content
    cpu = time.process_time()
    started = time.perf_counter()
    response = client.get("/exports/incidents.csv")
    size = 0
    lines = 0
    for piece in response:  # its streaming_content
        size += len(piece)
        lines += piece.count(b"\r\n")
    seconds = time.perf_counter() - started
    cpu_seconds = time.process_time() - cpu
    rows = lines - 1  # the header (no newline inside our synthetic texts)
    print(
        json.dumps(
            {
                "rows": rows,
                "seconds": round(seconds, 2),
                "rows_per_second": round(rows / seconds),
                "cpu_seconds": round(cpu_seconds, 2),
                "rows_per_cpu_second": round(rows / cpu_seconds),
                "megabytes": round(size / 1e6, 1),
                "rss_before_mb": round(before, 1),
                "peak_rss_mb": round(_rss_mb(), 1),
            }
        )
    )


if __name__ == "__main__":
    if "--child" in sys.argv:
        child()
    else:
        sys.path.insert(0, str(ROOT))
        run()
