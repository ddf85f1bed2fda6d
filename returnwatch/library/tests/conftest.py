"""Library items for the tests: `make_item(...)` creates a document and shows it in the library."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils.text import slugify


@pytest.fixture
def make_item(db: Any) -> Any:
    from returnwatch.incidents.models import Citation, Document, DocumentKind, Program
    from returnwatch.library.models import LibraryItem

    def make(
        title: str = "Stranded at the border",
        slug: str | None = None,
        kind: str = "report",
        publisher: str = "Fictional Rights Watch (demo)",
        date: dt.date | None = dt.date(2020, 1, 15),
        language: str = "en",
        summary: str = "A report on attacks against returned asylum seekers.",
        document_kind: str = "ngo-report",
        programs: tuple[str, ...] = ("mpp-2019",),
        cited_by: tuple[Any, ...] = (),
        **fields: Any,
    ) -> LibraryItem:
        document = Document.objects.create(
            kind=DocumentKind.objects.get(code=document_kind),
            title=title,
            publisher=publisher,
            url=f"https://example.org/{slug or slugify(title)}",
            date_published=date,
            language=language,
            summary=summary,
        )
        item = LibraryItem.objects.create(
            document=document,
            slug=slug or slugify(title)[:100],
            kind=kind,
            **fields,
        )
        item.programs.set(Program.objects.filter(code__in=programs))
        for incident in cited_by:
            Citation.objects.create(incident=incident, document=document)
        return item

    return make
