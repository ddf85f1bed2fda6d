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
    """Horizontal bars, one per label, largest first."""
    rows = list(rows)[:limit]
    if not rows:
        return mark_safe("")
    width, label_w, bar_h, gap = 640, 230, 18, 6
    top = 4
    height = top + len(rows) * (bar_h + gap) + 4
    peak = max(n for _, n in rows) or 1
    scale = (width - label_w - 60) / peak
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="system-ui, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, n) in enumerate(rows):
        y = top + i * (bar_h + gap)
        w = max(1, round(n * scale)) if n else 0
        short = label if len(label) <= 34 else label[:33] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 13}" text-anchor="end" fill="{LINE}">{escape(short)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_h}" fill="{ACCENT}"/>'
            f'<text x="{label_w + w + 4}" y="{y + 13}" fill="{LINE}">{n}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def timeline(points: Sequence[tuple[str, int, int]], *, title: str) -> SafeString:
    """Monthly counts as columns with the running total as a line (own scale, right axis)."""
    if not points:
        return mark_safe("")
    width, height, left, right, top, bottom = 720, 260, 40, 50, 10, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(points)
    step = plot_w / n
    peak = max(c for _, c, _ in points) or 1
    total = max(t for _, _, t in points) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}" font-family="system-ui, sans-serif" font-size="11">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{GRID}"/>',
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" fill="{ACCENT}">{peak}</text>',
        f'<text x="{left + plot_w + 4}" y="{top + 8}" fill="{LINE}">{total}</text>',
    ]
    line = []
    label_every = max(1, n // 8)
    for i, (label, count, running) in enumerate(points):
        x = left + i * step
        h = count / peak * plot_h
        parts.append(
            f'<rect x="{x + step * 0.1:.1f}" y="{top + plot_h - h:.1f}" width="{max(step * 0.8, 0.5):.1f}" '
            f'height="{h:.1f}" fill="{ACCENT}"><title>{escape(label)}: {count}</title></rect>'
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
    return mark_safe("".join(parts))
