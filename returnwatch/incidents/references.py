"""Public references of incidents (`RW-2019-00042`): one allocator for every path that creates
incidents (the model's save, and incidents/bulkwrite.py for the importer and
`generate_incidents`).

`RW-YYYY-NNNNN` for the first 99,999 of a year, then more digits (`RW-2025-100000`): the pattern
below is the one every URL, import and data package checks. Numbers come from a counter row
per year, locked while it moves, so two creations at once never get the same reference (on
PostgreSQL the row lock; on SQLite the write lock of the IMMEDIATE transaction).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction

PREFIX = "RW"
# Year and at least five digits (more once a year passes 99,999); at most 12 fit the column.
PATTERN = r"RW-[0-9]{4}-[0-9]{5,12}"
REGEX = re.compile(rf"^{PATTERN}$")


def format_reference(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:05d}"


def number_of(reference: str) -> int:
    return int(reference.rsplit("-", 1)[1])


def reserve(years: Iterable[int]) -> dict[int, int]:
    """Reserve one number for each year given (repeated years, several numbers); returns for
    each year the last number in use before, so the caller numbers from there + 1."""
    from .models import ReferenceCounter

    wanted = Counter(years)
    before: dict[int, int] = {}
    with transaction.atomic():
        for year in sorted(wanted):  # a fixed order: two bulk writers never deadlock
            counter = _locked_counter(ReferenceCounter, year)
            before[year] = counter.last
            counter.last += wanted[year]
            counter.save(update_fields=["last"])
    return before


def allocate(years: Sequence[int]) -> list[str]:
    """A new reference for each year given, in order: one `reserve` for them all."""
    numbers = reserve(years)
    given = []
    for year in years:
        numbers[year] += 1
        given.append(format_reference(year, numbers[year]))
    return given


def year_of(date: dt.date | None) -> int:
    """The year a new incident is numbered in: its date's, else this year."""
    return (date or dt.date.today()).year


def next_reference(date: dt.date | None) -> str:
    year = year_of(date)
    return format_reference(year, reserve([year])[year] + 1)


def _locked_counter(model, year: int):
    counter = model.objects.select_for_update().filter(year=year).first()
    if counter is not None:
        return counter
    try:
        with transaction.atomic():
            model.objects.create(year=year, last=_highest_in_use(year))
    except IntegrityError:
        pass  # another creation made it first: take theirs
    return model.objects.select_for_update().get(year=year)


def _highest_in_use(year: int) -> int:
    """The counter's start for a year with none yet (records loaded before counters existed)."""
    from .models import Incident

    refs = Incident.objects.filter(reference__startswith=f"{PREFIX}-{year}-").values_list(
        "reference", flat=True
    )
    return max((number_of(r) for r in refs.iterator() if REGEX.match(r)), default=0)
