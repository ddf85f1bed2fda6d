"""{% border_map %}: the map of all published incidents, for pages such as /stats/."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict

from returnwatch.incidents import filters

from .. import places
from ..views import map_context

register = template.Library()


@register.inclusion_tag("maps/_map.html")
def border_map(heading_level: int = 2) -> dict[str, Any]:
    context = map_context(places.compute(filters.parse(QueryDict())))
    context["heading_level"] = heading_level
    context["embedded"] = True
    return context
