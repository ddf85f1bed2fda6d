"""Fictional incidents for the demo site and for scale tests.

Every record made here is invented: no real person, place finer than a city, or real news
outlet. Sources point to example.org.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from .models import (
    City,
    Country,
    DatePrecision,
    Perpetrator,
    PlaceType,
    Program,
    Verification,
    VictimGroup,
    ViolenceType,
)

# Weighted like the public record: mostly border cities, kidnapping and extortion most common.
CITY_WEIGHTS = {
    "nuevo-laredo": 14,
    "reynosa": 14,
    "matamoros": 14,
    "ciudad-juarez": 12,
    "tijuana": 10,
    "mexicali": 5,
    "piedras-negras": 4,
    "nogales": 3,
    "monterrey": 5,
    "tapachula": 3,
    "mexico-city": 2,
    "ciudad-acuna": 2,
    "agua-prieta": 1,
    "ojinaga": 1,
    "saltillo": 2,
    "chihuahua": 1,
    "san-luis-rio-colorado": 1,
    "villahermosa": 1,
}
TYPE_WEIGHTS = {
    "kidnapping": 30,
    "attempted-kidnapping": 8,
    "extortion": 18,
    "assault": 12,
    "rape": 8,
    "sexual-assault": 5,
    "armed-robbery": 12,
    "threats": 10,
    "torture": 4,
    "killing": 3,
    "attempted-killing": 2,
    "disappearance": 3,
    "trafficking": 2,
    "arbitrary-detention": 4,
}
NATIONALITY_WEIGHTS = {
    "hn": 25,
    "gt": 18,
    "sv": 14,
    "cu": 12,
    "ve": 10,
    "ni": 6,
    "ec": 5,
    "ht": 4,
    "co": 3,
    "br": 2,
}
PERPETRATOR_WEIGHTS = {
    "cartel": 30,
    "criminal-group": 15,
    "smuggler": 8,
    "mexican-police": 10,
    "national-guard": 4,
    "inm": 6,
    "mexican-military": 2,
    "private-individual": 4,
    "unknown": 15,
}
GROUP_WEIGHTS = {
    "child": 20,
    "unaccompanied-child": 2,
    "family": 20,
    "woman": 25,
    "pregnant-woman": 3,
    "lgbtq": 5,
    "indigenous": 3,
    "black": 3,
    "disability": 1,
    "elderly": 2,
}
PROGRAM_BY_YEAR = {
    2019: "mpp-2019",
    2020: "mpp-2019",
    2021: "mpp-2019",
    2022: "mpp-2021",
    2023: "title-42",
    2024: "metering",
    2025: "mpp-2025",
    2026: "mpp-2025",
}
PLACES = [
    "port-of-entry",
    "bus-station",
    "shelter",
    "lodging",
    "street",
    "transport",
    "court-travel",
    "immigration-office",
    "in-transit",
    "other",
]

PEOPLE = {
    "hn": ("Honduran", "hondureña"),
    "gt": ("Guatemalan", "guatemalteca"),
    "sv": ("Salvadoran", "salvadoreña"),
    "cu": ("Cuban", "cubana"),
    "ve": ("Venezuelan", "venezolana"),
    "ni": ("Nicaraguan", "nicaragüense"),
    "ec": ("Ecuadorian", "ecuatoriana"),
    "ht": ("Haitian", "haitiana"),
    "co": ("Colombian", "colombiana"),
    "br": ("Brazilian", "brasileña"),
}
WHO = [
    ("a {nat} asylum seeker", "un solicitante de asilo de nacionalidad {nat_es}"),
    ("a {nat} mother and her two children", "una madre {nat_es} y sus dos hijos"),
    ("a {nat} family of four", "una familia {nat_es} de cuatro personas"),
    ("a {nat} woman", "una mujer {nat_es}"),
    ("two {nat} men", "dos hombres de nacionalidad {nat_es}"),
    ("a {nat} teenager", "un adolescente de nacionalidad {nat_es}"),
]
WHAT = {
    "kidnapping": (
        "kidnapped",
        "secuestrada",
        "held for ransom until relatives in the United States paid",
    ),
    "attempted-kidnapping": (
        "nearly kidnapped",
        "víctima de un intento de secuestro",
        "escaped when passers-by intervened",
    ),
    "extortion": ("extorted", "extorsionada", "forced to pay to be allowed to stay"),
    "assault": ("beaten", "golpeada", "left with injuries that needed medical care"),
    "rape": ("raped", "violada", "assaulted by armed men"),
    "sexual-assault": ("sexually assaulted", "agredida sexualmente", "attacked while waiting"),
    "armed-robbery": (
        "robbed at gunpoint",
        "asaltada a mano armada",
        "stripped of documents and money",
    ),
    "threats": ("threatened", "amenazada", "told to leave the city or be killed"),
    "torture": ("tortured", "torturada", "held and tortured for days"),
    "killing": ("killed", "asesinada", "found dead days later"),
    "attempted-killing": ("shot and wounded", "herida de bala", "survived a shooting"),
    "disappearance": ("disappeared", "desaparecida", "has not been heard from since"),
    "trafficking": ("trafficked", "víctima de trata", "forced to work without pay"),
    "arbitrary-detention": (
        "detained without cause",
        "detenida arbitrariamente",
        "held by officers who demanded money",
    ),
}
WHERE = {
    "port-of-entry": ("near the international bridge", "cerca del puente internacional"),
    "bus-station": ("at the bus station", "en la central de autobuses"),
    "shelter": ("outside a shelter", "afuera de un albergue"),
    "lodging": ("in a rented room", "en un cuarto rentado"),
    "street": ("on the street", "en la calle"),
    "transport": ("in a taxi", "en un taxi"),
    "court-travel": ("on the way to a US court hearing", "camino a una audiencia en EE. UU."),
    "immigration-office": ("near the immigration office", "cerca de la oficina de migración"),
    "in-transit": ("while travelling to another city", "en tránsito a otra ciudad"),
    "other": ("", ""),
}
PUBLISHERS = [
    "Example Border News (fictional)",
    "Fictional Rights Watch (demo)",
    "Example Migrant Shelter Network (fictional)",
    "Diario Ejemplo (ficticio)",
]


_tables: dict[int, tuple[list[str], list[int]]] = {}  # of the weight tables above (constants)


def _weighted(rng: random.Random, weights: dict[str, int], k: int = 1) -> list[str]:
    # The same draws as `choices(codes, weights=…)`, which sums the weights on every call.
    codes, cumulative = _tables.get(id(weights)) or _tables.setdefault(
        id(weights), (list(weights), list(itertools.accumulate(weights.values())))
    )
    chosen: list[str] = []
    while len(chosen) < k:
        pick = rng.choices(codes, cum_weights=cumulative)[0]
        if pick not in chosen:
            chosen.append(pick)
    return chosen


@dataclass
class FakeIncident:
    title: str
    summary: str
    narrative: str
    date: dt.date
    date_precision: str
    date_reported: dt.date
    city: str
    place: str
    program: str
    types: list[str]
    perpetrators: list[str]
    groups: list[str]
    nationalities: list[str]
    victims_count: int
    children_count: int
    fear_expressed: str
    verification: str
    complaint_crcl: bool
    complaint_oig: bool
    lawsuit: bool
    status: str
    sources: list[tuple[str, str, str, dt.date]] = field(default_factory=list)


def fake_incidents(
    count: int,
    seed: int,
    *,
    start_year: int = 2019,
    end_year: int = 2026,
    spanish_share: float = 0.3,
) -> Iterator[FakeIncident]:
    """Deterministic fictional incidents: the same seed gives the same records."""
    rng = random.Random(seed)
    first = dt.date(start_year, 2, 1)
    span = (dt.date(end_year, 10, 31) - first).days
    for n in range(count):
        date = first + dt.timedelta(days=rng.randrange(span))
        city = _weighted(rng, CITY_WEIGHTS)[0]
        place = rng.choice(PLACES)
        types = _weighted(rng, TYPE_WEIGHTS, 1 if rng.random() < 0.6 else 2)
        nat = _weighted(rng, NATIONALITY_WEIGHTS)[0]
        who_en, who_es = rng.choice(WHO)
        nat_en, nat_es = PEOPLE[nat]
        who_en, who_es = who_en.format(nat=nat_en), who_es.format(nat_es=nat_es)
        verb_en, verb_es, detail = WHAT[types[0]]
        where_en, where_es = WHERE[place]
        city_name = (
            city.replace("-", " ").title().replace("Juarez", "Juárez").replace("Leon", "León")
        )
        groups = _weighted(rng, GROUP_WEIGHTS, rng.choice([0, 1, 1, 2]))
        if "family" in who_en or "children" in who_en:
            groups = list(dict.fromkeys([*groups, "family", "child"]))
        victims = (
            4
            if "four" in who_en
            else 3
            if "two children" in who_en
            else 2
            if "two" in who_en
            else 1
        )
        children = (
            2 if "children" in who_en else 1 if "teenager" in who_en or "four" in who_en else 0
        )
        if rng.random() < spanish_share:
            title = f"Caso ficticio: persona {nat_es} {verb_es} en {city_name}"
            summary = (
                f"Según un informe ficticio de ejemplo, {who_es} fue {verb_es} {where_es} en {city_name} "
                f"después de ser devuelta a México para esperar su audiencia de asilo. "
                f"Caso inventado para la demostración."
            )
        else:
            title = f"Fictional case: {nat_en} asylum seeker {verb_en} in {city_name}"
            plural = victims > 1
            summary = (
                f"According to a fictional example report, {who_en} {'were' if plural else 'was'} "
                f"{verb_en} {where_en} in {city_name} after being returned to Mexico to wait for a US "
                f"asylum hearing, and {detail}. This case is invented for the demonstration."
            ).replace("  ", " ")
        year = date.year
        reported = date + dt.timedelta(days=rng.randrange(1, 60))
        n_sources = rng.choice([1, 1, 2, 3])
        sources = [
            (
                f"Fictional report {seed}-{n}-{s}: {verb_en} in {city_name}",
                rng.choice(PUBLISHERS),
                f"https://example.org/fictional/{seed}/{n}/{s}",
                reported + dt.timedelta(days=s * 7),
            )
            for s in range(n_sources)
        ]
        yield FakeIncident(
            title=title[:200],
            summary=summary,
            narrative=f"Restricted demo narrative {seed}-{n}: invented details researchers would keep private.",
            date=date,
            date_precision=rng.choices(
                [DatePrecision.DAY, DatePrecision.MONTH, DatePrecision.APPROXIMATE], [7, 2, 1]
            )[0],
            date_reported=reported,
            city=city,
            place=place,
            program=PROGRAM_BY_YEAR.get(year, "other"),
            types=types,
            perpetrators=_weighted(rng, PERPETRATOR_WEIGHTS, rng.choice([1, 1, 2])),
            groups=groups,
            nationalities=[nat],
            victims_count=victims,
            children_count=children,
            fear_expressed=rng.choices(["yes", "no", "unknown"], [5, 1, 4])[0],
            verification=rng.choices(
                [Verification.SEVERAL, Verification.ONE, Verification.UNVERIFIED], [3, 5, 2]
            )[0],
            complaint_crcl=rng.random() < 0.1,
            complaint_oig=rng.random() < 0.05,
            lawsuit=rng.random() < 0.03,
            status=rng.choices(["published", "review", "draft"], [90, 5, 5])[0],
            sources=sources,
        )


class Vocab:
    """Code → object lookups, loaded once."""

    def __init__(self) -> None:
        self.city = {t.code: t for t in City.objects.all()}
        self.place = {t.code: t for t in PlaceType.objects.all()}
        self.program = {t.code: t for t in Program.objects.all()}
        self.type = {t.code: t for t in ViolenceType.objects.all()}
        self.perpetrator = {t.code: t for t in Perpetrator.objects.all()}
        self.group = {t.code: t for t in VictimGroup.objects.all()}
        self.country = {
            t.code: t for t in Country.objects.filter(code__in=list(NATIONALITY_WEIGHTS))
        }

    def fields(self, fake: FakeIncident) -> dict[str, Any]:
        """A fake record's own incident fields (for `load_demo` and `generate_incidents`;
        each sets status, publication and identifiers its own way)."""
        return {
            "is_demo": True,
            "title": fake.title,
            "summary": fake.summary,
            "narrative": fake.narrative,
            "date": fake.date,
            "date_precision": fake.date_precision,
            "date_reported": fake.date_reported,
            "city": self.city[fake.city],
            "place_type": self.place[fake.place],
            "program": self.program[fake.program],
            "victims_count": fake.victims_count,
            "children_count": fake.children_count,
            "fear_expressed": fake.fear_expressed,
            "verification": fake.verification,
        }

    def terms(self, fake: FakeIncident) -> dict[str, list[Any]]:
        """A fake record's many-valued vocabulary terms, by field name."""
        return {
            "violence_types": [self.type[c] for c in fake.types],
            "perpetrators": [self.perpetrator[c] for c in fake.perpetrators],
            "victim_groups": [self.group[c] for c in fake.groups],
            "nationalities": [self.country[c] for c in fake.nationalities],
        }
