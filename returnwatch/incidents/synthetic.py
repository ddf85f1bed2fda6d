"""Synthetic incidents for scale tests (`manage.py generate_incidents`), written by the one
bulk writer (incidents/bulkwrite.py) that the importer uses too.

Every core is used: this process makes the fake records, takes their references from the one
allocator and writes the batches; `processes` spawned processes, with no database connection
of their own, turn the batches into rows (`bulkwrite.prepare`: encryption, row digests,
search texts) meanwhile, one batch ahead each. Each batch is written in a transaction of its
own, its references reserved in one before: an interrupted run leaves whole batches, and the
numbers reserved for the batches then in flight unused (this data is fictional).
docs/benchmarks.md has the timings.

This module imports Django's models only inside functions: the spawned process imports it
before Django is set up.
"""

from __future__ import annotations

import collections
import itertools
import multiprocessing
import pickle
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import datetime as dt

    from .bulkwrite import NewIncident, Prepared
    from .demo import FakeIncident, Vocab


def generate(
    count: int,
    seed: int,
    status: str,
    *,
    processes: int = 1,
    batch: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write `count` fictional incidents (the same seed, the same records); `processes`
    preparing processes beside this one (0: everything here), `batch` incidents a transaction
    (the bulk writer's own size unless said). Returns how many were written."""
    from django.db import transaction
    from django.utils import timezone

    from . import bulkwrite, references
    from .demo import Vocab, fake_incidents

    size = batch or bulkwrite.BATCH
    now = timezone.now()
    setting = (seed, status, now, pickle.dumps(Vocab()))
    fakes = fake_incidents(count, seed)
    batches: Iterator[list[FakeIncident]] = iter(lambda: list(itertools.islice(fakes, size)), [])
    done = 0

    def numbered() -> Iterator[tuple[int, list[FakeIncident], list[str]]]:
        start = 0
        for fakes_ in batches:
            given = references.allocate([references.year_of(f.date) for f in fakes_])
            yield start, fakes_, given
            start += len(fakes_)

    def write(prepared: Prepared) -> None:
        nonlocal done
        with transaction.atomic():
            bulkwrite.write(prepared)
        done += len(prepared.references)
        if progress is not None:
            progress(done)

    if processes <= 0:
        _started(*setting)
        for job in numbered():
            write(_prepare(*job))
        return done
    context = multiprocessing.get_context("spawn")  # a fresh process: no inherited connection
    with context.Pool(processes, _started, setting) as pool:
        pending: collections.deque[Any] = collections.deque()
        for job in numbered():
            pending.append(pool.apply_async(_prepare, job))
            if len(pending) > processes:  # one batch ahead per process, no more in memory
                write(pending.popleft().get())
        while pending:
            write(pending.popleft().get())
    return done


# ---------------------------------------------------------------- in the preparing process

_setting: dict[str, Any] = {}


def _started(seed: int, status: str, now: dt.datetime, vocab: bytes) -> None:
    """The preparing process needs no database: the vocabularies come from the writing one
    (pickled, as models unpickle only once Django is set up; its settings are the same)."""
    import django

    django.setup()  # a no-op in the process that already is set up
    _setting.update(seed=seed, status=status, now=now, vocab=pickle.loads(vocab))


def _prepare(start: int, batch: list[FakeIncident], given: list[str]) -> Prepared:
    from . import bulkwrite

    vocab: Vocab = _setting["vocab"]
    items = [
        _item(fake, start + n, reference, vocab)
        for n, (fake, reference) in enumerate(zip(batch, given, strict=True))
    ]
    return bulkwrite.prepare(items)


def _item(fake: FakeIncident, n: int, reference: str, vocab: Vocab) -> NewIncident:
    from .bulkwrite import NewIncident
    from .models import Incident, Status

    status = fake.status if _setting["status"] == "mixed" else _setting["status"]
    was_published = status in (Status.PUBLISHED, Status.RETRACTED)  # a retraction keeps it
    incident = Incident(
        reference=reference,
        external_id=f"synthetic-{_setting['seed']}-{n}",
        status=status,
        published_at=_setting["now"] if was_published else None,
        **vocab.fields(fake),
    )
    return NewIncident(incident, multi=vocab.terms(fake))
