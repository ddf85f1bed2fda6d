"""A dozen fictional library items for the demo site, cited by the demo incidents.

Everything here is invented: publishers say "(demo)" or "(fictional)", addresses are on
example.org, courts and dockets do not exist. `load_library_demo` is idempotent: running it
again creates nothing new.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from returnwatch.incidents import files
from returnwatch.incidents.models import Citation, Document, DocumentKind, Incident, Program

from .models import KeyFiling, LawsuitStatusChange, LibraryItem, LibraryKind

D = dt.date
FRW = "Fictional Rights Watch (demo)"
OBS = "Observatorio Ficticio de Migración (demo)"
OIG = "Office of the Demo Inspector General (fictional)"
COURT = "U.S. District Court for the Demo District (fictional)"

# One dict per item: its document, library fields, lawsuit details and history, and the
# share of the given incidents that cite it (a stable sample).
ITEMS: list[dict[str, Any]] = [
    {
        "slug": "demo-stranded-at-the-border",
        "kind": LibraryKind.REPORT,
        "publisher": FRW,
        "date": D(2019, 12, 5),
        "language": "en",
        "title": "Stranded at the Border: Attacks on People Returned to Mexico",
        "title_es": "Varados en la frontera: ataques contra personas devueltas a México",
        "summary": "A fictional report compiling public accounts of kidnappings, extortion and "
        "assaults against asylum seekers returned to border cities in the program's first year.",
        "summary_es": "Un informe ficticio que reúne relatos públicos de secuestros, extorsiones "
        "y agresiones contra solicitantes de asilo devueltos a ciudades fronterizas.",
        "programs": ["mpp-2019"],
        "share": 0.45,
        "archive": True,
    },
    {
        "slug": "demo-devueltos-al-peligro",
        "kind": LibraryKind.REPORT,
        "publisher": OBS,
        "date": D(2020, 3, 18),
        "language": "es",
        "title": "Devueltos al peligro: secuestros en la frontera noreste",
        "title_es": "",
        "summary": "Informe ficticio sobre secuestros de familias devueltas en Tamaulipas, "
        "basado en notas de prensa y relatos de albergues.",
        "summary_es": "",
        "programs": ["mpp-2019"],
        "share": 0.3,
    },
    {
        "slug": "demo-oversight-review-of-returns",
        "kind": LibraryKind.INVESTIGATION,
        "document_kind": "government",
        "publisher": OIG,
        "date": D(2021, 1, 12),
        "language": "en",
        "title": "Oversight Review: Screening for Fear of Return Under the Returns Program",
        "title_es": "Revisión de supervisión: la evaluación del miedo al retorno en el programa",
        "summary": "A fictional oversight report finding that officers rarely asked returned "
        "people whether they feared harm in Mexico, and kept no record of attacks reported.",
        "summary_es": "Un informe de supervisión ficticio: los agentes rara vez preguntaban si "
        "las personas temían daño en México y no registraban las agresiones denunciadas.",
        "programs": ["mpp-2019"],
        "share": 0.2,
        "archive": True,
    },
    {
        "slug": "demo-waiting-in-danger-one-year",
        "kind": LibraryKind.REPORT,
        "publisher": FRW,
        "date": D(2020, 1, 29),
        "language": "en",
        "title": "Waiting in Danger: One Year of Returns",
        "title_es": "Esperar en peligro: un año de retornos",
        "summary": "A fictional one-year review counting publicly reported attacks, city by city.",
        "summary_es": "Un balance ficticio de un año que cuenta las agresiones denunciadas "
        "públicamente, ciudad por ciudad.",
        "programs": ["mpp-2019"],
        "share": 0.35,
    },
    {
        "slug": "demo-kidnapping-economy",
        "kind": LibraryKind.NEWS,
        "publisher": "The Demo Daily Courier (fictional)",
        "date": D(2020, 8, 2),
        "language": "en",
        "title": "The Kidnapping Economy at the Border",
        "title_es": "La economía del secuestro en la frontera",
        "summary": "A fictional news investigation into ransom networks targeting families "
        "waiting for their asylum hearings.",
        "summary_es": "Una investigación periodística ficticia sobre redes que cobran rescates "
        "a familias que esperan sus audiencias de asilo.",
        "programs": ["mpp-2019"],
        "share": 0.15,
    },
    {
        "slug": "demo-los-retornados-de-matamoros",
        "kind": LibraryKind.NEWS,
        "publisher": "Diario Ejemplo (ficticio)",
        "date": D(2020, 11, 20),
        "language": "es",
        "title": "Los retornados de Matamoros",
        "title_es": "",
        "summary": "Investigación periodística ficticia sobre el campamento junto al puente "
        "y las agresiones denunciadas por quienes esperaban allí.",
        "summary_es": "",
        "programs": ["mpp-2019"],
        "share": 0.1,
    },
    {
        "slug": "demo-guidance-on-returns",
        "kind": LibraryKind.GOVERNMENT,
        "publisher": "Demo Department of Border Affairs (fictional)",
        "date": D(2019, 1, 25),
        "language": "en",
        "title": "Guidance for Implementing the Returns Program (demo document)",
        "title_es": "Guía para aplicar el programa de retornos (documento de demostración)",
        "summary": "A fictional policy memorandum setting out who may be returned and how "
        "fear of return is to be screened.",
        "summary_es": "Un memorando ficticio que establece a quién se puede devolver y cómo "
        "evaluar el miedo al retorno.",
        "programs": ["mpp-2019", "mpp-2021"],
        "share": 0.05,
    },
    {
        "slug": "demo-metering-and-waiting-lists",
        "kind": LibraryKind.REPORT,
        "publisher": "Example Legal Aid Collective (demo)",
        "date": D(2021, 9, 14),
        "language": "en",
        "title": "Metering and the Waiting Lists",
        "title_es": "La medición y las listas de espera",
        "summary": "A fictional report on people made to wait in border cities before they "
        "could ask for asylum, and the attacks they reported.",
        "summary_es": "Un informe ficticio sobre quienes debieron esperar en ciudades "
        "fronterizas antes de poder pedir asilo y las agresiones que denunciaron.",
        "programs": ["metering"],
        "share": 0.1,
    },
    {
        "slug": "demo-expelled-under-title-42",
        "kind": LibraryKind.REPORT,
        "publisher": FRW,
        "date": D(2022, 4, 21),
        "language": "en",
        "title": "Expelled: Violence After Title 42 Expulsions",
        "title_es": "Expulsados: violencia tras las expulsiones del Título 42",
        "summary": "A fictional report on attacks against people expelled to Mexico.",
        "summary_es": "Un informe ficticio sobre agresiones contra personas expulsadas a México.",
        "programs": ["title-42"],
        "share": 0.15,
    },
    {
        "slug": "demo-reinstated-returns-2025",
        "kind": LibraryKind.REPORT,
        "publisher": OBS,
        "date": D(2025, 6, 30),
        "language": "es",
        "title": "Retornos reinstaurados, 2025: primeros hallazgos",
        "title_es": "",
        "summary": "Informe ficticio con los primeros casos documentados tras la reinstauración.",
        "summary_es": "",
        "programs": ["mpp-2025"],
        "share": 0.1,
    },
    {
        "slug": "demo-doe-families-v-secretary",
        "kind": LibraryKind.LAWSUIT,
        "publisher": "Example Legal Aid Collective (demo)",
        "date": D(2019, 2, 14),
        "language": "en",
        "title": "Doe Families v. Secretary of Border Affairs (fictional)",
        "title_es": "Familias Doe c. Secretaría de Asuntos Fronterizos (ficticio)",
        "summary": "A fictional challenge to the returns program on behalf of families "
        "returned to dangerous border cities.",
        "summary_es": "Una demanda ficticia contra el programa de retornos en nombre de familias "
        "devueltas a ciudades fronterizas peligrosas.",
        "programs": ["mpp-2019"],
        "share": 0.25,
        "court": COURT,
        "docket": "0:19-cv-00001-DEMO",
        "parties": "Doe Families and Example Shelter Network (plaintiffs); "
        "Secretary of Border Affairs (defendant). All fictional.",
        "history": [
            (D(2019, 2, 14), "pending", "Complaint filed.", "Se presentó la demanda."),
            (
                D(2019, 4, 8),
                "decided",
                "The court granted a preliminary injunction.",
                "El tribunal concedió una medida cautelar.",
            ),
            (
                D(2019, 5, 7),
                "appealed",
                "The government appealed; the injunction was stayed.",
                "El gobierno apeló; la medida cautelar quedó suspendida.",
            ),
        ],
        "filings": [
            ("Complaint (fictional)", D(2019, 2, 14)),
            ("Order granting preliminary injunction (fictional)", D(2019, 4, 8)),
            ("Notice of appeal (fictional)", D(2019, 5, 7)),
        ],
    },
    {
        "slug": "demo-example-shelter-network-v-agency",
        "kind": LibraryKind.LAWSUIT,
        "publisher": FRW,
        "date": D(2021, 3, 2),
        "language": "en",
        "title": "Example Shelter Network v. Demo Border Agency (fictional)",
        "title_es": "Red de Albergues Ejemplo c. Agencia Fronteriza Demo (ficticio)",
        "summary": "A fictional suit seeking records of attacks reported by returned people.",
        "summary_es": "Una demanda ficticia que busca los registros de agresiones denunciadas "
        "por personas devueltas.",
        "programs": ["mpp-2019", "mpp-2021"],
        "share": 0.1,
        "court": COURT,
        "docket": "0:21-cv-00417-DEMO",
        "parties": "Example Shelter Network (plaintiff); Demo Border Agency (defendant). "
        "All fictional.",
        "history": [
            (D(2021, 3, 2), "pending", "Complaint filed.", "Se presentó la demanda."),
            (
                D(2022, 7, 19),
                "settled",
                "The agency agreed to release its records.",
                "La agencia aceptó entregar sus registros.",
            ),
        ],
        "filings": [
            ("Complaint (fictional)", D(2021, 3, 2)),
            ("Settlement agreement (fictional)", D(2022, 7, 19)),
        ],
    },
]

DOCUMENT_KIND = {
    LibraryKind.REPORT: "ngo-report",
    LibraryKind.INVESTIGATION: "ngo-report",
    LibraryKind.NEWS: "news",
    LibraryKind.GOVERNMENT: "government",
    LibraryKind.LAWSUIT: "court",
}


def _archived_copy(document: Document, spec: dict[str, Any]) -> None:
    """A small text stand-in for the report, archived like a real upload (hash-named)."""
    if document.sha256:
        return
    body = (
        f"{spec['title']}\n{spec['publisher']}\n{spec['date'].isoformat()}\n\n{spec['summary']}\n\n"
        "This is a fictional demonstration document.\n"
    ).encode()
    upload = ContentFile(body, name=f"{spec['slug']}.txt")
    files.attach(document, upload, files.inspect(upload), None)
    document.save()


def _candidates(
    pool: list[Incident], program_of: Mapping[int, str | None], spec: dict[str, Any]
) -> list[Incident]:
    fitting = [
        i
        for i in pool
        if program_of.get(i.pk) in spec["programs"]
        and (spec["kind"] == LibraryKind.LAWSUIT or i.date is None or i.date <= spec["date"])
    ]
    return fitting if len(fitting) >= 3 else pool


def load_library_demo(incidents: Sequence[Incident]) -> None:
    """Create the demo library items and have a sample of `incidents` cite each one."""
    kinds = {k.code: k for k in DocumentKind.objects.all()}
    programs = {p.code: p for p in Program.objects.all()}
    pool = sorted(incidents, key=lambda i: i.pk)
    program_of = dict(
        Incident.objects.filter(pk__in=[i.pk for i in pool]).values_list("pk", "program__code")
    )
    with transaction.atomic():
        for spec in ITEMS:
            kind = kinds[spec.get("document_kind") or DOCUMENT_KIND[spec["kind"]]]
            document, _ = Document.objects.get_or_create(
                url=f"https://example.org/demo/library/{spec['slug']}",
                defaults={
                    "kind": kind,
                    "title": spec["title"],
                    "publisher": spec["publisher"],
                    "date_published": spec["date"],
                    "language": spec["language"],
                    "summary": spec["summary"],
                },
            )
            if spec.get("archive"):
                _archived_copy(document, spec)
            item, created = LibraryItem.objects.get_or_create(
                slug=spec["slug"],
                defaults={
                    "document": document,
                    "kind": spec["kind"],
                    "title_es": spec["title_es"],
                    "summary_es": spec["summary_es"],
                    "court": spec.get("court", ""),
                    "docket_number": spec.get("docket", ""),
                    "parties": spec.get("parties", ""),
                    "filing_date": spec["date"] if spec["kind"] == LibraryKind.LAWSUIT else None,
                    "is_demo": True,
                },
            )
            if created:
                item.programs.set([programs[c] for c in spec["programs"] if c in programs])
            for date, status, note, note_es in spec.get("history", []):
                LawsuitStatusChange.objects.get_or_create(
                    item=item, date=date, status=status, defaults={"note": note, "note_es": note_es}
                )
            if spec.get("history"):
                item.lawsuit_status = spec["history"][-1][1]
                item.save(update_fields=["lawsuit_status"])
            for position, (title, date) in enumerate(spec.get("filings", [])):
                filing_doc, _ = Document.objects.get_or_create(
                    url=f"https://example.org/demo/library/{spec['slug']}/filing-{position + 1}",
                    defaults={
                        "kind": kinds["court"],
                        "title": title,
                        "publisher": spec["court"],
                        "date_published": date,
                        "language": "en",
                    },
                )
                KeyFiling.objects.get_or_create(
                    item=item, document=filing_doc, defaults={"position": position}
                )
            # A stable sample per item, so a second run cites the same incidents; preferably
            # cases of the item's programs that happened before it was published.
            candidates = _candidates(pool, program_of, spec)
            if candidates:
                rng = random.Random(spec["slug"])
                k = max(1, round(len(candidates) * spec["share"]))
                for incident in rng.sample(candidates, min(k, len(candidates))):
                    Citation.objects.get_or_create(
                        incident=incident,
                        document=document,
                        defaults={"passage": f"p. {rng.randint(3, 60)}", "reliability": "high"},
                    )
