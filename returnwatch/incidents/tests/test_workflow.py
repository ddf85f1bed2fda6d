"""draft → in review → published, retraction with a public reason; only editors publish."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import cite, verified_login
from returnwatch import public
from returnwatch.audit import log
from returnwatch.incidents.models import Incident

pytestmark = pytest.mark.django_db


def researcher_client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def editor_client(user: Any) -> Client:
    c = Client()
    verified_login(c, user)
    return c


def move(c: Client, incident: Incident, action: str, **extra: str) -> Any:
    return c.post(
        reverse("staff:incident_transition", args=[incident.reference]),
        {"action": action, **extra},
    )


def status_of(incident: Incident) -> str:
    return Incident.objects.values_list("status", flat=True).get(pk=incident.pk)


def test_researcher_moves_between_draft_and_review(researcher: Any, make_incident: Any) -> None:
    incident = make_incident(status="draft")
    c = researcher_client(researcher)
    assert move(c, incident, "submit").status_code == 302
    assert status_of(incident) == "review"
    assert move(c, incident, "withdraw").status_code == 302
    assert status_of(incident) == "draft"
    entries = list(log.history(incident).filter(action="status"))
    assert [e.note for e in entries] == ["draft → review", "review → draft"]
    assert all(e.fields == ["status"] and e.actor == researcher for e in entries)


@pytest.mark.parametrize("action", ["publish", "retract", "unpublish"])
def test_researcher_cannot_publish_retract_or_unpublish(
    researcher: Any, make_incident: Any, action: str
) -> None:
    start = {"publish": "review", "retract": "published", "unpublish": "published"}[action]
    incident = make_incident(status=start)
    response = move(researcher_client(researcher), incident, action, reason="because")
    assert response.status_code == 403
    assert status_of(incident) == start
    assert not log.history(incident).exists()


def test_editor_without_second_factor_cannot_publish(editor: Any, make_incident: Any) -> None:
    incident = make_incident(status="review")
    c = Client()
    c.force_login(editor)  # signed in with a password only
    assert move(c, incident, "publish").status_code == 403
    assert status_of(incident) == "review"


def test_editor_publishes_and_the_public_sees_it(editor: Any, make_incident: Any) -> None:
    incident = make_incident(status="review", title="Now public case")
    cite(incident)
    assert public.incident(incident.reference) is None
    c = editor_client(editor)
    page = c.get(reverse("staff:incident_detail", args=[incident.reference])).content.decode()
    assert 'value="publish"' in page
    assert move(c, incident, "publish").status_code == 302
    incident.refresh_from_db()
    assert incident.status == "published"
    assert incident.published_at is not None
    shown = public.incident(incident.reference)
    assert shown is not None and shown.title == "Now public case"
    entry = log.history(incident).get(action="status")
    assert set(entry.fields) == {"status", "published_at"}
    assert entry.actor == editor


def test_publish_only_from_review(editor: Any, make_incident: Any) -> None:
    incident = make_incident(status="draft")
    c = editor_client(editor)
    response = move(c, incident, "publish")
    assert response.status_code == 302
    assert status_of(incident) == "draft"
    follow = c.get(response["Location"]).content.decode()
    assert "cannot be moved that way" in follow


def test_retract_needs_a_public_reason(editor: Any, make_incident: Any) -> None:
    incident = make_incident(status="published", published_at=timezone.now())
    cite(incident)
    c = editor_client(editor)
    response = move(c, incident, "retract", reason="   ")
    assert response.status_code == 400
    assert "Say why the incident is retracted." in response.content.decode()
    assert status_of(incident) == "published"

    response = move(c, incident, "retract", reason="Duplicate of a case reported twice.")
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "retracted" and incident.retracted_at is not None
    assert incident.retraction_reason == "Duplicate of a case reported twice."
    shown = public.incident(incident.reference)
    assert shown is not None and shown.is_retracted
    assert shown.retraction_reason == "Duplicate of a case reported twice."
    published_at = incident.published_at

    # Back to draft clears the retraction; publishing again keeps the first publication date.
    assert move(c, incident, "unpublish").status_code == 302
    incident.refresh_from_db()
    assert incident.status == "draft" and incident.retracted_at is None
    assert incident.retraction_reason == ""
    assert public.incident(incident.reference) is None
    move(c, incident, "submit")
    move(c, incident, "publish")
    incident.refresh_from_db()
    assert incident.status == "published" and incident.published_at == published_at


def test_unknown_action_and_get_are_refused(researcher: Any, make_incident: Any) -> None:
    incident = make_incident(status="draft")
    c = researcher_client(researcher)
    assert move(c, incident, "explode").status_code == 302
    assert status_of(incident) == "draft"
    url = reverse("staff:incident_transition", args=[incident.reference])
    assert c.get(url).status_code == 405


def test_researcher_cannot_edit_a_published_record_but_editor_can(
    researcher: Any, editor: Any, make_incident: Any
) -> None:
    incident = make_incident(status="published")
    url = reverse("staff:incident_edit", args=[incident.reference])
    assert researcher_client(researcher).get(url).status_code == 403
    assert editor_client(editor).get(url).status_code == 200


def test_search_index_follows_status(editor: Any, make_incident: Any) -> None:
    """Publishing makes the case findable in public search; retraction removes it."""
    from returnwatch.incidents import search

    incident = make_incident(status="review", summary="Zyxwvut unique word in the summary")
    cite(incident)
    c = editor_client(editor)

    def found() -> bool:
        return search.filter_text(public.incidents(), "zyxwvut").filter(pk=incident.pk).exists()

    assert not found()
    move(c, incident, "publish")
    assert found()
    move(c, incident, "retract", reason="Wrong city and date.")
    assert not found()
