"""Domain rules of an incident, written once for every entry point: the workspace form, the
API, the importer and tip conversion all ask `problems()`.

Each rule returns the field it concerns and a message for the person who typed it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

DEFAULT_VICTIMS = 1  # the model's default: one person harmed unless said otherwise


def problems(values: Mapping[str, Any], current: Any = None) -> dict[str, str]:
    """What is wrong with these incident values (merged over `current`, an incident being
    changed): {field: message}. Empty when the values may be saved."""

    def get(name: str, default: Any = None) -> Any:
        if name in values:
            return values[name]
        return getattr(current, name, default) if current is not None else default

    found: dict[str, str] = {}
    date = get("date")
    if isinstance(date, dt.date) and date > timezone.now().date():
        found["date"] = _("The date of the incident cannot be in the future.")
    victims = get("victims_count", DEFAULT_VICTIMS)
    victims = DEFAULT_VICTIMS if victims is None else victims
    children = get("children_count", 0)
    if children is not None and children > victims:
        found["children_count"] = _("There cannot be more children than people harmed (%(n)s).") % {
            "n": victims
        }
    reported = get("date_reported")
    if (
        "date" not in found
        and isinstance(date, dt.date)
        and isinstance(reported, dt.date)
        and reported < date
        and get("date_precision") == "day"
    ):
        found["date_reported"] = _("The incident cannot have been reported before it happened.")
    return found
