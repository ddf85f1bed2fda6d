"""The triage queue: filters, assignment, notes, status moves, duplicates, incident creation,
history and who may see what."""

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from returnwatch.audit.log import history
from returnwatch.audit.models import Entry
from returnwatch.incidents.models import Citation, Incident
from returnwatch.intake import submissions
from returnwatch.intake.duplicates import find_duplicates
from returnwatch.intake.models import Tip, TipNote

from .conftest import png_bytes

pytestmark = pytest.mark.django_db


def tip(**data: Any) -> Tip:
    data.setdefault("narrative", "They were kidnapped at the bus station after crossing.")
    t, _code = submissions.create_tip(data, data.pop("files", ()))
    return t


@pytest.fixture
def rita(client: Client, researcher: Any) -> Client:
    client.force_login(researcher)
    return client


def test_only_researchers_reach_the_queue(client: Client, make_user: Any) -> None:
    assert client.get("/staff/tips/").status_code == 302  # to sign-in
    client.force_login(make_user("visitor"))
    assert client.get("/staff/tips/").status_code == 403


def test_list_newest_first_with_filters(rita: Client, researcher: Any, editor: Any) -> None:
    a = tip(city="tijuana", violence_types=["kidnapping"], language="es", date="2025-03-02")
    b = tip(city="reynosa", violence_types=["extortion"], language="ht", date="2024-11")
    c = tip(city="tijuana", violence_types=["extortion"], language="es", date="2025-04-10")
    Tip.objects.filter(pk=c.pk).update(status="declined", assignee=editor)
    Tip.objects.filter(pk=a.pk).update(assignee=researcher)

    def listed(query: str = "") -> list[int]:
        r = rita.get("/staff/tips/" + query)
        assert r.status_code == 200
        return [t.pk for t in r.context["page"]]

    assert listed() == [c.pk, b.pk, a.pk]
    assert listed("?status=declined") == [c.pk]
    assert listed("?status=open") == [b.pk, a.pk]
    assert listed("?assignee=me") == [a.pk]
    assert listed(f"?assignee={editor.pk}") == [c.pk]
    assert listed("?assignee=none") == [b.pk]
    assert listed("?language=ht") == [b.pk]
    assert listed("?city=tijuana") == [c.pk, a.pk]
    assert listed("?type=extortion") == [c.pk, b.pk]
    assert listed("?from=2025-03-01&to=2025-03-31") == [a.pk]
    today = dt.date.today().isoformat()
    assert listed(f"?received_from={today}&city=reynosa") == [b.pk]
    # Nothing of what the submitter wrote is in the list page.
    assert "bus station" not in rita.get("/staff/tips/").content.decode()


def test_assign_note_status_and_history(rita: Client, researcher: Any, editor: Any) -> None:
    t = tip(contact="secret@example.org")
    detail = reverse("staff:tip_detail", args=[t.pk])
    page = rita.get(detail).content.decode()
    assert "bus station" in page and "secret@example.org" in page

    rita.post(reverse("staff:tip_assign", args=[t.pk]), {"assignee": editor.pk})
    t.refresh_from_db()
    assert t.assignee == editor and t.status == "review"

    rita.post(reverse("staff:tip_note", args=[t.pk]), {"text": "Called the shelter: NOTE-X"})
    assert TipNote.objects.get(tip=t).text == "Called the shelter: NOTE-X"

    # Declining needs a reason.
    rita.post(reverse("staff:tip_status", args=[t.pk]), {"status": "declined"})
    t.refresh_from_db()
    assert t.status == "review"
    rita.post(
        reverse("staff:tip_status", args=[t.pk]),
        {"status": "declined", "reason": "Outside the scope: happened in the US"},
    )
    t.refresh_from_db()
    assert t.status == "declined" and t.decline_reason.startswith("Outside")
    # Not every move is allowed (accepted comes only with an incident).
    rita.post(reverse("staff:tip_status", args=[t.pk]), {"status": "accepted"})
    t.refresh_from_db()
    assert t.status == "declined"
    rita.post(reverse("staff:tip_status", args=[t.pk]), {"status": "review"})
    t.refresh_from_db()
    assert t.status == "review" and t.decline_reason == ""

    actions = [e.action for e in history(t)]
    for action in (
        "tip.create",
        "tip.assign",
        "tip.note",
        "tip.status.declined",
        "tip.status.review",
    ):
        assert action in actions
    # The history names fields, never values.
    everything = " ".join(f"{e.fields} {e.note} {e.target_label}" for e in Entry.objects.all())
    for secret in ("secret@example.org", "NOTE-X", "Outside the scope", "bus station"):
        assert secret not in everything
    declined = Entry.objects.get(action="tip.status.declined")
    assert declined.fields == ["decline_reason", "status"]


def test_partners_see_only_tips_assigned_to_them(client: Client, make_user: Any) -> None:
    partner = make_user("paula", "researcher", org="Partner shelter network")
    mine, other = tip(), tip()
    Tip.objects.filter(pk=mine.pk).update(assignee=partner)
    client.force_login(partner)
    assert [t.pk for t in client.get("/staff/tips/").context["page"]] == [mine.pk]
    assert client.get(reverse("staff:tip_detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("staff:tip_note", args=[other.pk]), {"text": "x"}).status_code == 404


def test_attachments_download_for_staff_only(rita: Client, client: Client) -> None:
    t = tip(files=[SimpleUploadedFile("evidence.png", png_bytes(), "image/png")])
    att = t.attachments.get()
    url = reverse("staff:tip_attachment", args=[att.pk])
    r = rita.get(url)
    assert r.status_code == 200 and r.getvalue() == att.file.open().read()
    assert "attachment;" in r["Content-Disposition"] and "evidence" not in r["Content-Disposition"]
    assert "tip.attachment.download" in [e.action for e in history(t)]
    anonymous = Client()
    assert anonymous.get(url).status_code == 302


def test_duplicates_rank_same_city_dates_types_and_wording(make_incident: Any) -> None:
    t = tip(
        narrative="Mi familia fue secuestrada en la central de autobuses de Nuevo Laredo",
        city="nuevo-laredo",
        date="2019-10-05",
        violence_types=["kidnapping"],
    )
    close = make_incident(
        title="Familia secuestrada en la central de autobuses",
        summary="Una familia devuelta bajo el MPP fue secuestrada en la central de autobuses.",
        city="nuevo-laredo",
        date=dt.date(2019, 10, 3),
        types=["kidnapping"],
    )
    far_in_time = make_incident(city="nuevo-laredo", date=dt.date(2021, 1, 1))
    other_city = make_incident(city="tijuana", date=dt.date(2019, 10, 3))
    twin = tip(
        narrative="Secuestraron a una familia en la central de autobuses de Nuevo Laredo",
        city="nuevo-laredo",
        date="2019-10",
        violence_types=["kidnapping", "extortion"],
    )
    matches = find_duplicates(t)
    found = {(m.kind, m.obj.pk): m for m in matches}
    assert ("incident", close.pk) in found and ("tip", twin.pk) in found
    assert ("incident", far_in_time.pk) not in found
    assert ("incident", other_city.pk) not in found
    best = found[("incident", close.pk)]
    assert matches[0] is best
    reasons = " ".join(best.reasons)
    assert "same city" in reasons and "2 days apart" in reasons
    assert "violence type" in reasons and "similar details" in reasons


def test_create_incident_from_tip(
    rita: Client, researcher: Any, make_incident: Any, django_capture_on_commit_callbacks: Any
) -> None:
    t = tip(
        narrative="NARRATIVE-MARK: they took us from the shelter",
        city="matamoros",
        date="2025-02",
        program="mpp-2025",
        violence_types=["kidnapping", "extortion"],
        victim_groups=["family", "child"],
        nationalities=["hn"],
        fear_expressed="yes",
        place_type="shelter",
        language="es",
    )
    submissions.add_follow_up(t, "FOLLOWUP-MARK: they asked for money")
    r = rita.post(reverse("staff:tip_create_incident", args=[t.pk]))
    t.refresh_from_db()
    incident = t.incident
    assert incident is not None and t.status == "accepted"
    assert r.status_code == 302
    assert r["Location"] == reverse("staff:incident_edit", args=[incident.reference])
    assert incident.status == "draft" and incident.summary == ""
    assert "NARRATIVE-MARK" in incident.narrative and "FOLLOWUP-MARK" in incident.narrative
    assert "NARRATIVE-MARK" not in incident.title
    assert incident.city.code == "matamoros" and incident.program.code == "mpp-2025"
    assert incident.date == dt.date(2025, 2, 1) and incident.date_precision == "month"
    assert incident.fear_expressed == "yes" and incident.place_type.code == "shelter"
    assert sorted(incident.violence_types.values_list("code", flat=True)) == [
        "extortion",
        "kidnapping",
    ]
    assert sorted(incident.victim_groups.values_list("code", flat=True)) == ["child", "family"]
    assert list(incident.nationalities.values_list("code", flat=True)) == ["hn"]
    # Linked both ways: the tip is a never-public document cited by the incident.
    assert list(incident.tips.all()) == [t]
    citation = Citation.objects.get(incident=incident)
    assert citation.document == t.document
    assert t.document.kind.code == "tip" and t.document.kind.public is False
    assert "NARRATIVE-MARK" not in t.document.title + t.document.summary
    actions = [e.action for e in history(t)]
    # The tip's document is created as every other ("create"; old entries say "document.create").
    assert "tip.link_incident" in actions and "create" in actions
    # The same entry as every other way of creating a draft (incidents/actions.py).
    assert "create" in [e.action for e in history(incident)]
    # The edit page opens, and a second click does not make a second incident.
    assert rita.get(r["Location"]).status_code == 200
    rita.post(reverse("staff:tip_create_incident", args=[t.pk]))
    assert Incident.objects.count() == 1
    # The tip page now shows the link.
    assert incident.reference in rita.get(reverse("staff:tip_detail", args=[t.pk])).content.decode()


def test_link_tip_to_an_existing_incident(rita: Client, make_incident: Any) -> None:
    incident = make_incident()
    t = tip()
    rita.post(reverse("staff:tip_link_incident", args=[t.pk]), {"reference": "RW-1999-99999"})
    t.refresh_from_db()
    assert t.incident is None
    rita.post(
        reverse("staff:tip_link_incident", args=[t.pk]), {"reference": incident.reference.lower()}
    )
    t.refresh_from_db()
    assert t.incident == incident and t.status == "accepted"
    assert Citation.objects.filter(incident=incident, document=t.document).exists()


def test_researchers_get_an_email_with_a_link_only(
    researcher: Any, editor: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_user("nobody")  # no role: no email
    with django_capture_on_commit_callbacks(execute=True):
        t = tip(narrative="NARRATIVE-MARK", contact="CONTACT-MARK")
    assert sorted(m.to[0] for m in mail.outbox) == ["eddie@example.org", "rita@example.org"]
    for m in mail.outbox:
        assert f"/staff/tips/{t.pk}/" in m.body
        assert "MARK" not in str(m.body) + str(m.subject)
