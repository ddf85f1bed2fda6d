"""The page's main text and metadata (trafilatura), and signs that it hid behind a wall."""

from __future__ import annotations

import re
from dataclasses import dataclass

import trafilatura


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str
    author: str
    date: str


def extract(html: str, url: str) -> Extracted:
    text = trafilatura.extract(html, url=url, include_comments=False, favor_recall=True) or ""
    meta = trafilatura.extract_metadata(html, default_url=url)
    return Extracted(
        text=text,
        title=(meta.title if meta and meta.title else "") or "",
        author=(meta.author if meta and meta.author else "") or "",
        date=(meta.date if meta and meta.date else "") or "",
    )


# Words that mark a page that shows a wall instead of (or over) the article, in English and
# Spanish. A warning for the researcher, not a verdict: they look at the screenshot.
WALLS = {
    "paywall": re.compile(
        r"paywall|subscribe (now )?to (continue|read)|subscribers only|already a subscriber|"
        r"suscr[ií]bete para (seguir|continuar|leer)|exclusivo para suscriptores|"
        r"ya eres suscriptor",
        re.I,
    ),
    "cookie-wall": re.compile(
        r"accept (all )?cookies|we use cookies|cookie (consent|settings|preferences)|"
        r"aceptar (todas las )?cookies|utilizamos cookies|usamos cookies",
        re.I,
    ),
    "login": re.compile(
        r"<input[^>]+type=[\"']?password|log in to (continue|see)|sign in to (continue|see)|"
        r"inicia sesi[oó]n para",
        re.I,
    ),
}


def walls(html: str) -> list[str]:
    """Which walls the rendered page shows signs of: "paywall", "cookie-wall", "login"."""
    return [name for name, pattern in WALLS.items() if pattern.search(html)]
