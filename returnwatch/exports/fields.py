"""What each public field means, for /data/, the data package and the API schema: read from
the column registry (`returnwatch.public.columns`), the one place that lists them."""

from __future__ import annotations

from typing import Any

from returnwatch.public.columns import COLUMNS, TYPE_LABELS

DESCRIPTIONS: dict[str, Any] = {c.name: c.description for c in COLUMNS}
# JSON type of each field in the JSON, GeoJSON and API answers ("text" when not listed).
TYPES: dict[str, str] = {c.name: c.type for c in COLUMNS if c.type != "text"}
# The vocabulary (lookup table, /exports/vocabularies/<name>.csv) a code field refers to.
VOCABULARY_OF: dict[str, str] = {c.name: c.vocabulary for c in COLUMNS if c.vocabulary}


def fields() -> list[dict[str, Any]]:
    return [
        {
            "name": c.name,
            "type": TYPE_LABELS[c.type],
            "description": c.description,
            "multi": c.multi,
            "vocabulary": c.vocabulary,
            "hxl": c.hxl,
        }
        for c in COLUMNS
    ]
