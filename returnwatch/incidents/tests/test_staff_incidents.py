"""The workspace incident list, forms, staff page, preview and change history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from returnwatch.audit import log
from returnwatch.incidents.models import City, Incident, Tag, ViolenceType

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def incident_post(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Mother and son kidnapped near the shelter",
        "summary": "A mother and her son, returned under MPP, were kidnapped near a shelter.",
        "narrative": "",
        "date": "2019-11-04",
        "date_precision": "day",
        "date_reported": "2019-11-10",
        "city": str(City.objects.get(code="nuevo-laredo").pk),
        "place_type": "",
        "program": "",
        "violence_types": [str(ViolenceType.objects.get(code="kidnapping").pk)],
        "perpetrators": [],
        "victims_count": "2",
        "children_count": "1",
        "gender": "",
        "victim_groups": [],
        "nationalities": [],
        "port_of_entry": "",
        "fear_expressed": "unknown",
        "verification": "one",
        "tags_text": "",
        "assignee": "",
        "external_id": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# ---------------------------------------------------------------------------- list


def test_list_shows_drafts_and_filters(researcher: Any, editor: Any, make_incident: Any) -> None:
    draft = make_incident(title="Draft in Reynosa", status="draft", city="reynosa")
    review = make_incident(title="Review case in Tijuana", status="review", city="tijuana")
    pub = make_incident(
        title="Published extortion",
        status="published",
        types=["extortion"],
        date=dt.date(2020, 5, 1),
        assignee=editor,
    )
    c = client_for(researcher)
    page = c.get(reverse("staff:home")).content.decode()
    for i in (draft, review, pub):
        assert i.reference in page

    def refs(**params: Any) -> set[str]:
        response = c.get(reverse("staff:home"), params)
        assert response.status_code == 200
        return {i.reference for i in response.context["page"].object_list}

    assert refs(status="draft") == {draft.reference}
    assert refs(status=["draft", "review"]) == {draft.reference, review.reference}
    assert refs(city="tijuana") == {review.reference}
    assert refs(type="extortion") == {pub.reference}
    assert refs(date_from="2020-01-01") == {pub.reference}
    assert refs(date_to="2019-12-31") == {draft.reference, review.reference}
    assert refs(assignee="eddie") == {pub.reference}
    assert refs(assignee="none") == {draft.reference, review.reference}
    assert refs(q="reynosa") == {draft.reference}


def test_list_searches_restricted_text_and_survives_bad_input(
    researcher: Any, make_incident: Any
) -> None:
    hit = make_incident(status="draft", narrative="Witness saw a white pickup near the Zócalo")
    make_incident(status="draft")
    c = client_for(researcher)
    response = c.get(reverse("staff:home"), {"q": "zocalo pickup"})
    assert [i.reference for i in response.context["page"].object_list] == [hit.reference]
    # Unknown codes, malformed dates and pages past the end: shown, never a 500.
    response = c.get(
        reverse("staff:home"),
        {"city": "atlantis", "date_from": "yesterday", "page": "999", "status": "bogus"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid date." in html
    assert response.context["page"].paginator.count == 2


def test_list_paginates(researcher: Any, make_incident: Any) -> None:
    for n in range(55):
        make_incident(title=f"Case {n}", status="draft")
    c = client_for(researcher)
    first = c.get(reverse("staff:home"))
    assert len(first.context["page"].object_list) == 50
    second = c.get(reverse("staff:home"), {"page": "2", "status": "draft"})
    assert len(second.context["page"].object_list) == 5
    assert "status=draft&amp;page=1" in second.content.decode()


# ---------------------------------------------------------------------------- create / edit


def test_create_incident_with_every_kind_of_field(researcher: Any) -> None:
    from returnwatch.incidents.models import (
        Country,
        Perpetrator,
        PlaceType,
        PortOfEntry,
        Program,
        VictimGroup,
    )

    c = client_for(researcher)
    data = incident_post(
        narrative="Restricted: the family's shelter was named.",
        place_type=str(PlaceType.objects.first().pk),
        program=str(Program.objects.get(code="mpp-2019").pk),
        perpetrators=[str(p.pk) for p in Perpetrator.objects.all()[:2]],
        victim_groups=[str(VictimGroup.objects.get(code="child").pk)],
        nationalities=[str(Country.objects.get(code="hn").pk)],
        port_of_entry=str(PortOfEntry.objects.first().pk),
        fear_expressed="yes",
        complaint_crcl="on",
        lawsuit="on",
        gender="mixed",
        tags_text="Bus station, repeat kidnapping",
        assignee=str(researcher.pk),
        date_precision="month",
        external_id="ext-17",
    )
    response = c.post(reverse("staff:incident_create"), data)
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert response["Location"] == reverse("staff:incident_detail", args=[incident.reference])
    assert incident.status == "draft"
    assert incident.created_by == researcher
    assert incident.organization == researcher.organization
    assert incident.date == dt.date(2019, 11, 4) and incident.date_precision == "month"
    assert incident.year == 2019
    assert incident.complaint_crcl and incident.lawsuit and not incident.complaint_oig
    assert incident.perpetrators.count() == 2
    assert list(incident.nationalities.values_list("code", flat=True)) == ["hn"]
    assert sorted(t.name for t in incident.tags.all()) == ["bus-station", "repeat-kidnapping"]
    assert incident.assignee == researcher
    entry = log.history(incident).get()
    assert entry.action == "create" and entry.actor == researcher
    assert {"title", "summary", "narrative", "violence_types", "tags"} <= set(entry.fields)


def test_form_errors_beside_fields_and_input_kept(researcher: Any) -> None:
    c = client_for(researcher)
    data = incident_post(
        title="",
        summary="Typed summary that must survive the error",
        victims_count="1",
        children_count="3",
        date="2999-01-01",
    )
    response = c.post(reverse("staff:incident_create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    form = response.context["form"]
    assert set(form.errors) == {"title", "children_count", "date"}
    assert "Typed summary that must survive the error" in html
    assert 'value="2999-01-01"' in html
    assert "There cannot be more children than people harmed (1)." in html
    # The kidnapping checkbox stays ticked.
    kidnapping = ViolenceType.objects.get(code="kidnapping").pk
    assert f'value="{kidnapping}"' in html and "checked" in html
    assert Incident.objects.count() == 0


def test_edit_records_changed_fields_including_vocabularies(
    researcher: Any, make_incident: Any
) -> None:
    incident = make_incident(status="draft", narrative="old restricted words")
    c = client_for(researcher)
    form_page = c.get(reverse("staff:incident_edit", args=[incident.reference]))
    assert form_page.status_code == 200
    data = incident_post(
        title=incident.title,
        summary=incident.summary,
        narrative="SECRET-NARRATIVE-MARKER new restricted words",
        date="2019-10-03",
        date_reported="",
        victims_count="1",
        children_count="0",
        program=str(incident.program_id),
        violence_types=[
            str(ViolenceType.objects.get(code="kidnapping").pk),
            str(ViolenceType.objects.get(code="extortion").pk),
        ],
        verification="unverified",
        tags_text="new-tag",
    )
    response = c.post(reverse("staff:incident_edit", args=[incident.reference]), data)
    assert response.status_code == 302
    entry = log.history(incident).order_by("-id").first()
    assert entry.action == "update"
    assert set(entry.fields) == {"narrative", "violence_types", "tags"}
    assert "SECRET-NARRATIVE-MARKER" not in entry.payload().decode()
    incident.refresh_from_db()
    assert incident.violence_types.count() == 2
    assert Tag.objects.filter(name="new-tag").exists()


def test_unchanged_edit_writes_no_history(researcher: Any, make_incident: Any) -> None:
    incident = make_incident(status="draft")
    c = client_for(researcher)
    form = c.get(reverse("staff:incident_edit", args=[incident.reference])).context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else value
    c.post(reverse("staff:incident_edit", args=[incident.reference]), data)
    assert not log.history(incident).exists()


def test_writes_are_one_transaction(researcher: Any, monkeypatch: Any) -> None:
    """If the history cannot be written, the incident is not saved either."""
    from returnwatch.incidents import staff_views

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("history unavailable")

    monkeypatch.setattr(staff_views.log, "record", broken)
    c = client_for(researcher)
    c.raise_request_exception = False
    response = c.post(reverse("staff:incident_create"), incident_post())
    assert response.status_code == 500
    assert Incident.objects.count() == 0


# ---------------------------------------------------------------------------- staff page


def test_staff_page_shows_restricted_fields_sources_and_history(
    researcher: Any, make_incident: Any
) -> None:
    from returnwatch.incidents.models import Citation, Document, DocumentKind, Person

    incident = make_incident(status="draft", narrative="NARRATIVE-SEEN-BY-STAFF")
    Person.objects.create(incident=incident, name="PERSON-NAME-SEEN", a_number="A123456789")
    doc = Document.objects.create(
        kind=DocumentKind.objects.get(code="interview"), title="Interview notes 7"
    )
    Citation.objects.create(incident=incident, document=doc, passage="p. 2", excerpt="EXCERPT-7")
    log.record(researcher, "update", incident, ["title"], about=incident)
    html = (
        client_for(researcher)
        .get(reverse("staff:incident_detail", args=[incident.reference]))
        .content.decode()
    )
    for marker in (
        "NARRATIVE-SEEN-BY-STAFF",
        "PERSON-NAME-SEEN",
        "A123456789",
        "Interview notes 7",
        "EXCERPT-7",
        "never public",
        "<code>title</code>",
        "rita",
    ):
        assert marker in html, marker


def test_unknown_reference_is_404(researcher: Any) -> None:
    c = client_for(researcher)
    for name in ("staff:incident_detail", "staff:incident_edit", "staff:incident_preview"):
        assert c.get(reverse(name, args=["RW-1999-99999"])).status_code == 404


# ---------------------------------------------------------------------------- preview


def test_preview_renders_the_public_template_without_restricted_data(
    researcher: Any, make_incident: Any
) -> None:
    from returnwatch.incidents.models import Citation, Document, DocumentKind, Person

    incident = make_incident(
        title="Preview title",
        summary="Preview public summary",
        status="draft",
        narrative="PREVIEW-NARRATIVE-SECRET",
    )
    Person.objects.create(incident=incident, name="PREVIEW-PERSON-SECRET")
    news = Document.objects.create(
        kind=DocumentKind.objects.get(code="news"),
        title="Public news item",
        url="https://example.org/n",
    )
    interview = Document.objects.create(
        kind=DocumentKind.objects.get(code="interview"), title="PREVIEW-INTERVIEW-SECRET"
    )
    Citation.objects.create(incident=incident, document=news, excerpt="quoted words")
    Citation.objects.create(incident=incident, document=interview)
    response = client_for(researcher).get(
        reverse("staff:incident_preview", args=[incident.reference])
    )
    assert response.status_code == 200
    assert "incidents/detail.html" in [t.name for t in response.templates]
    html = response.content.decode()
    assert "Preview title" in html and "Preview public summary" in html
    assert "Public news item" in html and "quoted words" in html
    for secret in ("PREVIEW-NARRATIVE-SECRET", "PREVIEW-PERSON-SECRET", "PREVIEW-INTERVIEW-SECRET"):
        assert secret not in html
    assert response["Cache-Control"] == "private, no-store"
