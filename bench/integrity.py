"""What the self-proving record costs: signing on create, row digests, verify_integrity.

`.venv/bin/python bench/integrity.py` (BENCH_INTEGRITY_COUNT incidents, default 5,000) in a
fresh SQLite database under bench/out/. Numbers go into docs/benchmarks.md.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
COUNT = int(os.environ.get("BENCH_INTEGRITY_COUNT", "5000"))
N = 2000
IMPORT_COUNT = int(os.environ.get("BENCH_INTEGRITY_IMPORT", "5000"))


def per_call(fn, n: int = N) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / "integrity.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "returnwatch.settings")
    checkpoint = Path(tempfile.mkdtemp()) / "audit-checkpoint.json"
    os.environ["AUDIT_CHECKPOINT_FILE"] = str(checkpoint)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from returnwatch.audit import checkpoint as checkpoints
    from returnwatch.audit import integrity, log, rows, signing
    from returnwatch.incidents.models import Incident

    call_command("migrate", verbosity=0)
    call_command("generate_incidents", count=COUNT, seed=3, verbosity=0)
    incident = Incident.objects.first()
    assert incident is not None
    data = b"x" * 64
    print(
        f"Ed25519 sign                                   {per_call(lambda: signing.sign(data)):8.1f} µs"
    )
    sig = signing.sign(data)
    print(
        f"Ed25519 verify                                 {per_call(lambda: signing.verify(data, sig)):8.1f} µs"
    )
    print(
        f"row digest of an incident                      {per_call(lambda: rows.digest(incident)):8.1f} µs"
    )
    print(
        f"signed checkpoint write (file, fsync)          {per_call(lambda: checkpoints.write(str(checkpoint), 10**9 + time.perf_counter_ns(), 'a' * 64), 300):8.1f} µs"
    )

    from returnwatch.incidents.demo import fake_incidents
    from returnwatch.incidents.encryption import encrypt, search_tokens
    from returnwatch.incidents.search import fold

    narratives = [f.narrative for f in fake_incidents(1000, 9)]
    it = iter(narratives * 3)
    print(
        f"narrative encryption (Fernet)                  {per_call(lambda: encrypt(next(it)), 1000):8.1f} µs"
    )
    it = iter(narratives * 3)
    print(
        f"narrative search tokens (fold + keyed hashes)  {per_call(lambda: search_tokens(fold(next(it)).split()), 1000):8.1f} µs"
    )
    it = iter(narratives * 3)
    print(
        f"  fold alone (what the index did before)       {per_call(lambda: fold(next(it)), 1000):8.1f} µs"
    )
    print(
        f"log.record (signed entry, checkpoint on commit) {per_call(lambda: log.record('bench', 'update', incident, fields=['title']), 1000):8.1f} µs"
    )
    for name, fn in (
        ("verify_chain", lambda: integrity.verify_chain()),
        ("verify_rows", lambda: integrity.verify_rows()),
    ):
        start = time.perf_counter()
        problems, count, *_ = fn()
        took = time.perf_counter() - start
        assert not problems, problems[:3]
        print(
            f"{name} ({count} items)                {took:8.2f} s  ({took / max(count, 1) * 1e6:.0f} µs each)"
        )

    # The bulk importer: how much of it the digests and signatures take.
    from bench.imports import write_file
    from returnwatch.accounts.models import User
    from returnwatch.imports import importer

    spent = {"digest": 0.0, "sign": 0.0}

    def timed_(name: str, fn):
        def wrapper(*a, **k):
            start = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[name] += time.perf_counter() - start

        return wrapper

    real_sign, real_digest = signing.sign, rows.digest
    signing.sign, rows.digest = timed_("sign", real_sign), timed_("digest", real_digest)
    user = User.objects.create_user("bench", role="researcher")
    path = OUT / "integrity-import.csv"
    write_file(path, IMPORT_COUNT)
    start = time.perf_counter()
    table = importer.read_table(path.read_bytes(), path.name)
    report = importer.plan(table, importer.guess_mapping(table.headers), user)
    importer.apply(report, user)
    took = time.perf_counter() - start
    signing.sign, rows.digest = real_sign, real_digest
    print(
        f"import of {IMPORT_COUNT} rows: {took:.1f} s ({IMPORT_COUNT / took:.0f} rows/s), of which "
        f"row digests {spent['digest']:.2f} s ({spent['digest'] / took:.0%}), "
        f"signatures {spent['sign'] * 1000:.1f} ms"
    )

    def save_and_record() -> None:
        with transaction.atomic():
            incident.title = "Changed"
            incident.save()
            log.record("bench", "update", incident, fields=["title"])

    with_all = per_call(save_and_record, 500)
    print(f"incident save + audit entry + checkpoint       {with_all:8.1f} µs")
    os.environ["AUDIT_CHECKPOINT_FILE"] = ""
    from django.conf import settings

    settings.AUDIT_CHECKPOINT_FILE = ""
    print(
        f"  the same without the checkpoint file         {per_call(save_and_record, 500):8.1f} µs"
    )
    real_sign, real_digest = signing.sign, rows.digest
    signing.sign, rows.digest = (lambda data: ""), (lambda obj: "")
    try:
        print(
            f"  and without signature and row digest         {per_call(save_and_record, 500):8.1f} µs"
        )
    finally:
        signing.sign, rows.digest = real_sign, real_digest


if __name__ == "__main__":
    main()
