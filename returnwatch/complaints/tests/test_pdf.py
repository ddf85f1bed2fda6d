"""The documents: the English letter in CRCL's order, the own-language copy, the text to paste."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from .conftest import MARKERS, answers, download, pdf_text, walk

pytestmark = pytest.mark.django_db

SECTIONS = [
    "1. The person harmed and the person filing",
    "2. Date, time and place",
    "3. Witnesses",
    "4. DHS officers and component involved",
    "5. What happened",
    "6. Documents enclosed",
    "7. Other steps already taken",
]
CONSENT_TITLE = "Consent to file a complaint and privacy waiver"
# Every accented letter of Spanish, Haitian Creole, Portuguese and French (and ñ, ç, œ…).
ACCENTS = "áéíóúüñ¿¡ èòàçêëîïôœùûÿâ ãõ ÁÉÍÓÚÑÇÀÈÒÊÔÃÕŒ"


def normalize(text: str) -> str:
    """Text extraction may break lines anywhere a line wrapped: compare on single spaces."""
    return re.sub(r"\s+", " ", text)


def in_order(text: str, parts: list[str]) -> None:
    position = -1
    for part in parts:
        found = text.find(part, position + 1)
        assert found > position, f"{part!r} missing or out of order"
        position = found


def test_letter_has_every_section_and_the_answers_in_crcl_order(client):
    summary = walk(client, answers())
    response = download(client, summary)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="crcl-complaint-')
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF")
    text, pages = pdf_text(response.content)
    flat = normalize(text)
    in_order(
        flat,
        [
            "Complaint to the DHS Office for Civil Rights and Civil Liberties",
            "Office for Civil Rights and Civil Liberties",
            "Washington, DC 20528",
            SECTIONS[0],
            MARKERS["full_name"],
            "April 12, 1990",
            "A987-654-321",
            "Honduras",
            MARKERS["phone"],
            "Filed by",
            MARKERS["rep_name"],
            SECTIONS[1],
            "MPP (Remain in Mexico) 2019–2021",
            "October 1, 2019",
            "Brownsville",
            "Matamoros",
            "October 5, 2019",
            "about 9 pm",
            "near the bus station",
            SECTIONS[2],
            MARKERS["witnesses"],
            SECTIONS[3],
            "CBP, Office of Field Operations",
            "CBP, Border Patrol",
            "badge number 4471",
            SECTIONS[4],
            "Told US officials of fear of return to Mexico: Yes",
            "not my problem",
            "Non-refoulement (fear) interview given: No",
            "Kidnapping",
            "Extortion",
            normalize(MARKERS["narrative"]),
            "Bruises on both arms",
            SECTIONS[5],
            "1. Notice to Appear",
            "3. Medical records",
            "4. Letter from the shelter",
            SECTIONS[6],
            "Complaint to the OIG on 2019-11-02",
            "Immigration court, Harlingen",
            "8. Consent of the person harmed",
            "I ask CRCL to investigate",
            "Signature:",
            "Enclosures",
            CONSENT_TITLE,
        ],
    )
    # The consent page is the last page, on its own, with a signature line for the person.
    last = normalize(pages[-1])
    consent_words = (
        f"I, {MARKERS['full_name']}, born April 12, 1990, A-number A987-654-321, authorize"
    )
    assert CONSENT_TITLE in last and consent_words in last
    assert consent_words not in normalize(" ".join(pages[:-1]))
    # The enclosures list names the consent page too.
    assert f"5. {CONSENT_TITLE}" in flat
    assert f"Signature or mark of {MARKERS['full_name']}" in last
    assert MARKERS["rep_name"] in last
    # The person speaks Spanish: the letter says so, for language access.
    assert "speaks Spanish" in flat


def test_no_consent_page_when_filing_for_oneself(client):
    summary = walk(client, answers(for_someone_else=False))
    text, pages = pdf_text(download(client, summary).content)
    flat = normalize(text)
    assert CONSENT_TITLE not in flat
    assert "8. Consent" not in flat
    assert "Filed by" not in flat
    assert f"I, {MARKERS['full_name']}, file this complaint" in flat
    in_order(flat, SECTIONS)


def test_accents_of_every_language_survive_with_an_embedded_font(client):
    narrative = f"{ACCENTS} — Kreyòl: mwen te pè anpil; Português: não, ação; Français: œuvre, été"
    summary = walk(client, answers(harm__narrative=narrative, person__full_name="Jõao Çé Ñúñez"))
    content = download(client, summary).content
    text, _ = pdf_text(content)
    flat = normalize(text)
    for word in ACCENTS.split():
        assert word in flat, word
    assert "mwen te pè anpil" in flat and "não, ação" in flat and "œuvre, été" in flat
    assert "Jõao Çé Ñúñez" in flat
    # The font travels inside the file (no reliance on the reader's fonts).
    reader = PdfReader(io.BytesIO(content))
    fonts = [f.get_object() for f in reader.pages[0]["/Resources"]["/Font"].values()]  # type: ignore[index]  # PDF dictionaries
    # Composite (Type0) fonts keep their descriptor on the descendant font.
    fonts = [f["/DescendantFonts"][0].get_object() if "/DescendantFonts" in f else f for f in fonts]
    descriptors = [f["/FontDescriptor"].get_object() for f in fonts]
    assert all("/FontFile2" in d for d in descriptors)
    assert any("DejaVu" in str(d["/FontName"]) for d in descriptors)


def test_a_very_long_narrative_flows_across_pages(client):
    paragraph = "The men kept us in a house for nine days and asked our family for money. " * 30
    narrative = "\n\n".join(f"[{n}] {paragraph}" for n in range(1, 16)) + "\n\nTHE-VERY-END"
    # And one unbroken paragraph that is longer than a page on its own.
    narrative = "NO-BREAKS " + "word " * 2500 + "\n\n" + narrative
    summary = walk(client, answers(harm__narrative=narrative))
    text, pages = pdf_text(download(client, summary).content)
    assert len(narrative) > 45_000
    assert len(pages) > 10
    flat = normalize(text)
    assert flat.count("word word") > 1000  # the unbroken paragraph, whole
    in_order(flat, ["NO-BREAKS", "[1]", "[8]", "[15]", "THE-VERY-END", SECTIONS[5]])


def test_copy_in_the_persons_own_language(client):
    summary = walk(client, answers())  # the person's language is Spanish
    response = download(client, summary, "pdf-own")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-es.pdf"')
    text, pages = pdf_text(response.content)
    flat = normalize(text)
    in_order(
        flat,
        [
            "Queja ante la Oficina de Derechos Civiles y Libertades Civiles del DHS",
            "Copia en español para la persona que sufrió el daño",
            "1. La persona que sufrió el daño y quien presenta la queja",
            MARKERS["full_name"],
            "12 de abril de 1990",
            "2. Fecha, hora y lugar",
            "1 de octubre de 2019",
            "3. Testigos",
            "4. Oficiales y componente del DHS involucrados",
            "5. Lo que pasó",
            "Secuestro",
            normalize(MARKERS["narrative"]),
            "6. Documentos adjuntos",
            "7. Otros pasos ya dados",
            "8. Consentimiento de la persona que sufrió el daño",
            "Consentimiento para presentar una queja y renuncia de privacidad",
        ],
    )
    assert "Consentimiento para presentar una queja" in pages[-1]


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("ht", "1. Moun ki te viktim nan ak moun k ap depoze a"),
        ("pt", "1. A pessoa que sofreu o dano e quem apresenta a queixa"),
        ("fr", "1. La personne concernée et la personne qui dépose"),
    ],
)
def test_own_language_copy_in_creole_portuguese_french(client, language, heading):
    summary = walk(client, answers(person__language=language))
    text, _ = pdf_text(download(client, summary, "pdf-own").content)
    assert heading in normalize(text)


def test_text_for_email_has_the_same_content(client):
    summary = walk(client, answers())
    response = download(client, summary, "txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    in_order(
        text,
        [
            "Subject: Civil rights complaint",
            "1. THE PERSON HARMED AND THE PERSON FILING",
            MARKERS["full_name"],
            "2. DATE, TIME AND PLACE",
            "3. WITNESSES",
            "4. DHS OFFICERS AND COMPONENT INVOLVED",
            "5. WHAT HAPPENED",
            MARKERS["narrative"],
            "6. DOCUMENTS ENCLOSED",
            "7. OTHER STEPS ALREADY TAKEN",
            "8. CONSENT OF THE PERSON HARMED",
            "Enclosures:",
            CONSENT_TITLE.upper(),
        ],
    )
    # The same text is on the summary page, ready to copy.
    assert "1. THE PERSON HARMED AND THE PERSON FILING" in summary.content.decode()


def test_a_document_is_never_built_from_incomplete_answers(client):
    summary = walk(client, answers(), until="witnesses")
    response = download(client, summary)
    assert response["Content-Type"].startswith("text/html")
    assert b'data-step="witnesses"' in response.content
    assert b"Please check this step" in response.content
