"""Every public page in the five languages; the workspace in English and Spanish.

See docs/translations.md. The catalog tests fail when a string on a public page has no
translation in one of settings.SITE_LANGUAGES (English is the source text of every msgid).
"""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import polib
import pytest
from django.conf import settings
from django.template import Variable, loader
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils import translation
from django.utils.translation import trans_real

from returnwatch.languages import catalogs, compile_catalogs

pytestmark = pytest.mark.django_db

PACKAGE = Path(__file__).resolve().parent.parent
TRANSLATED = [code for code in settings.SITE_LANGUAGES if code != settings.LANGUAGE_CODE]

# Templates of the public pages (home, search, case, statistics, library, data, error pages).
# The tip form and the complaint assistant have their own, older tests of the same kind.
PUBLIC_TEMPLATES = [
    "base.html",
    "400.html",
    "403.html",
    "404.html",
    "500.html",
    "incidents/home.html",
    "incidents/list.html",
    "incidents/_result.html",
    "incidents/_date.html",
    "incidents/detail.html",
    "incidents/stats.html",
    "library/list.html",
    "library/detail.html",
    "library/incident_items.html",
    "exports/data.html",
    "subscriptions/_search.html",
    "subscriptions/follow.html",
    "subscriptions/sent.html",
    "subscriptions/confirm.html",
    "subscriptions/confirmed.html",
    "subscriptions/unsubscribe.html",
    "subscriptions/unsubscribed.html",
    "subscriptions/broken.html",
    # Mail to a subscriber, in the language they subscribed in.
    "subscriptions/mail/confirm.txt",
    "subscriptions/mail/digest.txt",
]
# Python code whose strings reach those pages: whole modules, or only some classes of a module
# (choices shown in public; the other strings of models.py are staff-only field names).
PUBLIC_PYTHON: dict[str, tuple[str, ...] | None] = {
    "incidents/facets.py": None,
    "incidents/filters.py": None,
    "incidents/stats.py": None,
    "incidents/views.py": None,
    "library/browse.py": None,
    "library/views.py": None,
    "exports/fields.py": None,
    "exports/views.py": None,
    "subscriptions/views.py": None,
    "subscriptions/mail.py": None,
    "subscriptions/forms.py": ("FollowForm",),
    "incidents/models.py": (
        "DatePrecision",
        "Gender",
        "YesNoUnknown",
        "Verification",
        "ViolenceType",
        "Perpetrator",
        "VictimGroup",
        "PlaceType",
        "Program",
        "PortOfEntry",
        "City",
        "Country",
    ),
    "library/models.py": ("LibraryKind", "LawsuitStatus"),
}
# Strings in the files above that only staff see need no translation beyond Spanish: list them
# here, each with the reason (none today: the classes read from models.py are public choices).
STAFF_ONLY: set[str] = set()
GETTEXT = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}

Msgid = tuple[str, str, str | None]  # (context, singular, plural)


def _literal(expression: Any) -> str:
    """The string of a constant in a template tag ("…" or a Variable holding it), else ""."""
    value = getattr(expression, "var", expression)
    if isinstance(value, Variable):
        value = value.literal
    return value if isinstance(value, str) else ""


def template_msgids(name: str) -> set[Msgid]:
    """The msgids of a template's {% translate %} and {% blocktranslate %} tags."""
    nodelist = loader.get_template(name).template.nodelist  # type: ignore[attr-defined]  # the Django backend's Template
    found: set[Msgid] = set()
    for node in nodelist.get_nodes_by_type(TranslateNode):
        msgid = _literal(node.filter_expression)  # "" for {% translate some_variable %}
        if msgid:
            found.add((_literal(node.message_context), msgid.replace("%", "%%"), None))
    for node in nodelist.get_nodes_by_type(BlockTranslateNode):
        singular, _vars = node.render_token_list(node.singular)
        plural = node.render_token_list(node.plural)[0] if node.plural else None
        found.add((_literal(node.message_context), singular, plural))
    return found


def python_msgids(path: str, classes: tuple[str, ...] | None) -> set[Msgid]:
    """The literal msgids of gettext calls in a module (or in some of its classes)."""
    tree = ast.parse((PACKAGE / path).read_text(encoding="utf-8"))
    roots: list[ast.AST] = [tree]
    if classes is not None:
        roots = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name in classes]
        assert len(roots) == len(classes), f"{path}: a class of {classes} has gone"
    found: set[Msgid] = set()
    for root in roots:
        for call in ast.walk(root):
            if not isinstance(call, ast.Call):
                continue
            name = getattr(call.func, "id", getattr(call.func, "attr", ""))
            if name not in GETTEXT:
                continue
            ctx_i, msg_i, plural_i = GETTEXT[name]
            args = [a.value if isinstance(a, ast.Constant) else None for a in call.args]

            def arg(i: int | None, args: list[Any] = args) -> Any:
                return args[i] if i is not None and i < len(args) else None

            if isinstance(arg(msg_i), str):
                found.add((arg(ctx_i) or "", arg(msg_i), arg(plural_i)))
    return found


def public_msgids() -> set[Msgid]:
    found: set[Msgid] = set()
    for name in PUBLIC_TEMPLATES:
        found |= template_msgids(name)
    for path, classes in PUBLIC_PYTHON.items():
        found |= python_msgids(path, classes)
    return {m for m in found if m[1] not in STAFF_ONLY and m[1].strip()}


def untranslated(msgids: set[Msgid], language: str) -> list[str]:
    """The msgids the compiled catalogs of `language` hold no translation for."""
    catalog = trans_real.translation(language)._catalog  # type: ignore[attr-defined]  # Django internals
    missing = []
    for context, singular, plural in sorted(msgids):
        key = f"{context}\x04{singular}" if context else singular
        if (catalog.get((key, 0)) if plural else catalog.get(key)) in (None, ""):
            missing.append(f"{context + ' | ' if context else ''}{singular}")
    return missing


@contextlib.contextmanager
def asked_msgids() -> Iterator[set[Msgid]]:
    """Record every msgid translated while rendering, whoever asks (templates, Python, Django)."""
    trans = translation._trans  # type: ignore[attr-defined]  # Django internals
    names = ("gettext", "ngettext", "pgettext", "npgettext")
    original = {n: getattr(trans, n) for n in names}
    asked: set[Msgid] = set()

    def gettext(m: str) -> str:
        asked.add(("", m, None))
        return original["gettext"](m)

    def ngettext(s: str, p: str, n: int) -> str:
        asked.add(("", s, p))
        return original["ngettext"](s, p, n)

    def pgettext(c: str, m: str) -> str:
        asked.add((c, m, None))
        return original["pgettext"](c, m)

    def npgettext(c: str, s: str, p: str, n: int) -> str:
        asked.add((c, s, p))
        return original["npgettext"](c, s, p, n)

    for name, fn in zip(names, (gettext, ngettext, pgettext, npgettext), strict=True):
        setattr(trans, name, fn)
    try:
        yield asked
    finally:
        for name, fn in original.items():
            setattr(trans, name, fn)


@pytest.fixture
def public_world(make_incident: Any) -> dict[str, Any]:
    """A published case with every field, a retracted one, a report and a lawsuit citing it."""
    from returnwatch.incidents.models import Citation, Document, DocumentKind, Program
    from returnwatch.library.models import LawsuitStatusChange, LibraryItem

    case = make_incident(
        place="bus-station",
        types=["kidnapping", "extortion"],
        perpetrators=["cartel"],
        groups=["child", "family"],
        nationalities=["hn", "ht"],
        victims_count=3,
        children_count=1,
        fear_expressed="yes",
        complaint_crcl=True,
        verification="several",
        date_precision="approximate",
    )
    make_incident(
        title="Withdrawn report",
        status="retracted",
        retraction_reason="A duplicate of another record.",
    )
    items = {}
    for kind, title in (("report", "Stranded at the border"), ("lawsuit", "Shelter v. Agency")):
        document = Document.objects.create(
            kind=DocumentKind.objects.get(code="ngo-report" if kind == "report" else "court"),
            title=title,
            publisher="Fictional Rights Watch (demo)",
            url=f"https://example.org/{kind}",
            date_published=dt.date(2020, 1, 15),
            language="es",
            summary="A report on attacks against returned asylum seekers.",
            sha256="0" * 64,
        )
        items[kind] = LibraryItem.objects.create(
            document=document,
            slug=kind,
            kind=kind,
            court="US District Court (demo)" if kind == "lawsuit" else "",
            docket_number="1:20-cv-00001" if kind == "lawsuit" else "",
            lawsuit_status="pending" if kind == "lawsuit" else "",
            filing_date=dt.date(2020, 2, 1) if kind == "lawsuit" else None,
        )
        items[kind].programs.set(Program.objects.filter(code="mpp-2019"))
        Citation.objects.create(incident=case, document=document)
    LawsuitStatusChange.objects.create(
        item=items["lawsuit"], date=dt.date(2020, 3, 1), status="pending"
    )
    return {"case": case, **items}


def public_paths(world: dict[str, Any]) -> dict[str, str]:
    """Each public page of this part of the issue, by name, at its English address."""
    return {
        "home": "/",
        "search": "/incidents/?q=kidnapped&city=nuevo-laredo",
        "case": f"/incidents/{world['case'].reference}/",
        "statistics": "/stats/",
        "library": "/resources/",
        "library item": "/resources/lawsuit/",
        "data": "/data/",
        "follow a search": "/follow/?city=nuevo-laredo",
    }


def in_language(path: str, code: str) -> str:
    return path if code == settings.LANGUAGE_CODE else f"/{code}{path}"


def language_links(html: str) -> list[tuple[str, str]]:
    """(language code, address) of each entry of the page's language switch, in order."""
    nav = re.search(r'<nav class="languages"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "the page has no language switch"
    entries = re.findall(r"<(a|strong)\b([^>]*)>", nav.group(1))
    out = []
    for _tag, attrs in entries:
        code = re.search(r'lang="([^"]+)"', attrs).group(1)
        href = re.search(r'href="([^"]*)"', attrs)
        out.append((code, unescape(href.group(1)) if href else ""))
    return out


def h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert match, "the page has no h1"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def h2s(html: str) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h2[^>]*>(.*?)</h2>", html, re.S)
    ]


# ------------------------------------------------------------------------- the language switch


def test_every_public_page_offers_the_five_languages(client, public_world):
    for name, path in public_paths(public_world).items():
        for code in settings.SITE_LANGUAGES:
            response = client.get(in_language(path, code))
            assert response.status_code == 200, (name, code)
            links = language_links(response.content.decode())
            assert [c for c, _href in links] == ["en", "es", "ht", "pt", "fr"], (name, code)
            for other, href in links:
                # The current language is shown, not linked; the others lead to this very page.
                assert href == ("" if other == code else in_language(path, other)), (name, code)


def test_the_switch_keeps_the_search_and_its_query_string(client, public_world):
    page = client.get("/pt/incidents/?q=kidnapped&city=nuevo-laredo&type=kidnapping").content
    links = dict(language_links(page.decode()))
    assert links["ht"] == "/ht/incidents/?q=kidnapped&city=nuevo-laredo&type=kidnapping"
    assert links["en"] == "/incidents/?q=kidnapped&city=nuevo-laredo&type=kidnapping"


def test_the_language_names_are_written_in_their_own_language(client, public_world):
    html = client.get("/fr/").content.decode()
    nav = re.search(r'<nav class="languages".*?</nav>', html, re.S).group(0)
    for name in ("English", "Español", "Kreyòl ayisyen", "Português", "Français"):
        assert name in unescape(nav), name


def test_workspace_offers_english_and_spanish_only(client, researcher):
    client.force_login(researcher)
    html = client.get("/staff/?lang=ht", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<html lang="en">' in html  # neither choice is a workspace language
    assert [c for c, _href in language_links(html)] == ["en", "es"]


# ------------------------------------------------------------------------------ the pages


def test_each_public_page_heading_is_in_the_readers_language(client, public_world):
    for name, path in public_paths(public_world).items():
        english = client.get(path).content.decode()
        for code in ("ht", "pt", "fr"):
            html = client.get(in_language(path, code)).content.decode()
            assert f'<html lang="{code}">' in html
            if name in ("case", "library item"):
                # The main heading is the record's own title (data, written once); every
                # section heading around it is translated.
                assert h1(html) == h1(english)
                pairs = list(zip(h2s(html), h2s(english), strict=True))
                translated = [a for a, b in pairs if a != b]
                assert len(translated) > len(pairs) / 2, (name, code, h2s(html))
            else:
                assert h1(html) != h1(english), (name, code, h1(html))


def test_search_page_shows_facet_headings_and_vocabulary_labels_translated(client, public_world):
    html = client.get("/ht/incidents/?type=kidnapping").content.decode()
    for text in (
        "Kalite vyolans",
        "Kidnapin",
        "Moun ki fè atak la",
        "Katèl oswa gwoup krim òganize",
    ):
        assert text in unescape(html), text
    html = client.get("/pt/incidents/").content.decode()
    for text in ("Tipo de violência", "Sequestro", "Honduras", "Haiti", "Criança"):
        assert text in unescape(html), text
    html = client.get("/fr/incidents/").content.decode()
    for text in ("Type de violence", "Enlèvement", "Cartel ou groupe du crime organisé", "Haïti"):
        assert text in unescape(html), text


def test_dates_are_written_in_the_readers_language(client, public_world):
    path = f"/incidents/{public_world['case'].reference}/"
    assert "anviwon oktòb 2019" in client.get(f"/ht{path}").content.decode()
    assert "por volta de outubro 2019" in client.get(f"/pt{path}").content.decode()
    assert "vers octobre 2019" in client.get(f"/fr{path}").content.decode()


def test_vocabularies_have_labels_in_every_language(db):
    from returnwatch.incidents import models

    for model in (
        models.ViolenceType,
        models.Perpetrator,
        models.VictimGroup,
        models.PlaceType,
        models.Program,
        models.DocumentKind,
    ):
        for term in model.objects.all():
            for code in TRANSLATED:
                assert getattr(term, f"label_{code}"), (model.__name__, term.code, code)
    # Nationalities: every country in French and Portuguese; in Creole the countries people
    # returned to Mexico come from (the others show their English name).
    countries = models.Country.objects.all()
    assert countries.count() > 240
    assert not countries.filter(label_fr="").exists() and not countries.filter(label_pt="").exists()
    for code, name in (("ht", "Ayiti"), ("hn", "Ondiras"), ("us", "Etazini"), ("cu", "Kiba")):
        assert countries.get(code=code).label_ht == name


# ------------------------------------------------------------------------------ catalogs


def test_every_string_of_the_public_pages_has_a_translation_in_each_language():
    msgids = public_msgids()
    assert len(msgids) > 200  # the extraction found the pages' strings
    for code in TRANSLATED:
        assert untranslated(msgids, code) == [], code


def workspace_templates() -> list[str]:
    """The workspace's own templates (by their loader names): every `staff` template folder."""
    names = []
    for path in sorted(PACKAGE.glob("**/templates/**/*.html")):
        name = path.relative_to(next(p for p in path.parents if p.name == "templates"))
        if "staff" in name.parts:
            names.append(name.as_posix())
    return names


def test_every_string_of_the_workspace_templates_has_a_spanish_translation():
    # Partner organizations' staff in Mexico work in Spanish (settings.WORKSPACE_LANGUAGES).
    names = workspace_templates()
    assert len(names) > 25  # the templates were found
    msgids: set[Msgid] = set()
    for name in names:
        msgids |= template_msgids(name)
    for code in settings.WORKSPACE_LANGUAGES:
        if code != settings.LANGUAGE_CODE:
            assert untranslated({m for m in msgids if m[1].strip()}, code) == [], code


def test_public_pages_ask_only_for_translated_strings(client, public_world):
    """What the pages really render, Python and Django strings included (dates, file sizes…)."""
    paths = [
        *public_paths(public_world).values(),
        "/incidents/?q=x&city=atlantis&year=abc&from=bad&sort=up&page=0",
        "/incidents/?page=99",
        f"/incidents/{public_world['case'].reference}/".replace(
            public_world["case"].reference, "RW-1999-99999"
        ),
        "/resources/?kind=nothing&sort=up",
        "/resources/report/",
        # The tip form and the complaint assistant (their own tests go through every step).
        "/report/",
        "/report/follow-up/",
        "/complaint/",
    ]
    from returnwatch.incidents.models import Incident

    retracted = Incident.objects.get(status="retracted")
    paths.append(f"/incidents/{retracted.reference}/")
    for code in TRANSLATED:
        with asked_msgids() as asked:
            for path in paths:
                assert client.get(in_language(path, code)).status_code in (200, 404)
        assert len(asked) > 100
        assert untranslated(asked, code) == [], code


def test_make_messages_compiles_every_po_file_into_the_mo_django_reads():
    written = compile_catalogs()
    assert {p.with_suffix(".po") for p in written} == set(catalogs())
    for po_path in catalogs():
        po = polib.pofile(str(po_path))
        mo = polib.mofile(str(po_path.with_suffix(".mo")))
        translated = {(e.msgctxt, e.msgid) for e in po.translated_entries()}
        assert {(e.msgctxt, e.msgid) for e in mo if e.msgid} == translated, po_path
    for code in TRANSLATED:
        with translation.override(code):
            assert translation.gettext("Statistics") != "Statistics"


# ------------------------------------------------------------------- address and workspace


def test_public_pages_take_the_language_from_the_address(client, make_incident):
    make_incident()
    assert "Casos" in client.get("/es/incidents/").content.decode()
    english = client.get("/incidents/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "<h1>Cases</h1>" in english


def test_the_language_switch_links_to_the_same_page_in_the_other_language(client, make_incident):
    make_incident()
    page = client.get("/incidents/?city=reynosa").content.decode()
    assert 'href="/es/incidents/?city=reynosa"' in page
    assert (
        'href="/incidents/?city=reynosa"'
        in client.get("/es/incidents/?city=reynosa").content.decode()
    )


def test_workspace_follows_the_browser_then_an_explicit_choice(client, researcher):
    client.force_login(researcher)
    assert "Incidentes" in client.get("/staff/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    english = client.get("/staff/?lang=en", HTTP_ACCEPT_LANGUAGE="es")
    assert "Incidents" in english.content.decode()
    # The choice is remembered over the browser's preference.
    assert "Incidents" in client.get("/staff/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    spanish = client.get("/staff/?lang=es").content.decode()
    assert "Cerrar sesión" in spanish and 'href="/staff/?lang=en"' in spanish


# ------------------------------------------------------------------------------ in Chromium


def test_a_reader_switches_to_creole_on_a_phone_and_keeps_the_search(
    phone_page, live_server, public_world
):
    page = phone_page
    page.goto(f"{live_server.url}/incidents/")
    page.fill("#q", "kidnapped")
    page.click("form.search button[type=submit]")
    page.wait_for_load_state()
    nav = page.locator("nav.languages")
    box = nav.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    nav.get_by_role("link", name="Kreyòl ayisyen").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ht"
    assert page.locator("h1").inner_text() == "Ka yo"
    assert page.input_value("#q") == "kidnapped"
    assert "/ht/incidents/?q=kidnapped" in page.url
    page.locator("nav.languages").get_by_role("link", name="Français").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Cas"
    assert page.input_value("#q") == "kidnapped"
