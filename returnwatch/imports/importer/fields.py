"""What an import knows about incidents: the fields a column may feed, their kinds, their
defaults, and the options of one import (how to read dates, what documents to make)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext_lazy

from returnwatch.incidents import references, search
from returnwatch.incidents.models import (
    City,
    Country,
    DatePrecision,
    Gender,
    Perpetrator,
    PlaceType,
    PortOfEntry,
    Program,
    Verification,
    VictimGroup,
    ViolenceType,
    YesNoUnknown,
)

MULTI_SEP = re.compile(r"\s*;\s*")
REFERENCE = references.REGEX

TERM_FIELDS: dict[str, type[Model]] = {
    "city": City,
    "place_type": PlaceType,
    "program": Program,
    "port_of_entry": PortOfEntry,
}
MULTI_FIELDS: dict[str, type[Model]] = {
    "violence_types": ViolenceType,
    "perpetrators": Perpetrator,
    "victim_groups": VictimGroup,
    "nationalities": Country,
}
CHOICE_FIELDS: dict[str, Any] = {
    "date_precision": DatePrecision,
    "gender": Gender,
    "fear_expressed": YesNoUnknown,
    "verification": Verification,
}
BOOL_FIELDS = ("complaint_crcl", "complaint_oig", "lawsuit")
INT_FIELDS = {"victims_count": 1, "children_count": 0}
TEXT_FIELDS = {"title": 200, "summary": None, "narrative": None, "external_id": 100}
# Fields several columns may feed (their values are added together).
COMBINABLE = {*MULTI_FIELDS, "source_urls", "tags"}

# Everything a column may be mapped to, in the order the mapping form shows them.
TARGETS: dict[str, Any] = {
    "reference": gettext_lazy("ReturnWatch reference (updates that record)"),
    "external_id": gettext_lazy("identifier in another database (updates instead of duplicating)"),
    "title": gettext_lazy("public title"),
    "summary": gettext_lazy("public summary"),
    "narrative": gettext_lazy("restricted narrative"),
    "date": gettext_lazy("date of the incident"),
    "date_precision": gettext_lazy("date precision"),
    "date_reported": gettext_lazy("date first reported"),
    "city": gettext_lazy("city"),
    "place_type": gettext_lazy("place type"),
    "program": gettext_lazy("program"),
    "violence_types": gettext_lazy("violence types"),
    "perpetrators": gettext_lazy("perpetrator types"),
    "victim_groups": gettext_lazy("victim groups"),
    "nationalities": gettext_lazy("nationalities"),
    "victims_count": gettext_lazy("number of people harmed"),
    "children_count": gettext_lazy("of whom children"),
    "gender": gettext_lazy("gender"),
    "port_of_entry": gettext_lazy("returned through port of entry"),
    "fear_expressed": gettext_lazy("expressed fear of return to US officials"),
    "complaint_crcl": gettext_lazy("complaint filed with CRCL"),
    "complaint_oig": gettext_lazy("complaint filed with OIG"),
    "lawsuit": gettext_lazy("lawsuit filed"),
    "verification": gettext_lazy("verification"),
    "tags": gettext_lazy("tags"),
    "source_urls": gettext_lazy("source addresses (URLs)"),
}

SIMPLE = (
    "title", "summary", "narrative", "date", "date_precision", "date_reported", "city",
    "place_type", "program", "victims_count", "children_count", "gender", "port_of_entry",
    "fear_expressed", "complaint_crcl", "complaint_oig", "lawsuit", "verification", "external_id",
)  # fmt: skip
DEFAULTS: dict[str, Any] = {
    "summary": "",
    "narrative": "",
    "date": None,
    "date_precision": DatePrecision.DAY,
    "date_reported": None,
    "city": None,
    "place_type": None,
    "program": None,
    "victims_count": 1,
    "children_count": 0,
    "gender": "",
    "port_of_entry": None,
    "fear_expressed": YesNoUnknown.UNKNOWN,
    "complaint_crcl": False,
    "complaint_oig": False,
    "lawsuit": False,
    "verification": Verification.UNVERIFIED,
    "external_id": "",
}


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    return search.fold(text)


def chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


@dataclass
class Options:
    date_order: str = "dmy"  # or "mdy": how to read 03/10/2019
    document_kind: str = "news"  # kind of documents made from source URLs

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Options:
        return cls(
            date_order="mdy" if data.get("date_order") == "mdy" else "dmy",
            document_kind=str(data.get("document_kind") or "news"),
        )

    def as_dict(self) -> dict[str, str]:
        return {"date_order": self.date_order, "document_kind": self.document_kind}
