"""Each workspace address × anonymous, user without a role, researcher, editor, admin.

Anonymous visitors are sent to sign in; signed-in users without a role get 403; researchers
see and edit drafts; only editors (with their second factor) publish and change public
records. A partner organization's researcher sees published records, not others' drafts or
restricted parts.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import cite, verified_login
from returnwatch.incidents import files
from returnwatch.incidents.models import Citation, Document, DocumentKind, Incident, Person

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "norole", "researcher", "editor", "admin"]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def world(make_user: Any, make_incident: Any, settings: Any, tmp_path: Any) -> dict[str, Any]:
    settings.MEDIA_ROOT = str(tmp_path)
    users = {
        "norole": make_user("nora", ""),
        "researcher": make_user("rita", "researcher"),
        "editor": make_user("eddie", "editor"),
        "admin": make_user("ada", "admin", is_staff=True, is_superuser=True),
        "partner": make_user("pat", "researcher", org="Partner shelter network"),
    }
    draft = make_incident(status="draft", narrative="LEAD-DRAFT-NARRATIVE")
    review = make_incident(status="review")
    cite(review)
    published = make_incident(status="published", narrative="LEAD-PUBLISHED-NARRATIVE")
    for i in (draft, review, published):
        i.organization = users["researcher"].organization
        i.save()
    person = Person.objects.create(incident=draft, name="Someone")
    doc = Document(kind=DocumentKind.objects.get(code="news"), title="Archived article")
    upload = io.BytesIO(PDF)
    upload.name = "article.pdf"
    files.attach(doc, upload, files.inspect(upload), users["researcher"])
    doc.created_by = users["researcher"]
    doc.save()
    citation = Citation.objects.create(incident=draft, document=doc)
    loose = Document.objects.create(kind=DocumentKind.objects.get(code="news"), title="Loose")
    return {
        "users": users,
        "draft": draft,
        "review": review,
        "published": published,
        "person": person,
        "doc": doc,
        "loose": loose,
        "citation": citation,
    }


def client_as(world: dict[str, Any], role: str) -> Client:
    c = Client()
    if role == "anonymous":
        return c
    user = world["users"][role]
    if role in ("editor", "admin"):
        verified_login(c, user)
    else:
        c.force_login(user)
    return c


ALL = {"researcher": 200, "editor": 200, "admin": 200}
EDITORS = {"researcher": 403, "editor": 200, "admin": 200}

# (address name, how to build its arguments, expected status for signed-in staff roles)
PAGES: list[tuple[str, Any, dict[str, int]]] = [
    ("staff:home", lambda w: [], ALL),
    ("staff:incident_create", lambda w: [], ALL),
    ("staff:incident_detail", lambda w: [w["draft"].reference], ALL),
    ("staff:incident_detail", lambda w: [w["published"].reference], ALL),
    ("staff:incident_edit", lambda w: [w["draft"].reference], ALL),
    ("staff:incident_edit", lambda w: [w["published"].reference], EDITORS),
    ("staff:incident_preview", lambda w: [w["draft"].reference], ALL),
    ("staff:incident_delete", lambda w: [w["draft"].reference], EDITORS),
    ("staff:citation_add", lambda w: [w["draft"].reference], ALL),
    ("staff:citation_add", lambda w: [w["published"].reference], EDITORS),
    ("staff:citation_edit", lambda w: [w["draft"].reference, w["citation"].pk], ALL),
    ("staff:citation_delete", lambda w: [w["draft"].reference, w["citation"].pk], ALL),
    ("staff:person_add", lambda w: [w["draft"].reference], ALL),
    ("staff:person_edit", lambda w: [w["draft"].reference, w["person"].pk], ALL),
    ("staff:person_delete", lambda w: [w["draft"].reference, w["person"].pk], ALL),
    ("staff:document_list", lambda w: [], ALL),
    ("staff:document_create", lambda w: [], ALL),
    ("staff:document_detail", lambda w: [w["doc"].pk], ALL),
    ("staff:document_edit", lambda w: [w["loose"].pk], ALL),
    ("staff:document_file", lambda w: [w["doc"].pk], ALL),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("name", "args", "expected"),
    PAGES,
    ids=[f"{name}-{i}" for i, (name, _, _) in enumerate(PAGES)],
)
def test_who_may_see_each_page(
    world: dict[str, Any], role: str, name: str, args: Any, expected: dict[str, int]
) -> None:
    url = reverse(name, args=args(world))
    response = client_as(world, role).get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("staff:login"))
    elif role == "norole":
        assert response.status_code == 403
    else:
        assert response.status_code == expected[role], (role, url)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_publish(world: dict[str, Any], role: str) -> None:
    incident = world["review"]
    url = reverse("staff:incident_transition", args=[incident.reference])
    response = client_as(world, role).post(url, {"action": "publish"})
    status = Incident.objects.values_list("status", flat=True).get(pk=incident.pk)
    if role in ("editor", "admin"):
        assert response.status_code == 302
        assert status == "published"
    else:
        assert response.status_code == {"anonymous": 302, "norole": 403, "researcher": 403}[role]
        assert status == "review"


@pytest.mark.parametrize("role", ROLES)
def test_who_may_submit_a_draft_for_review(world: dict[str, Any], role: str) -> None:
    incident = world["draft"]
    url = reverse("staff:incident_transition", args=[incident.reference])
    client_as(world, role).post(url, {"action": "submit"})
    status = Incident.objects.values_list("status", flat=True).get(pk=incident.pk)
    assert status == ("review" if role in ("researcher", "editor", "admin") else "draft")


@pytest.mark.parametrize("role", ROLES)
def test_who_may_create_an_incident(world: dict[str, Any], role: str) -> None:
    before = Incident.objects.count()
    client_as(world, role).post(
        reverse("staff:incident_create"),
        {
            "title": "t",
            "summary": "s",
            "date_precision": "day",
            "victims_count": "1",
            "children_count": "0",
            "fear_expressed": "unknown",
            "verification": "unverified",
        },
    )
    created = Incident.objects.count() - before
    assert created == (1 if role in ("researcher", "editor", "admin") else 0)


def test_partner_sees_published_records_but_not_others_restricted_parts(
    world: dict[str, Any],
) -> None:
    c = Client()
    c.force_login(world["users"]["partner"])
    home = c.get(reverse("staff:home")).content.decode()
    assert world["published"].reference in home
    assert world["draft"].reference not in home
    draft_url = reverse("staff:incident_detail", args=[world["draft"].reference])
    assert c.get(draft_url).status_code == 404
    page = c.get(reverse("staff:incident_detail", args=[world["published"].reference]))
    assert page.status_code == 200
    assert "LEAD-PUBLISHED-NARRATIVE" not in page.content.decode()
    # Nor can a search reveal words of another organization's narrative.
    found = c.get(reverse("staff:home"), {"q": "LEAD-PUBLISHED-NARRATIVE"})
    assert found.context["page"].paginator.count == 0
    ref = world["published"].reference
    assert c.get(reverse("staff:person_add", args=[ref])).status_code == 403
    assert c.get(reverse("staff:document_file", args=[world["doc"].pk])).status_code == 403
    assert c.get(reverse("staff:incident_edit", args=[ref])).status_code == 403


def test_lead_researcher_finds_restricted_words(world: dict[str, Any]) -> None:
    c = client_as(world, "researcher")
    found = c.get(reverse("staff:home"), {"q": "LEAD-PUBLISHED-NARRATIVE"})
    refs = [i.reference for i in found.context["page"].object_list]
    assert refs == [world["published"].reference]


# ---------------------------------------------------------------------------- Django admin


def test_admin_edits_vocabulary_labels_in_every_language(world: dict[str, Any]) -> None:
    from returnwatch.audit import log
    from returnwatch.incidents.models import ViolenceType

    c = client_as(world, "admin")
    term = ViolenceType.objects.get(code="kidnapping")
    url = reverse("admin:incidents_violencetype_change", args=[term.pk])
    assert c.get(url).status_code == 200
    response = c.post(
        url,
        {
            "label_en": "Kidnapping",
            "label_es": "Secuestro",
            "label_fr": "Enlèvement (test)",
            "label_pt": "Sequestro (test)",
            "label_ht": "Kidnapin (test)",
            "huridocs_term": term.huridocs_term,
            "position": term.position,
            "active": "on",
        },
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.code == "kidnapping"  # codes are not editable
    assert (term.label_fr, term.label_pt, term.label_ht) == (
        "Enlèvement (test)",
        "Sequestro (test)",
        "Kidnapin (test)",
    )
    assert set(log.history(term).get().fields) == {"label_fr", "label_pt", "label_ht"}


def test_a_label_renamed_in_the_admin_is_searchable_once_the_worker_has_run(
    world: dict[str, Any],
    make_incident: Any,
    tasks_in_memory: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from returnwatch.incidents.models import ViolenceType

    case = make_incident(status="published", types=["kidnapping"], title="Taken at the bridge")
    term = ViolenceType.objects.get(code="kidnapping")
    assert Client().get("/incidents/", {"q": "rapto"}).context["page"].paginator.count == 0
    c = client_as(world, "admin")
    url = reverse("admin:incidents_violencetype_change", args=[term.pk])
    form = {f"label_{lang}": getattr(term, f"label_{lang}") for lang in ("en", "fr", "pt", "ht")}
    form |= {"label_es": "Rapto", "huridocs_term": term.huridocs_term}
    form |= {"position": term.position, "active": "on"}
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(url, form, follow=True)
    assert "are being updated in the background" in response.content.decode()
    public = Client().get("/incidents/", {"q": "rapto"})
    assert case.reference in public.content.decode()
    kidnappings = Incident.objects.filter(status="published", violence_types=term)
    assert public.context["page"].paginator.count == kidnappings.count() >= 1


@pytest.mark.parametrize(
    "model",
    [
        "violencetype",
        "perpetrator",
        "victimgroup",
        "placetype",
        "program",
        "documentkind",
        "portofentry",
        "city",
        "country",
        "incident",
        "document",
    ],
)
def test_admin_lists_the_record(world: dict[str, Any], model: str) -> None:
    c = client_as(world, "admin")
    assert c.get(reverse(f"admin:incidents_{model}_changelist")).status_code == 200


def test_admin_reads_incidents_and_documents_but_files_stay_fixed(world: dict[str, Any]) -> None:
    c = client_as(world, "admin")
    incident, doc = world["draft"], world["doc"]
    page = c.get(reverse("admin:incidents_incident_change", args=[incident.pk]))
    assert page.status_code == 200
    assert 'name="title"' not in page.content.decode()  # read-only
    assert c.get(reverse("admin:incidents_incident_add")).status_code == 403
    page = c.get(reverse("admin:incidents_document_change", args=[doc.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="title"' in html and 'name="file"' not in html and doc.sha256 in html


def test_researchers_do_not_get_into_the_admin(world: dict[str, Any]) -> None:
    c = client_as(world, "researcher")
    response = c.get(reverse("admin:incidents_violencetype_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
