"""Filing for someone else (consent step and page), grammatical gender in the Spanish copy,
enclosures numbered once, warnings about answers that contradict each other, the tagged PDF."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from .conftest import MARKERS, answers, download, pdf_text, token_of, walk

pytestmark = pytest.mark.django_db


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def post(client, response, slug, data, **extra):
    return client.post(
        "/complaint/",
        {"state": token_of(response), "step": slug, "action": "next", **data, **extra},
    )


def test_someone_filing_for_another_person_gets_a_consent_step_naming_them(client):
    response = walk(client, answers(), until="consent")
    html = response.content.decode()
    assert 'data-step="consent"' in html
    assert f"{MARKERS['full_name']} agrees that I file this complaint on their behalf" in html
    # Without both consents the step does not go on.
    refused = post(client, response, "consent", {"consent_how": "sign"})
    body = refused.content.decode()
    assert 'data-step="consent"' in body
    assert "CRCL needs this consent when someone else files." in body
    assert "Without this waiver CRCL cannot discuss the case with you." in body


def test_a_person_filing_for_themselves_never_sees_the_consent_step(client):
    summary = walk(client, answers(for_someone_else=False))
    assert "Your complaint is ready" in summary.content.decode()
    assert b'data-step="consent"' not in summary.content


def test_representatives_letter_has_the_consent_section_with_name_and_signature_line(client):
    summary = walk(client, answers())
    text, pages = pdf_text(download(client, summary).content)
    last = flat(pages[-1])
    assert "Consent to file a complaint and privacy waiver" in last
    assert f"I, {MARKERS['full_name']}, born April 12, 1990" in last
    assert f"authorize {MARKERS['rep_name']} (Fictional Law Office)" in last
    assert f"Signature or mark of {MARKERS['full_name']}: ____" in last
    assert "8. Consent of the person harmed" in flat(text)


def test_a_person_who_signs_with_a_mark_gets_witness_lines(client):
    summary = walk(client, answers(consent__consent_how="mark"))
    text = download(client, summary, "txt").content.decode()
    assert f"Mark of {MARKERS['full_name']}: ____" in text
    assert "Name of the witness: ____" in text and "Signature of the witness: ____" in text


def test_crcls_own_signed_form_is_listed_as_an_enclosure(client):
    summary = walk(client, answers(consent__consent_how="form"))
    text = download(client, summary, "txt").content.decode()
    assert f"5. CRCL's Complaint and Privacy Waiver Form, signed by {MARKERS['full_name']}" in text


@pytest.mark.parametrize(
    ("gender", "opening", "born"),
    [
        ("woman", "después de ser devuelta a México", "nacida el 12 de abril de 1990"),
        ("man", "después de ser devuelto a México", "nacido el 12 de abril de 1990"),
        ("", "después de su devolución a México", "con fecha de nacimiento 12 de abril de 1990"),
    ],
)
def test_spanish_copy_agrees_with_what_the_person_said_about_gender(client, gender, opening, born):
    summary = walk(client, answers(person__gender=gender))
    text, _pages = pdf_text(download(client, summary, "pdf-own").content)
    words = flat(text)
    assert opening in words
    assert born in words
    assert "nacido(a)" not in words
    if gender != "man":
        assert "devuelto a México" not in words
    # For oneself too ("mi devolución", "devuelta").
    own = walk(client, answers(for_someone_else=False, person__gender=gender))
    mine = download(client, own, "txt-own").content.decode()
    assert {"woman": "ser devuelta", "man": "ser devuelto", "": "mi devolución"}[gender] in mine


def test_enclosures_are_numbered_once(client):
    summary = walk(client, answers())
    for output in ("pdf", "txt"):
        response = download(client, summary, output)
        text = pdf_text(response.content)[0] if output == "pdf" else response.content.decode()
        words = flat(text)
        assert "1. Notice to Appear" in words
        assert "• 1." not in words and "- 1." not in words
        assert words.count("1. Notice to Appear") == 2  # section 6 and the list of enclosures


def test_contradicting_program_and_dates_warn_and_can_be_corrected(client):
    response = walk(client, answers(), until="return")
    data = {**answers()["return"], "return_date": "2025-03-01"}  # MPP 2019–2021, 2025 return
    warned = post(client, response, "return", data)
    html = warned.content.decode()
    assert 'data-step="return"' in html
    assert "Some answers do not seem to fit together" in html
    assert "ran from 2019-01-29 to 2021-06-01, but the return date is 2025-03-01" in html
    assert 'value="2025-03-01"' in html  # nothing typed is lost
    # Corrected: the program of 2025.
    fixed = post(client, warned, "return", {**data, "program": "mpp-2025", "incident_date": ""})
    assert b'data-step="officials"' in fixed.content


def test_a_contradiction_warning_can_be_kept(client):
    response = walk(client, answers(), until="return")
    data = {**answers()["return"], "incident_date": "2019-09-01", "port_of_entry": "el-paso"}
    warned = post(client, response, "return", data)
    html = warned.content.decode()
    assert "before the return to Mexico on 2019-10-01" in html
    assert "People returned through El Paso" in html
    keep = re.search(r'name="keep" value="([^"]+)"', html).group(1)
    kept = post(client, warned, "return", data, keep=keep)
    assert b'data-step="officials"' in kept.content
    # Kept, it does not come back when the step is seen again, and the letter is made.
    again = client.post(
        "/complaint/", {"state": token_of(kept), "step": "officials", "action": "back"}
    )
    assert b"Some answers do not seem to fit together" not in again.content
    steps = answers(return__incident_date="2019-09-01", return__port_of_entry="el-paso")
    steps["return"]["keep"] = keep
    summary = walk(client, steps)
    assert "Your complaint is ready" in summary.content.decode()


def test_pdf_is_tagged_declares_its_language_and_stays_small(client):
    summary = walk(client, answers())
    for output, language in (("pdf", "en"), ("pdf-own", "es")):
        content = download(client, summary, output).content
        assert len(content) < 200_000
        root: Any = PdfReader(io.BytesIO(content)).trailer["/Root"]  # a PDF dictionary
        assert root["/Lang"] == language
        assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a PDF boolean)
        tree = root["/StructTreeRoot"].get_object()
        assert tree["/Type"] == "/StructTreeRoot"
        # Headings and paragraphs are in the structure tree (what a screen reader follows).
        kinds = set()
        stack = [tree["/K"]]
        while stack:
            node = stack.pop()
            node = node.get_object() if hasattr(node, "get_object") else node
            if isinstance(node, list):
                stack += node
            elif hasattr(node, "get") and node.get("/S"):
                kinds.add(str(node["/S"]))
                if "/K" in node:
                    stack.append(node["/K"])
        assert {"/H1", "/H2", "/P", "/L", "/LI"} <= kinds, kinds
        assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
