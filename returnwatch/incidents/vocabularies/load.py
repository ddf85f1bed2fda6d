"""Load the starting vocabularies (CSV beside this file) into the database.

Used by a data migration; safe to run again: existing codes are updated, none removed.
Labels are in English, Spanish, French, Portuguese and Haitian Creole (label_<code> columns);
country names come from django-countries, and in Creole from countries_ht.csv (a country not
listed there shows its English name). Translations are reviewed as docs/translations.md says.
"""

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.text import slugify

HERE = Path(__file__).resolve().parent

SIMPLE = {
    "ViolenceType": "violence_types.csv",
    "Perpetrator": "perpetrators.csv",
    "VictimGroup": "victim_groups.csv",
    "PlaceType": "place_types.csv",
    "Program": "programs.csv",
    "DocumentKind": "document_kinds.csv",
}
NOT_PUBLIC_DOCUMENT_KINDS = {"interview", "tip"}
LANGUAGES = ("es", "fr", "pt", "ht")
# Cities keep their own name in every language, except these.
CITY_NAMES = {
    "mexico-city": {
        "es": "Ciudad de México",
        "fr": "Mexico",
        "pt": "Cidade do México",
        "ht": "Meksiko (kapital)",
    },
    "other-unknown": {
        "es": "Otra o desconocida",
        "fr": "Autre ou inconnue",
        "pt": "Outra ou desconhecida",
        "ht": "Lòt oswa pa konnen",
    },
}
# django-countries' catalog for each language (it has Brazilian Portuguese, no Creole).
COUNTRY_CATALOGS = {"es": "es", "fr": "fr", "pt": "pt-br"}


def rows(name: str) -> list[dict[str, str]]:
    with open(HERE / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load(apps: Any) -> None:
    for model_name, filename in SIMPLE.items():
        model = apps.get_model("incidents", model_name)
        for position, row in enumerate(rows(filename)):
            defaults: dict[str, Any] = {
                "label_en": row["label_en"],
                **{f"label_{lang}": row[f"label_{lang}"] for lang in LANGUAGES},
                "position": position,
            }
            if model_name == "ViolenceType":
                defaults["huridocs_term"] = row.get("huridocs_term", "")
            if model_name == "Program":
                defaults["start"] = row["start"] or None
                defaults["end"] = row["end"] or None
            if model_name == "DocumentKind":
                defaults["public"] = row["code"] not in NOT_PUBLIC_DOCUMENT_KINDS
            model.objects.update_or_create(code=row["code"], defaults=defaults)

    Port = apps.get_model("incidents", "PortOfEntry")
    City = apps.get_model("incidents", "City")
    for position, row in enumerate(rows("cities.csv")):
        port = None
        if row["us_port_of_entry"]:
            name = row["us_port_of_entry"]
            port, _ = Port.objects.update_or_create(
                code=slugify(name),
                defaults={"label_en": name, **{f"label_{lang}": name for lang in LANGUAGES}},
            )
        names = CITY_NAMES.get(row["code"], {})
        City.objects.update_or_create(
            code=row["code"],
            defaults={
                "label_en": row["name"],
                **{f"label_{lang}": names.get(lang, row["name"]) for lang in LANGUAGES},
                "state": row["state"],
                "country": row["country"],
                "latitude": Decimal(row["latitude"]) if row["latitude"] else None,
                "longitude": Decimal(row["longitude"]) if row["longitude"] else None,
                "port_of_entry": port,
                "position": position,
            },
        )

    # Nationalities: ISO 3166-1 from django-countries, with its names in each language.
    Country = apps.get_model("incidents", "Country")
    for code, labels in country_labels().items():
        Country.objects.update_or_create(code=code, defaults=labels)


def country_labels() -> dict[str, dict[str, str]]:
    from django_countries import countries

    with translation.override("en"):
        english = {code.lower(): str(name) for code, name in countries}
    names: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for lang, catalog in COUNTRY_CATALOGS.items():
        with translation.override(catalog):
            names[lang] = {code.lower(): str(name) for code, name in countries}
    names["ht"] = {row["code"]: row["label_ht"] for row in rows("countries_ht.csv")}
    return {
        code: {
            "label_en": name,
            **{f"label_{lang}": names[lang].get(code, "") for lang in LANGUAGES},
        }
        for code, name in english.items()
    }


def fill_missing_labels(apps: Any) -> None:
    """Give every blank French, Portuguese or Creole label its starting translation; a label
    an admin has written is left alone."""
    starting: list[tuple[str, str, dict[str, str]]] = []
    for model_name, filename in SIMPLE.items():
        for row in rows(filename):
            starting.append((model_name, row["code"], row))
    for code, names in CITY_NAMES.items():
        starting.append(("City", code, {f"label_{lang}": names[lang] for lang in LANGUAGES}))
    for code, labels in country_labels().items():
        starting.append(("Country", code, labels))
    for model_name, code, labels in starting:
        term = apps.get_model("incidents", model_name).objects.filter(code=code).first()
        if term is None:
            continue
        changed = []
        for lang in ("fr", "pt", "ht"):
            field = f"label_{lang}"
            if not getattr(term, field) and labels.get(field):
                setattr(term, field, labels[field])
                changed.append(field)
        if changed:
            term.save(update_fields=changed)
    # Cities and ports of entry not renamed keep their own name.
    for model_name in ("City", "PortOfEntry"):
        model = apps.get_model("incidents", model_name)
        for lang in ("fr", "pt", "ht"):
            model.objects.filter(**{f"label_{lang}": ""}).update(
                **{f"label_{lang}": models.F("label_en")}
            )
