"""Render a complaint letter as an accessible PDF (tagged PDF/UA-1, see returnwatch/tagged_pdf.py).

The letter is laid out as semantic HTML (headings, paragraphs, lists) in the letter's language;
long answers flow across pages.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from returnwatch.tagged_pdf import FONT_FACES, html_to_pdf

from .letter import Letter


def render(letter: Letter) -> bytes:
    with translation.override(letter.language):
        html = render_to_string(
            "complaints/letter_pdf.html",
            {"letter": letter, "enclosures_word": gettext("Enclosures"), "font_faces": FONT_FACES},
        )
    return html_to_pdf(html)
