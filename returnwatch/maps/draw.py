"""Server-drawn SVG: the basemap, ports of entry and one circle per city, no JavaScript needed.

A circle's area follows its count (with a floor so the count fits inside it as text). Circles
that would overlap are pushed apart (a Dorling-style layout) and a thin line joins a moved
circle to the city's true place. Names are placed where they overlap nothing and are left out
where they cannot be (the list beside the map names every place). Presentation attributes, not
style attributes, so the strict CSP allows them; one dark colour plus size and text, so the map
reads in greyscale, in print and with any colour vision.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from . import geo
from .places import MapData, Place, Year

INK = "#1b1b1b"
DOT = "#8a1c1c"  # the site's accent: dark, so it holds in greyscale and for every colour vision
SEA = "#e3ebf0"
MEXICO = "#fbf8f1"
US = "#eceae4"
OTHER = "#f1f1f1"
LINE = "#9a9a9a"

LABEL_SIZE = 13.0  # user units; laid out for a phone (the stylesheet shrinks it on wide screens)
CHAR_WIDTH = 0.64  # of the font size: DejaVu Sans, wider than most system fonts
R_MAX = 17.0
GAP = 1.5

Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def _f(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def radius(count: int, peak: int) -> float:
    floor = {1: 7.5, 2: 9.0, 3: 11.0}.get(len(str(count)), 13.5)
    return max(floor, R_MAX * math.sqrt(count / max(peak, 1)))


def spread(
    anchors: Sequence[tuple[float, float]], radii: Sequence[float], width: float, height: float
) -> list[tuple[float, float]]:
    """Positions near the anchors where no two circles overlap (deterministic)."""
    pos = [list(a) for a in anchors]
    n = len(pos)

    def separate() -> bool:
        moved = False
        for i in range(n):
            for j in range(i + 1, n):
                dx, dy = pos[j][0] - pos[i][0], pos[j][1] - pos[i][1]
                d = math.hypot(dx, dy)
                need = radii[i] + radii[j] + GAP
                if d >= need:
                    continue
                if d < 1e-6:
                    dx, dy, d = 1.0, 0.5, math.hypot(1.0, 0.5)
                push = need - d
                share_i = radii[j] / (radii[i] + radii[j])  # the smaller circle moves more
                ux, uy = dx / d, dy / d
                pos[i][0] -= ux * push * share_i
                pos[i][1] -= uy * push * share_i
                pos[j][0] += ux * push * (1 - share_i)
                pos[j][1] += uy * push * (1 - share_i)
                moved = True
        for i in range(n):
            pos[i][0] = min(max(pos[i][0], radii[i]), width - radii[i])
            pos[i][1] = min(max(pos[i][1], radii[i]), height - radii[i])
        return moved

    for _round in range(200):
        if not separate():
            break
        for i in range(n):  # drift back toward the true place
            pos[i][0] += (anchors[i][0] - pos[i][0]) * 0.05
            pos[i][1] += (anchors[i][1] - pos[i][1]) * 0.05
    for _round in range(200):
        if not separate():
            break
    return [(p[0], p[1]) for p in pos]


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    anchor: str  # start, middle, end


def place_label(
    text: str, x: float, y: float, r: float, taken: list[Box], width: float, height: float
) -> Label | None:
    """The first spot around a circle where the text overlaps nothing taken, or None."""
    # Glyphs reach ~0.95 of the size above the baseline and ~0.25 below it.
    w, h = len(text) * LABEL_SIZE * CHAR_WIDTH, LABEL_SIZE * 1.2
    pad = 2.0
    d = r * 0.72
    candidates = [
        (x + r + pad, y - h / 2, "start"),  # right
        (x - r - pad - w, y - h / 2, "end"),  # left
        (x - w / 2, y - r - pad - h, "middle"),  # above
        (x - w / 2, y + r + pad, "middle"),  # below
        (x + d + pad, y - d - h, "start"),  # above right
        (x + d + pad, y + d, "start"),  # below right
        (x - d - pad - w, y - d - h, "end"),  # above left
        (x - d - pad - w, y + d, "end"),  # below left
    ]
    for bx, by, anchor in candidates:
        box = (bx, by, bx + w, by + h)
        if box[0] < 0 or box[1] < 0 or box[2] > width or box[3] > height:
            continue
        if any(_overlaps(box, t) for t in taken):
            continue
        taken.append(box)
        tx = {"start": bx, "middle": bx + w / 2, "end": bx + w}[anchor]
        return Label(tx, by + LABEL_SIZE * 0.95, anchor)
    return None


def cases(n: int) -> str:
    return ngettext("%(n)s case", "%(n)s cases", n) % {"n": n}


def _basemap_labels() -> list[tuple[str, float, float, str]]:
    """(text, longitude, latitude, class) for orientation; left out where a city needs room."""
    return [
        (pgettext("map label", "MEXICO"), -102.6, 24.2, "country"),
        (pgettext("map label", "UNITED STATES"), -103.8, 35.8, "country"),
        (pgettext("map label", "Pacific Ocean"), -111.5, 19.6, "sea"),
        (pgettext("map label", "Gulf of Mexico"), -91.8, 24.3, "sea"),
        (pgettext("map label", "California"), -116.6, 34.3, "state"),
        (pgettext("map label", "Arizona"), -111.8, 33.8, "state"),
        (pgettext("map label", "New Mexico"), -106.2, 33.6, "state"),
        (pgettext("map label", "Texas"), -99.2, 31.6, "state"),
    ]


def map_svg(data: MapData, *, svg_id: str = "rw-map") -> SafeString:
    """The main map of a search."""
    base = geo.basemap()["full"]
    project = geo.projection("full")
    width, height = base["width"], base["height"]
    list_url = reverse("incidents:list")
    places = data.on_map
    peak = max((p.count for p in places), default=1)
    anchors = [project(*p.lonlat) for p in places if p.lonlat]
    radii = [radius(p.count, peak) for p in places]
    centres = spread(anchors, radii, width, height)
    title = _("Map of published cases by city")
    controls = "|".join([_("Zoom in"), _("Zoom out"), _("Whole map")])
    if places:
        summary = _("Most cases: %(places)s.") % {
            "places": ", ".join(f"{p.label} ({p.count})" for p in places[:3])
        }
    else:
        summary = _("No published case with a city matches this search.")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="{svg_id}" class="rw-map" '
        f'viewBox="0 0 {width} {height}" role="group" aria-labelledby="{svg_id}-title" '
        f'aria-describedby="{svg_id}-desc" font-family="system-ui, sans-serif" '
        f'data-width="{width}" data-height="{height}" data-controls="{escape(controls)}">',
        f'<title id="{svg_id}-title">{escape(title)}</title>',
        f'<desc id="{svg_id}-desc">{escape(summary)}</desc>',
        '<g class="base" aria-hidden="true">',
        f'<rect width="{width}" height="{height}" fill="{SEA}"/>',
        f'<path d="{base["other"]}" fill="{OTHER}" stroke="{LINE}" stroke-width=".4"/>',
        f'<path d="{base["us"]}" fill="{US}" stroke="{LINE}" stroke-width=".4"/>',
        f'<path d="{base["mx"]}" fill="{MEXICO}" stroke="{LINE}" stroke-width=".4"/>',
        f'<path d="{base["state_lines"]}" fill="none" stroke="{LINE}" stroke-width=".5" '
        'stroke-dasharray="2 1.5"/>',
        f'<path d="{base["borders"]}" fill="none" stroke="#6b6b6b" stroke-width=".7"/>',
        f'<path d="{base["us_mx"]}" fill="none" stroke="#4a4a4a" stroke-width="1.2"/>',
        "</g>",
    ]
    taken: list[Box] = [
        (x - r, y - r, x + r, y + r) for (x, y), r in zip(centres, radii, strict=True)
    ]
    # Ports of entry: small open squares on the US side of the border.
    port_parts = []
    port_title = _("Port of entry: %(port)s")
    for port in data.ports:
        px, py = project(*port.lonlat)
        if not (0 <= px <= width and 0 <= py <= height):
            continue
        port_parts.append(
            f'<path class="port" d="M{_f(px - 2.2)} {_f(py - 2.2)}h4.4v4.4h-4.4z" '
            f'fill="#fff" stroke="{INK}" stroke-width=".9"><title>'
            f"{escape(port_title % {'port': port.label})}</title></path>"
        )
    city_parts, label_parts, leaders, dots = [], [], [], []
    # Largest first in the document (drawn first), so smaller circles sit on top.
    for place, (ax, ay), (cx, cy), r in zip(places, anchors, centres, radii, strict=True):
        name = f"{place.label}: {cases(place.count)}"
        href = f"{list_url}?{place.query}" if place.query else list_url
        if math.hypot(cx - ax, cy - ay) > r * 0.5:
            # Moved apart from a neighbour: a line to where the city is.
            leaders.append(f"M{_f(ax)} {_f(ay)}L{_f(cx)} {_f(cy)}")
            dots.append(f"M{_f(ax)} {_f(ay)}h0")
        size: float = 10 if place.count < 1000 else 9
        small = "" if size == 10 else f' font-size="{size}"'
        city_parts.append(
            f'<a href="{escape(href)}" class="city" data-city="{escape(place.key)}">'
            f"<title>{escape(name)}</title>"
            f'<circle cx="{_f(cx)}" cy="{_f(cy)}" r="{_f(r)}" fill="{DOT}" stroke="#fff" '
            f'stroke-width="1.2"/><text x="{_f(cx)}" y="{_f(cy + size * 0.36)}"'
            f"{small}>"
            f"{place.count}</text></a>"
        )
        label = place_label(place.label, cx, cy, r, taken, width, height)
        if label:
            anchor = "" if label.anchor == "start" else f' text-anchor="{label.anchor}"'
            label_parts.append(
                f'<text x="{_f(label.x)}" y="{_f(label.y)}"{anchor}>{escape(place.label)}</text>'
            )
    # Orientation labels last: only where no city, circle or name needs the room.
    base_labels = []
    for text, lon, lat, kind in _basemap_labels():
        x, y = project(lon, lat)
        size = {"country": 11.0, "sea": 10.0, "state": 9.5}[kind]
        w = len(text) * size * (0.7 if kind == "country" else CHAR_WIDTH)
        box = (x - w / 2, y - size * 0.95, x + w / 2, y + size * 0.25)
        if box[0] < 0 or box[2] > width or any(_overlaps(box, t) for t in taken):
            continue
        taken.append(box)
        extra = ' letter-spacing="1.5"' if kind == "country" else ' font-style="italic"'
        base_labels.append(
            f'<text x="{_f(x)}" y="{_f(y)}" text-anchor="middle" font-size="{_f(size)}" '
            f'fill="#5c5c5c"{extra}>{escape(text)}</text>'
        )
    parts.append(f'<g class="base-labels" aria-hidden="true">{"".join(base_labels)}</g>')
    ports_label = escape(_("Ports of entry"))
    parts.append(f'<g class="ports" aria-label="{ports_label}">{"".join(port_parts)}</g>')
    if leaders:
        parts.append(
            f'<g class="leaders" stroke="{INK}" fill="none" aria-hidden="true">'
            f'<path d="{"".join(leaders)}" stroke-width=".8"/>'
            f'<path d="{"".join(dots)}" stroke-width="2.6" stroke-linecap="round"/></g>'
        )
    parts.append(
        '<g class="cities" fill="#fff" font-size="10" font-weight="700" text-anchor="middle">'
        f"{''.join(city_parts)}</g>"
    )
    parts.append(
        f'<g class="labels" font-size="{_f(LABEL_SIZE)}" fill="{INK}" stroke="#fff" '
        'stroke-width="3" stroke-linejoin="round" paint-order="stroke" aria-hidden="true">'
        f"{''.join(label_parts)}</g>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))


MINI_ID = "rw-mini-base"


def mini_defs() -> SafeString:
    """The small maps' outline, once per page; each small map <use>s it."""
    base = geo.basemap()["mini"]
    return mark_safe(
        '<svg xmlns="http://www.w3.org/2000/svg" class="rw-defs" width="0" height="0" '
        f'aria-hidden="true" focusable="false"><defs><symbol id="{MINI_ID}">'
        f'<rect width="{base["width"]}" height="{base["height"]}" fill="{SEA}"/>'
        f'<path d="{base["other"]}" fill="{OTHER}"/>'
        f'<path d="{base["us"]}" fill="{US}" stroke="{LINE}" stroke-width=".5"/>'
        f'<path d="{base["mx"]}" fill="{MEXICO}" stroke="{LINE}" stroke-width=".5"/>'
        f'<path d="{base["us_mx"]}" fill="none" stroke="#4a4a4a" stroke-width=".8"/>'
        "</symbol></defs></svg>"
    )


def mini_svg(year: Year, peak: int) -> SafeString:
    """One small map of the strip: dots sized on the strip's common scale, no text."""
    base = geo.basemap()["mini"]
    project = geo.projection("mini")
    width, height = base["width"], base["height"]
    label = _("%(year)s: %(cases)s") % {"year": year.year, "cases": cases(year.count)}
    dots = []
    for place in year.places:
        if place.lonlat is None:
            continue
        x, y = project(*place.lonlat)
        r = max(1.4, 9 * math.sqrt(place.count / max(peak, 1)))
        dots.append(f'<circle cx="{round(x)}" cy="{round(y)}" r="{_f(r)}"/>')
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="rw-mini" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}"><use href="#{MINI_ID}"/>'
        f'<g fill="{DOT}" fill-opacity=".85" stroke="#fff" stroke-width=".5">{"".join(dots)}</g>'
        "</svg>"
    )


def strip_peak(years: Sequence[Year]) -> int:
    return max((p.count for y in years for p in y.places), default=1)


def top_text(places: Sequence[Place]) -> str:
    return ", ".join(f"{p.label} ({p.count})" for p in places[:3])
