"""Accessible PDF from HTML, one place for every document the site builds (WeasyPrint).

Documents are written as small semantic HTML pages (headings, paragraphs, lists, `lang` on
<html>) and WeasyPrint writes them as tagged PDF/UA-1: a structure tree a screen reader
follows, the document language, the title shown instead of the file name. DejaVu Sans is
embedded (subset), so accented letters print the same on any computer.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

FONT_DIR = Path(__file__).resolve().parent / "complaints" / "fonts"
PDF_VARIANT = "pdf/ua-1"
# For templates: the @font-face rules (fonts resolve against FONT_DIR).
FONT_FACES = (
    '@font-face { font-family: "DejaVu Sans"; src: url("DejaVuSans.ttf"); }\n'
    '@font-face { font-family: "DejaVu Sans"; font-weight: bold; src: url("DejaVuSans-Bold.ttf"); }'
)


def html_to_pdf(html: str, attachments: Sequence[tuple[str, bytes, str]] = ()) -> bytes:
    """Tagged PDF/UA-1 of `html`; `attachments` are (file name, bytes, description) embedded.

    Only local files load (the fonts): building a document never makes a network request.
    """
    from weasyprint import HTML, Attachment  # imported here: loading Pango takes a moment
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols=["file"], fail_on_errors=True)
    files: list[Any] = [
        Attachment(string=data, name=name, description=description, url_fetcher=fetcher)
        for name, data, description in attachments
    ]
    document = HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=fetcher)
    return document.write_pdf(pdf_variant=PDF_VARIANT, attachments=files)
