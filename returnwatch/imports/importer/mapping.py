"""Mapping: which column feeds which field. `guess_mapping` proposes one from the headers
(field names, their English and Spanish labels, common aliases); a saved ImportMapping may be
reused; `check_mapping` finds what is wrong with a mapping before any row is read."""

from __future__ import annotations

import re
from collections import defaultdict

from django.utils import translation
from django.utils.translation import gettext as _

from .fields import COMBINABLE, TARGETS, fold

# Columns of our own exports that are derived or not importable: ignored when guessing.
IGNORED_EXPORT_COLUMNS = {
    "url", "year", "city_name", "state", "country", "latitude", "longitude", "published_at",
    "is_demo",
}  # fmt: skip
ALIASES = {
    "id": "external_id",
    "external id": "external_id",
    "case id": "external_id",
    "referencia": "reference",
    "titulo": "title",
    "resumen": "summary",
    "descripcion": "summary",
    "narrativa": "narrative",
    "relato": "narrative",
    "fecha": "date",
    "fecha del incidente": "date",
    "precision": "date_precision",
    "fecha reportada": "date_reported",
    "fecha de reporte": "date_reported",
    "ciudad": "city",
    "lugar": "place_type",
    "tipo de lugar": "place_type",
    "programa": "program",
    "tipo": "violence_types",
    "tipos": "violence_types",
    "type": "violence_types",
    "types": "violence_types",
    "tipo de violencia": "violence_types",
    "violence type": "violence_types",
    "perpetrador": "perpetrators",
    "perpetradores": "perpetrators",
    "perpetrator": "perpetrators",
    "grupo": "victim_groups",
    "grupos": "victim_groups",
    "victim group": "victim_groups",
    "nacionalidad": "nationalities",
    "nacionalidades": "nationalities",
    "nationality": "nationalities",
    "victimas": "victims_count",
    "personas": "victims_count",
    "victims": "victims_count",
    "ninos": "children_count",
    "children": "children_count",
    "genero": "gender",
    "puerto de entrada": "port_of_entry",
    "miedo": "fear_expressed",
    "verificacion": "verification",
    "etiquetas": "tags",
    "fuente": "source_urls",
    "fuentes": "source_urls",
    "source": "source_urls",
    "sources": "source_urls",
    "source url": "source_urls",
    "url de la fuente": "source_urls",
}


def guess_mapping(headers: list[str]) -> dict[str, str]:
    """A proposed mapping: field names, their labels in English and Spanish, common aliases."""
    known: dict[str, str] = {}
    for name, label in TARGETS.items():
        known[fold(name)] = name
        for lang in ("en", "es"):
            with translation.override(lang):
                known.setdefault(fold(str(label)), name)
    mapping: dict[str, str] = {}
    for header in headers:
        key = fold(header)
        if key in {fold(c) for c in IGNORED_EXPORT_COLUMNS}:
            mapping[header] = ""
            continue
        mapping[header] = known.get(key) or ALIASES.get(key, "")
        if not mapping[header] and re.match(r"^(source|fuente|url)\s*\d+$", key):
            mapping[header] = "source_urls"
    return mapping


def check_mapping(mapping: dict[str, str]) -> list[str]:
    """Problems with a mapping as a whole (before any row is read)."""
    problems = []
    used: dict[str, list[str]] = defaultdict(list)
    for header, target in mapping.items():
        if not target:
            continue
        if target not in TARGETS:
            problems.append(
                _("“%(field)s” is not a field that can be imported.") % {"field": target}
            )
            continue
        used[target].append(header)
    for target, headers in used.items():
        if len(headers) > 1 and target not in COMBINABLE:
            problems.append(
                _("Only one column can be the %(field)s; %(columns)s are all mapped to it.")
                % {"field": TARGETS[target], "columns": ", ".join(f"“{h}”" for h in headers)}
            )
    if "title" not in used:
        problems.append(_("Map a column to the public title: every incident needs one."))
    return problems
