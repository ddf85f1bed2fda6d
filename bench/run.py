"""`make bench`: speed of search and statistics at scale (and the exports benchmarks).

Creates BENCH_COUNT (default 100,000; 1,000,000 works) published incidents with
generate_incidents in a fresh database (SQLite at bench/out/bench.sqlite3 unless
BENCH_DATABASE_URL is set, e.g. postgres://postgres@127.0.0.1:5432/bench; BENCH_KEEP=1 reuses
the last SQLite file), then times requests through Django's test client in this process — the
view, the queries and the template, without network — and prints p50 and p95. The requests
of issue 17's table also run against Datasette on a flat export of the same rows
(bench/datasette_side.py; BENCH_DATASETTE=0 leaves it out): both times, the ratio, and the
counts (ours, a plain SQL count, Datasette's). Numbers go into docs/benchmarks.md.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("BENCH_OUT", ROOT / "bench" / "out"))
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


# The requests of issue 17's table: (name, ReturnWatch address, Datasette query or None).
# Datasette reads a flat export of the same rows whose FTS5 text is ReturnWatch's own public
# search text, so a raw prefix query matches what `q=` matches.
ISSUE_TABLE = [
    (
        "q=kidnapped&city=nuevo-laredo&group=child + facets",
        "/incidents/?q=kidnapped&city=nuevo-laredo&group=child",
        '_search="kidnapped"*&_searchmode=raw&city=nuevo-laredo&groups__arraycontains=child',
    ),
    (
        "q=secuestro&city=reynosa&type=kidnapping + facets",
        "/incidents/?q=secuestro&city=reynosa&type=kidnapping",
        '_search="secuestro"*&_searchmode=raw&city=reynosa&types__arraycontains=kidnapping',
    ),
    ("q=extortion + facets", "/incidents/?q=extortion", '_search="extortion"*&_searchmode=raw'),
    (
        "city=tijuana&type=extortion + facets",
        "/incidents/?city=tijuana&type=extortion",
        "city=tijuana&types__arraycontains=extortion",
    ),
    ("/incidents/ no filter (cached facets)", "/incidents/", ""),
    ("/api/v1/incidents/ (first page + facets)", "/api/v1/incidents/", None),
    (
        "/api/v1/incidents/?city=tijuana&type=extortion",
        "/api/v1/incidents/?city=tijuana&type=extortion",
        None,
    ),
]


def our_count(address: str) -> tuple[int, int]:
    """(ReturnWatch's count on the fast path, a plain SQL count) for a search address."""
    from django.http import QueryDict

    from returnwatch import public
    from returnwatch.incidents import facets, filters

    search = filters.parse(QueryDict(address.partition("?")[2]))
    _ordered, found = facets.results(search, public.incidents())
    plain = search.apply(public.incident_ids()).count()
    return (found.count() if hasattr(found, "count") else len(found)), plain


def issue_table(client: Any) -> dict[str, dict[str, float]]:
    """Each request of the issue's table: p50/p95 here and in Datasette, ratio, counts."""
    results: dict[str, dict[str, float]] = {}
    side = None
    if os.environ.get("BENCH_DATASETTE", "1") != "0":
        from bench.datasette_side import Side, flat_export

        start = time.perf_counter()
        flat = OUT / "flat.sqlite3"
        rows = flat_export(flat)
        print(f"flat export for Datasette: {rows} rows in {time.perf_counter() - start:.1f} s")
        side = Side(flat)
    print(
        f"{'request':<52} {'ReturnWatch p50/p95':>20} {'Datasette p50/p95':>20} "
        f"{'ratio':>6}  counts (ours / plain SQL / Datasette)"
    )
    for name, address, query in ISSUE_TABLE:
        client.get(address)  # warm
        ours = timed(client, address, REQUESTS)
        ours_p50, ours_p95 = percentile(ours, 50), percentile(ours, 95)
        count, plain = our_count(address)
        line = f"{name:<52} {ours_p50:8.1f} /{ours_p95:8.1f} ms"
        entry = {"p50": ours_p50, "p95": ours_p95, "count": count, "plain": plain}
        if side is not None and query is not None:
            theirs, their_count = side.time(query, max(3, REQUESTS // 3))
            ds50, ds95 = percentile(theirs, 50), percentile(theirs, 95)
            line += f" {ds50:8.1f} /{ds95:8.1f} ms {ds50 / ours_p50:6.1f}x  {count} / {plain} / {their_count}"
            entry.update({"ds_p50": ds50, "ds_p95": ds95, "ds_count": their_count})
        else:
            line += f" {'—':>20} {'':>6}  {count} / {plain}"
        print(line, flush=True)
        results[name] = entry
    return results


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
    # A task queue of the benchmark's own (statistics tasks are run here, in process).
    os.environ.setdefault("HUEY_SQLITE_PATH", str(OUT / "tasks.sqlite3"))
    os.environ.setdefault("RETURNWATCH_VAR_DIR", str(OUT / "var"))
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
    results = issue_table(client)
    search_times: list[float] = []
    for search_url in SEARCHES:
        client.get(search_url)  # warm the connection and templates
        search_times += timed(client, search_url, REQUESTS // len(SEARCHES) + 1)
    results["search"] = report("search: text + 2 filters + facets + 50, by relevance", search_times)
    dated: list[float] = []
    for search_url in SEARCHES:
        dated += timed(client, search_url + "&sort=-date", REQUESTS // len(SEARCHES) + 1)
    results["search by date"] = report(
        "search: text + 2 filters + facets + 50, newest first", dated
    )
    from returnwatch.incidents import matches

    def nothing_kept() -> None:
        matches.forget()
        cache.clear()  # the shared answers too (and the cached facet counts)

    first: list[float] = []
    for search_url in SEARCHES:  # the database's full-text answer, before it is kept
        first += timed(client, search_url, 3, before=nothing_kept)
    results["search first time"] = report(
        "search: the same, its words asked for the first time", first
    )
    other: list[float] = []
    for search_url in SEARCHES:
        client.get(search_url)
        other += timed(client, search_url, 3, before=matches.forget)
    results["search shared"] = report(
        "search: the same, words kept by another app server (cache)", other
    )
    for search_url in SEARCHES:
        client.get(search_url)  # kept again, as on a running site
    from django.utils import timezone

    touched = list(
        Incident.objects.filter(status="published").order_by("pk").values_list("pk", flat=True)[:50]
    )

    def change() -> None:
        # One edit, as a researcher makes it: the triggers bump the data version and log the id.
        stats.wait_for_background()
        Incident.objects.filter(pk=touched[len(changes) % len(touched)]).update(
            updated_at=timezone.now(), title=f"Edited {len(changes)}"
        )
        changes.append(1)

    changes: list[int] = []
    few = max(5, REQUESTS // 3)
    results["search after change"] = report(
        "search right after a change (the change applied to the index)",
        timed(client, SEARCHES[0], few, before=change),
    )
    client.get("/stats/")  # figures exist, as on a running site
    results["stats after change"] = report(
        "/stats/ right after a change (figures from the index)",
        timed(client, "/stats/", few, before=change),
    )
    start = time.perf_counter()
    stats.wait_for_background()
    print(f"statistics tasks left on the queue: {time.perf_counter() - start:.1f} s")
    results["stats current"] = report(
        "/stats/ once the task ran (current figures)", timed(client, "/stats/", REQUESTS)
    )
    results["stats cold"] = report(
        "/stats/ with no figures at all (cache cleared)",
        timed(client, "/stats/", max(3, REQUESTS // 10), before=cache.clear),
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
