"""Render a complaint letter as PDF with ReportLab, embedding DejaVu Sans.

The font is embedded (subset) so every accented letter of English, Spanish, Haitian Creole,
Portuguese and French prints the same on any computer; long answers are split into
paragraphs that flow across pages.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    ListFlowable,
    ListItem,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)

from .letter import Letter, Signature

FONT_DIR = Path(__file__).resolve().parent / "fonts"
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
_registered = False


def register_fonts() -> None:
    global _registered
    if _registered:
        return
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONT_DIR / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(
        REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
    )
    _registered = True


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle(
        "body", fontName=REGULAR, fontSize=10.5, leading=14.5, spaceAfter=5, alignment=TA_LEFT
    )
    return {
        "body": body,
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=15, leading=19),
        "note": ParagraphStyle(
            "note", parent=body, fontSize=9.5, leading=13, borderPadding=6, borderWidth=0.6,
            borderColor="#888888", backColor="#f3f3f3", spaceBefore=4, spaceAfter=12,
        ),
        "h2": ParagraphStyle(
            "h2", parent=body, fontName=BOLD, fontSize=12.5, leading=16, spaceBefore=12,
            spaceAfter=6,
        ),
        "h3": ParagraphStyle(
            "h3", parent=body, fontName=BOLD, fontSize=11, leading=14, spaceBefore=6, spaceAfter=4
        ),
        "field": ParagraphStyle("field", parent=body, spaceAfter=2),
        "sig": ParagraphStyle("sig", parent=body, spaceBefore=14),
    }  # fmt: skip


def _text(value: str) -> list[str]:
    """Escape typed text and split it at blank lines, so a long account can break across pages."""
    chunks = [c.strip() for c in value.replace("\r\n", "\n").split("\n\n")]
    return [escape(c).replace("\n", "<br/>") for c in chunks if c]


def _signature(sig: Signature, style: ParagraphStyle) -> list[Paragraph]:
    out = []
    for label, value in sig.lines:
        filled = escape(value) if value else "_" * 40
        out.append(Paragraph(f"{escape(label)}: {filled}", style))
    return out


def render(letter: Letter) -> bytes:
    register_fonts()
    st = _styles()
    buffer = io.BytesIO()
    footer = letter.footer

    def on_page(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        canvas.setFont(REGULAR, 8)
        canvas.setFillGray(0.35)
        canvas.drawString(2.2 * cm, 1.2 * cm, footer)
        canvas.drawRightString(LETTER[0] - 2.2 * cm, 1.2 * cm, str(doc.page))
        canvas.restoreState()

    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        leftMargin=2.2 * cm,
        rightMargin=2.2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=letter.title,
        subject=letter.title,  # no names in the file metadata
        author="",
        creator="ReturnWatch complaint assistant",
        lang=letter.language,
        initialFontName=REGULAR,
    )
    story: list = []
    story.append(Paragraph(escape(letter.title), st["title"]))
    if letter.copy_note:
        story.append(Paragraph(escape(letter.copy_note), st["note"]))
    story.append(Spacer(1, 6))
    story.append(Paragraph(escape(letter.date), st["body"]))
    story.append(Paragraph("<br/>".join(escape(x) for x in letter.to_lines), st["body"]))
    story.append(Spacer(1, 4))
    story.append(Paragraph(f"<b>{escape(letter.subject)}</b>", st["body"]))
    story.append(Paragraph(escape(letter.salutation), st["body"]))
    for p in letter.opening:
        story.append(Paragraph(escape(p), st["body"]))

    for section in letter.sections:
        # Keep a heading with the start of its section rather than alone at a page's foot.
        story.append(CondPageBreak(3 * cm))
        story.append(Paragraph(escape(section.heading), st["h2"]))
        for item in section.items:
            if item.heading:
                story.append(Paragraph(escape(item.heading), st["h3"]))
                continue
            chunks = _text(item.text) if item.text else []
            if item.label:
                label = f"<b>{escape(item.label)}:</b>"
                if chunks and len(chunks) == 1 and "<br/>" not in chunks[0]:
                    story.append(Paragraph(f"{label} {chunks[0]}", st["field"]))
                    chunks = []
                else:
                    story.append(Paragraph(label, st["body"]))
            story += [Paragraph(c, st["body"]) for c in chunks]
            if item.bullets:
                story.append(
                    ListFlowable(
                        [ListItem(Paragraph(escape(b), st["body"])) for b in item.bullets],
                        bulletType="bullet",
                        start="•",
                        bulletFontName=REGULAR,
                        leftIndent=14,
                    )
                )

    story.append(Spacer(1, 8))
    story.append(Paragraph(escape(letter.request), st["body"]))
    story.append(Paragraph(escape(letter.closing), st["body"]))
    story.append(KeepTogether(_signature(letter.signature, st["sig"])))
    if letter.enclosures:
        from django.utils import translation
        from django.utils.translation import gettext

        with translation.override(letter.language):
            word = gettext("Enclosures")
        items = [Paragraph(f"<b>{escape(word)}</b>", st["h3"])]
        items += [
            Paragraph(f"{n}. {escape(e)}", st["body"]) for n, e in enumerate(letter.enclosures, 1)
        ]
        story.append(Spacer(1, 8))
        story.append(KeepTogether(items))

    if letter.consent:
        story.append(PageBreak())
        story.append(Paragraph(escape(letter.consent.title), st["title"]))
        story.append(Spacer(1, 10))
        for p in letter.consent.paragraphs:
            story.append(Paragraph(escape(p), st["body"]))
        story += _signature(letter.consent.signature, st["sig"])

    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
