"""Server-drawn SVG charts: no JavaScript, no third-party library, readable without colour.

Presentation attributes (fill=…) rather than style attributes, so a strict CSP allows them.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ACCENT = "#8a1c1c"
LINE = "#1b1b1b"
GRID = "#d6d6d6"


def bars(rows: Sequence[tuple[str, int]], *, title: str, limit: int = 20) -> SafeString:
    """Horizontal bars, one per label, largest first. Labels and numbers are HTML text, so
    the stylesheet sizes them (legible on a phone); only each bar is a tiny SVG, stretched
    to its share of the track."""
    rows = list(rows)[:limit]
    if not rows:
        return mark_safe("")
    peak = max(n for _, n in rows) or 1
    parts = [f'<div class="bar-chart" role="img" aria-label="{escape(title)}">']
    for label, n in rows:
        share = n / peak * 100 if n else 0
        width = f"{max(share, 0.5):.1f}" if n else "0"
        parts.append(
            f'<div class="bar-row"><span class="bar-label">{escape(label)}</span>'
            f'<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">'
            f'<rect width="{width}" height="10" fill="{ACCENT}"/></svg>'
            f'<span class="bar-n">{n:,}</span></div>'
        )
    parts.append("</div>")
    return mark_safe("".join(parts))


def timeline(points: Sequence[tuple[str, int, int]], *, title: str) -> SafeString:
    """Monthly counts as columns with the running total as a line (own scale, right axis),
    drawn twice: wide for a desktop, narrow with fewer labels for a phone, so the text stays
    about 11 px or more on either (the stylesheet shows one; an SVG scales its text)."""
    if not points:
        return mark_safe("")
    wide = _timeline(points, title, "wide", width=720, height=260, font=11, labels=8)
    narrow = _timeline(points, title, "narrow", width=340, height=220, font=13, labels=3)
    return mark_safe(wide + narrow)


def _timeline(
    points: Sequence[tuple[str, int, int]],
    title: str,
    name: str,
    *,
    width: int,
    height: int,
    font: int,
    labels: int,
) -> str:
    left, right, top, bottom = font * 3 + 4, font * 4 + 6, 10, font + 18
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(points)
    step = plot_w / n
    peak = max(c for _, c, _ in points) or 1
    total = max(t for _, _, t in points) or 1
    parts = [
        f'<svg class="timeline timeline-{name}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="system-ui, sans-serif" font-size="{font}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{GRID}"/>',
        f'<text x="{left - 4}" y="{top + font - 2}" text-anchor="end" fill="{ACCENT}">{peak:,}</text>',
        f'<text x="{left + plot_w + 4}" y="{top + font - 2}" fill="{LINE}">{total:,}</text>',
    ]
    line = []
    label_every = max(1, -(-n // labels))
    for i, (label, count, running) in enumerate(points):
        x = left + i * step
        h = count / peak * plot_h
        parts.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{top + plot_h - h:.1f}" width="{max(step * 0.8, 0.5):.1f}" '
            f'height="{h:.1f}" fill="{ACCENT}"><title>{escape(label)}: {count:,}</title></rect>'
        )
        line.append(f"{x + step / 2:.1f},{top + plot_h - running / total * plot_h:.1f}")
        if i % label_every == 0:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{height - 10}" text-anchor="middle" fill="{LINE}">{escape(label)}</text>'
            )
    parts.append(
        f'<polyline points="{" ".join(line)}" fill="none" stroke="{LINE}" stroke-width="2"/>'
    )
    parts.append("</svg>")
    return "".join(parts)
