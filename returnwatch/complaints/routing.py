"""Which office handles what: routes a complaint by what happened to the offices that take it.

One table (CONCERNS) says, for each kind of problem, which offices handle it and why; the
assistant's "which office?" step, its summary and the /complaint/where/ page all read it through
`route()`. Offices' addresses are data (models.Office, kept by admins with a "last verified"
date); this module holds only their codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import Office

CRCL, OIG, CBP, ICE, CIS, OIDO = "crcl", "oig", "cbp-jic", "ice-opr", "cis-ombudsman", "oido"
# The office that investigates an officer's misconduct depends on the officer's agency.
OPR = "opr"


@dataclass(frozen=True)
class Concern:
    code: str
    label: Any
    offices: tuple[str, ...]  # most fitting first; OPR = CBP's or ICE's, by the agency
    why: Any  # one sentence: why these offices


CONCERNS: list[Concern] = [
    Concern(
        "return-harm",
        _("I was returned to Mexico despite my fear, and was harmed there"),
        (CRCL, OIG),
        _(
            "CRCL takes complaints about being returned to danger and about rights violations "
            "at the border; human rights groups often send the same complaint to the Inspector "
            "General."
        ),
    ),
    Concern(
        "officer-abuse",
        _("US officers abused me, used force, insulted or discriminated against me"),
        (CRCL, OPR, OIG),
        _(
            "Abuse and discrimination by officers are civil rights complaints (CRCL); the "
            "agency's Office of Professional Responsibility and the Inspector General look into "
            "officers' misconduct."
        ),
    ),
    Concern(
        "officer-crime",
        _("A US officer committed a crime (assault, sexual abuse, theft, bribery)"),
        (OIG, OPR),
        _(
            "Crimes by DHS employees are investigated by the Inspector General and by the "
            "agency's Office of Professional Responsibility, not by CRCL."
        ),
    ),
    Concern(
        "custody-death",
        _("Someone died or was badly hurt in CBP or ICE custody"),
        (OIG, OPR, CRCL),
        _(
            "Deaths and serious injuries in custody are reviewed by the agency's Office of "
            "Professional Responsibility and the Inspector General; CRCL can look at the "
            "treatment that led to them."
        ),
    ),
    Concern(
        "detention-conditions",
        _("Conditions in immigration detention (cold, food, medical care, access to a lawyer)"),
        (OIDO, CRCL),
        _(
            "The Immigration Detention Ombudsman takes complaints about conditions in CBP and "
            "ICE detention; CRCL takes those that are rights violations."
        ),
    ),
    Concern(
        "uscis-case",
        _("A problem with an application or case at USCIS (delays, mistakes)"),
        (CIS,),
        _(
            "The CIS Ombudsman helps with problems in USCIS cases; it does not take complaints "
            "about officers' conduct."
        ),
    ),
]
CONCERN_BY_CODE = {c.code: c for c in CONCERNS}
CONCERN_CHOICES = [(c.code, c.label) for c in CONCERNS]


@dataclass
class Route:
    """An office and which of the person's concerns it handles."""

    office: Office
    concerns: list[Concern] = field(default_factory=list)


def _opr_offices(components: Iterable[str]) -> list[str]:
    chosen = set(components)
    codes = []
    if chosen & {"cbp-ofo", "border-patrol"}:
        codes.append(CBP)
    if "ice" in chosen:
        codes.append(ICE)
    return codes or [CBP, ICE]  # agency not known: both


def route(concerns: Iterable[str], components: Iterable[str] = ()) -> list[Route]:
    """The active offices for `concerns` (codes), with why; CRCL alone when nothing is chosen."""
    chosen = [CONCERN_BY_CODE[c] for c in concerns if c in CONCERN_BY_CODE]
    ranked: dict[str, list[Concern]] = {}
    for concern in chosen:
        for code in concern.offices:
            for office_code in _opr_offices(components) if code == OPR else [code]:
                handled = ranked.setdefault(office_code, [])
                if concern not in handled:
                    handled.append(concern)
    if not ranked:
        ranked[CRCL] = []
    offices = {o.code: o for o in Office.objects.filter(active=True, code__in=ranked)}
    # Order: how many of the person's concerns an office handles, then first named first.
    order = sorted(ranked, key=lambda c: -len(ranked[c]))
    return [Route(offices[c], ranked[c]) for c in order if c in offices]
