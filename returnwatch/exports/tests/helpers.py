"""Helpers shared by the exports app's tests."""

from __future__ import annotations

from typing import Any


def body(response: Any) -> bytes:
    """The whole body of a (possibly streaming or file) response."""
    if getattr(response, "streaming", False):
        # The test client closes the response once its content is consumed.
        return b"".join(response.streaming_content)
    return bytes(response.content)


def add_source(incident: Any, kind: str = "news", title: str = "Report", **kw: Any) -> Any:
    from returnwatch.incidents.models import Citation, Document, DocumentKind

    doc = Document.objects.create(
        kind=DocumentKind.objects.get(code=kind), title=title, url=kw.pop("url", ""), **kw
    )
    Citation.objects.create(incident=incident, document=doc, passage="p. 3", excerpt="excerpt")
    return doc
