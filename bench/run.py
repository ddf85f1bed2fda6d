"""`make bench`: speed of search and statistics at scale (and the exports benchmarks).

Creates BENCH_COUNT (default 100,000) published incidents with generate_incidents in a fresh
database (SQLite at bench/out/bench.sqlite3 unless BENCH_DATABASE_URL is set), then times
requests through Django's test client in this process — the view, the queries and the
template, without network — and prints p50 and p95. Numbers go into docs/benchmarks.md.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))

COUNT = int(os.environ.get("BENCH_COUNT", "100000"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "30"))
SEARCHES = [
    "/incidents/?q=secuestro&city=reynosa&type=kidnapping",
    "/incidents/?q=kidnapped&city=nuevo-laredo&group=child",
    "/incidents/?q=extortion&city=matamoros&program=mpp-2019",
    "/es/incidents/?q=juarez&type=extortion&nationality=hn",
]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timed(client, url: str, n: int, before=None) -> list[float]:
    times = []
    for _ in range(n):
        if before:
            before()
        start = time.perf_counter()
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(name: str, times: list[float]) -> dict[str, float]:
    p50, p95 = percentile(times, 50), percentile(times, 95)
    print(f"{name:<58} n={len(times):>3}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms")
    return {"p50": p50, "p95": p95}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "bench.sqlite3"
    url = os.environ.get("BENCH_DATABASE_URL")
    if not url:
        if os.environ.get("BENCH_KEEP") != "1":  # BENCH_KEEP=1 reuses the last database
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{db}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "returnwatch.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from returnwatch.incidents.models import Incident

    call_command("migrate", verbosity=0)
    existing = Incident.objects.count()
    if existing < COUNT:
        start = time.perf_counter()
        call_command("generate_incidents", count=COUNT - existing, seed=7)
        print(
            f"generate_incidents: {COUNT - existing} incidents in {time.perf_counter() - start:.1f} s"
        )
    print(
        f"Database: {url.split('://')[0]}, {Incident.objects.count()} incidents, {REQUESTS} requests each"
    )
    os.system("uptime")
    from returnwatch.incidents import facets, stats

    start = time.perf_counter()
    facets.index(wait=True)
    print(f"facet index built in {time.perf_counter() - start:.1f} s")
    client = Client()
    search_times: list[float] = []
    for search_url in SEARCHES:
        client.get(search_url)  # warm the connection and templates
        search_times += timed(client, search_url, REQUESTS // len(SEARCHES) + 1)
    results = {
        "search": report("search: text + 2 filters + facets + 50, by relevance", search_times)
    }
    dated: list[float] = []
    for search_url in SEARCHES:
        dated += timed(client, search_url + "&sort=-date", REQUESTS // len(SEARCHES) + 1)
    results["search by date"] = report(
        "search: text + 2 filters + facets + 50, newest first", dated
    )
    results["browse"] = report(
        "search page with no filter (all facets over every case)",
        timed(client, "/incidents/", REQUESTS),
    )
    from django.utils import timezone

    touched = Incident.objects.filter(status="published").order_by("pk").values_list("pk")[:1]

    def change() -> None:
        # One edit, as a researcher makes it: the database bumps the data version.
        stats.wait_for_background()
        facets.wait_for_background()
        Incident.objects.filter(pk__in=touched).update(updated_at=timezone.now())

    few = max(3, REQUESTS // 6)
    results["search after change"] = report(
        "search right after a change (SQL while the index is rebuilt)",
        timed(client, SEARCHES[0], few, before=change),
    )
    client.get("/stats/")  # figures exist, as on a running site
    results["stats after change"] = report(
        "statistics page right after a change (last figures)",
        timed(client, "/stats/", few, before=change),
    )
    start = time.perf_counter()
    stats.wait_for_background()
    facets.wait_for_background()
    print(f"background recomputation of the statistics: {time.perf_counter() - start:.1f} s")
    results["stats cold"] = report(
        "statistics page with no figures at all (cache cleared)",
        timed(client, "/stats/", few, before=cache.clear),
    )
    results["stats warm"] = report(
        "statistics page, cached (data unchanged)", timed(client, "/stats/", REQUESTS)
    )
    results["home"] = report("home page", timed(client, "/", REQUESTS))
    for extra in ("exports", "imports"):
        path = ROOT / "bench" / f"{extra}.py"
        if path.exists() and os.environ.get("BENCH_SKIP_DATA") != "1":
            import importlib

            module = importlib.import_module(f"bench.{extra}")
            module.run()


if __name__ == "__main__":
    main()
