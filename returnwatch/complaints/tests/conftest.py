"""Helpers for the complaint assistant's tests: a full set of answers and a walk through the steps."""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Iterator
from typing import Any

import polib
import pytest

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LANGUAGES = ["en", "es", "ht", "pt", "fr"]

# Markers: distinctive strings that must never be found in storage or logs.
MARKERS = {
    "full_name": "Zyxwquorn Ñandúbay Pérez",
    "a_number": "987654321",
    "narrative": "Marker-narrative-QX7 secuestrados en la central; çàéèêëîïôœùûüÿ ãõ òè",
    "phone": "+52 899 555 7788",
    "rep_name": "Attorney Vrelkmoss",
    "witnesses": "Witness Plonqueta at 555-0199",
}


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs() -> Iterator[None]:
    """Compile this app's .po files (they are not committed as .mo) so tests see translations."""
    from django.utils.translation import trans_real

    for po_path in glob.glob(os.path.join(HERE, "locale", "*", "LC_MESSAGES", "django.po")):
        mo_path = po_path[:-2] + "mo"
        if not os.path.exists(mo_path) or os.path.getmtime(mo_path) < os.path.getmtime(po_path):
            polib.pofile(po_path).save_as_mofile(mo_path)
    trans_real._translations = {}  # type: ignore[attr-defined]  # Django internals: catalogs loaded before compiling must be read again
    trans_real._active = trans_real.Local()  # type: ignore[attr-defined]  # Django internals
    yield


@pytest.fixture(autouse=True)
def _reference_data(_django_db_marker: None, request: pytest.FixtureRequest) -> None:
    """Reload the data migrations' rows if a transactional test elsewhere flushed them.

    Browser tests without serialized_rollback empty every table when they end; these tests
    need the vocabularies and the complaint offices, whatever ran before them.
    """
    if not request.node.get_closest_marker("django_db"):
        return
    from django.apps import apps

    from returnwatch.complaints.models import Office
    from returnwatch.incidents.models import City

    if not City.objects.exists():
        from returnwatch.incidents.vocabularies.load import load

        load(apps)
    if not Office.objects.exists():
        import importlib

        for name in ("0002_reference_data", "0003_more_offices"):
            importlib.import_module(f"returnwatch.complaints.migrations.{name}").forward(apps, None)


def answers(for_someone_else: bool = True, **overrides: Any) -> dict[str, dict[str, Any]]:
    """POST data of every step, with markers in the sensitive fields."""
    steps: dict[str, dict[str, Any]] = {
        "filer": {
            "filer_role": "attorney" if for_someone_else else "self",
            "rep_name": MARKERS["rep_name"] if for_someone_else else "",
            "rep_organization": "Fictional Law Office",
            "rep_relationship": "attorney",
            "rep_email": "vrelkmoss@example.org" if for_someone_else else "",
        },
        "person": {
            "full_name": MARKERS["full_name"],
            "date_of_birth": "1990-04-12",
            "a_number": "A" + MARKERS["a_number"],
            "nationality": "hn",
            "gender": "",
            "phone": MARKERS["phone"],
            "address": "Calle Ñandú 12\nMatamoros, Tamaulipas",
            "language": "es",
            "language_other": "",
        },
        "consent": {"consent_file": "on", "consent_share": "on", "consent_how": "sign"},
        "return": {
            "return_date": "2019-10-01",
            "port_of_entry": "brownsville",
            "return_city": "matamoros",
            "program": "mpp-2019",
            "incident_date": "2019-10-05",
            "incident_time": "about 9 pm",
            "incident_city": "",
            "incident_place": "near the bus station",
        },
        "officials": {
            "fear_expressed": "yes",
            "what_said": "I said I was afraid to go back; the officer said 'not my problem'.",
            "interview": "no",
            "interview_details": "",
        },
        "officers": {
            "components": ["cbp-ofo", "border-patrol"],
            "officers": "Officer with badge number 4471, tall, grey uniform",
        },
        "harm": {
            "violence_types": ["kidnapping", "extortion"],
            "narrative": MARKERS["narrative"],
            "injuries": "Bruises on both arms; treated at a clinic.",
        },
        "witnesses": {"witnesses": MARKERS["witnesses"]},
        "documents": {
            "documents": ["nta", "mpp", "medical"],
            "documents_other": "Letter from the shelter",
        },
        "steps": {
            "other_complaints": "Complaint to the OIG on 2019-11-02",
            "court_cases": "Immigration court, Harlingen",
            "request": "",
        },
        "office": {"concerns": ["return-harm"]},
        "share": {"share": "", "share_fields": [], "consent_publish": ""},
    }
    if not for_someone_else:
        del steps["consent"]
    for key, value in overrides.items():
        step, field = key.split("__")
        steps.setdefault(step, {})[field] = value
    return steps


def token_of(response: Any) -> str:
    match = re.search(rb'name="state" value="([^"]*)"', response.content)
    assert match, "the page carries no state field"
    return match.group(1).decode()


def walk(
    client: Any, steps: dict[str, dict[str, Any]], prefix: str = "", until: str | None = None
) -> Any:
    """Answer every step through the real forms; return the last response (the summary)."""
    url = f"{prefix}/complaint/"
    response = client.post(url, {"action": "start"})
    assert response.status_code == 200
    for slug, data in steps.items():
        if slug == until:
            return response
        post = {"state": token_of(response), "step": slug, "action": "next", **data}
        response = client.post(url, post)
        assert response.status_code == 200
        assert b"errorlist" not in response.content and b'class="error"' not in response.content, (
            f"step {slug} was refused"
        )
    return response


def download(client: Any, summary: Any, output: str = "pdf", prefix: str = "") -> Any:
    return client.post(
        f"{prefix}/complaint/document/", {"state": token_of(summary), "output": output}
    )


def pdf_text(content: bytes) -> tuple[str, list[str]]:
    """The whole text and each page's text, as a PDF reader extracts them."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    pages = [page.extract_text() or "" for page in reader.pages]
    return "\n".join(pages), pages
