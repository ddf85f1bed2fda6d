"""Render a complaint letter as an accessible PDF with WeasyPrint (PDF/UA-1, tagged).

The letter is laid out as semantic HTML (headings, paragraphs, lists) and WeasyPrint writes
it as a tagged PDF: a structure tree a screen reader follows, the document language, the
title shown instead of the file name. DejaVu Sans is embedded (subset) so every accented
letter of English, Spanish, Haitian Creole, Portuguese and French prints the same anywhere;
long answers flow across pages.
"""

from __future__ import annotations

from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from .letter import Letter

FONT_DIR = Path(__file__).resolve().parent / "fonts"
PDF_VARIANT = "pdf/ua-1"


def html_to_pdf(html: str, base: Path = FONT_DIR) -> bytes:
    """One place for WeasyPrint: tagged PDF/UA-1; files resolve only against `base`."""
    from weasyprint import HTML  # imported here: loading Pango costs time at start-up
    from weasyprint.urls import URLFetcher

    # Local files only (the fonts): building a document never makes a network request.
    fetcher = URLFetcher(allowed_protocols=["file"], fail_on_errors=True)
    return HTML(string=html, base_url=base.as_uri() + "/", url_fetcher=fetcher).write_pdf(
        pdf_variant=PDF_VARIANT
    )


def render(letter: Letter) -> bytes:
    with translation.override(letter.language):
        html = render_to_string(
            "complaints/letter_pdf.html",
            {"letter": letter, "enclosures_word": gettext("Enclosures")},
        )
    return html_to_pdf(html)
