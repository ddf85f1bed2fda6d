"""Load the starting vocabularies (CSV beside this file) into the database.

Used by a data migration; safe to run again: existing codes are updated, none removed.
"""

import csv
from decimal import Decimal
from pathlib import Path
from typing import Any

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


def rows(name: str) -> list[dict[str, str]]:
    with open(HERE / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load(apps: Any) -> None:
    for model_name, filename in SIMPLE.items():
        model = apps.get_model("incidents", model_name)
        for position, row in enumerate(rows(filename)):
            defaults: dict[str, Any] = {
                "label_en": row["label_en"],
                "label_es": row["label_es"],
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
    spanish_names = {"mexico-city": "Ciudad de México", "other-unknown": "Otra o desconocida"}
    for position, row in enumerate(rows("cities.csv")):
        port = None
        if row["us_port_of_entry"]:
            port, _ = Port.objects.update_or_create(
                code=slugify(row["us_port_of_entry"]),
                defaults={"label_en": row["us_port_of_entry"], "label_es": row["us_port_of_entry"]},
            )
        City.objects.update_or_create(
            code=row["code"],
            defaults={
                "label_en": row["name"],
                "label_es": spanish_names.get(row["code"], row["name"]),
                "state": row["state"],
                "country": row["country"],
                "latitude": Decimal(row["latitude"]) if row["latitude"] else None,
                "longitude": Decimal(row["longitude"]) if row["longitude"] else None,
                "port_of_entry": port,
                "position": position,
            },
        )

    # Nationalities: ISO 3166-1 from django-countries, with its English and Spanish names.
    from django_countries import countries

    Country = apps.get_model("incidents", "Country")
    with translation.override("en"):
        english = {code: str(name) for code, name in countries}
    with translation.override("es"):
        spanish = {code: str(name) for code, name in countries}
    for code, name in english.items():
        Country.objects.update_or_create(
            code=code.lower(), defaults={"label_en": name, "label_es": spanish.get(code, name)}
        )
