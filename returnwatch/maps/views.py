"""/map/: the search's published incidents by city, drawn on the server (returnwatch.public)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from returnwatch.incidents import filters

from . import draw, places


def map_context(data: places.MapData) -> dict[str, Any]:
    """What maps/_map.html needs: the map, the year strip and the lists."""
    peak = draw.strip_peak(data.years)
    return {
        "map": data,
        "map_svg": draw.map_svg(data),
        "mini_defs": draw.mini_defs() if data.years else "",
        "strip": [(y, draw.mini_svg(y, peak)) for y in data.years],
        "top_cities": draw.top_text(data.places),
    }


@require_safe
def map_page(request: HttpRequest) -> HttpResponse:
    search = filters.parse(request.GET)
    return render(request, "maps/map.html", map_context(places.compute(search)))
