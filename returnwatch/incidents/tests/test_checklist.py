"""Before publishing, a checklist the editor sees and the system enforces; sending back asks
for a reason the researcher sees; queues with their counts."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import cite, verified_login
from returnwatch.audit import log
from returnwatch.incidents import checklist
from returnwatch.incidents.models import Incident, Person

pytestmark = pytest.mark.django_db


def editor_client(user: Any) -> Client:
    c = Client()
    verified_login(c, user)
    return c


def publish(c: Client, incident: Incident, **extra: str) -> Any:
    url = reverse("staff:incident_transition", args=[incident.reference])
    return c.post(url, {"action": "publish", **extra})


def status_of(incident: Incident) -> str:
    return Incident.objects.values_list("status", flat=True).get(pk=incident.pk)


def test_no_source_no_publication(editor: Any, make_incident: Any) -> None:
    incident = make_incident(status="review")
    response = publish(editor_client(editor), incident)
    assert response.status_code == 400
    assert "Not published yet: At least one source is cited." in response.content.decode()
    assert status_of(incident) == "review"


@pytest.mark.parametrize(
    "summary",
    [
        "They called 868 123 4567 for the ransom.",
        "Her A-number A-123-456-789 was taken.",
        "Write to maria.lopez@example.org.",
        "Held at Calle Hidalgo 23 for a week.",
    ],
)
def test_identifying_details_stop_publication_until_overridden_with_a_reason(
    editor: Any, make_incident: Any, summary: str
) -> None:
    incident = make_incident(status="review", summary=summary)
    cite(incident)
    c = editor_client(editor)
    page = publish(c, incident).content.decode()
    assert "Not published yet: No names, A-numbers" in page
    assert 'name="override_reason"' in page
    assert status_of(incident) == "review"
    response = publish(c, incident, override_reason="The number is the kidnappers' public hotline.")
    assert response.status_code == 302 and status_of(incident) == "published"
    assert "checklist overridden" in log.history(incident).get(action="status").note


def test_a_persons_name_in_the_public_summary_is_flagged(make_incident: Any) -> None:
    incident = make_incident(status="review", summary="Rosalinda and her son were taken.")
    Person.objects.create(incident=incident, name="Rosalinda Pérez")
    found = checklist.identifying_details(incident)
    assert found and "Rosalinda" in found[0]
    assert not checklist.identifying_details(
        make_incident(summary="A family returned under MPP 2019-2021 was kidnapped in 2019.")
    )


def test_missing_city_and_summary_are_hard_requirements(editor: Any, make_incident: Any) -> None:
    incident = make_incident(status="review", city=None, summary="")
    cite(incident)
    page = publish(editor_client(editor), incident, override_reason="x").content.decode()
    assert "The city is set" in page and "The public summary is written" in page
    assert status_of(incident) == "review"


def test_sent_back_with_a_reason_the_researcher_sees(
    editor: Any, researcher: Any, make_incident: Any
) -> None:
    incident = make_incident(status="review", created_by=researcher)
    c = editor_client(editor)
    url = reverse("staff:incident_transition", args=[incident.reference])
    refused = c.post(url, {"action": "send_back", "reason": " "})
    assert (
        refused.status_code == 400
        and "Say what the researcher should fix." in refused.content.decode()
    )
    c.post(url, {"action": "send_back", "reason": "The summary names the shelter."})
    assert status_of(incident) == "draft"
    r = Client()
    r.force_login(researcher)
    page = r.get(reverse("staff:incident_detail", args=[incident.reference])).content.decode()
    assert "The summary names the shelter." in page
    queue = r.get("/staff/?queue=sent_back")
    assert [i.pk for i in queue.context["page"]] == [incident.pk]
    assert "Sent back to me" in queue.content.decode()
    # Submitting again clears it.
    r.post(url, {"action": "submit"})
    incident.refresh_from_db()
    assert incident.status == "review" and not incident.sent_back_reason
    assert r.get("/staff/?queue=sent_back").context["page"].paginator.count == 0


def test_queues_and_their_counts_in_the_workspace_bar(
    editor: Any, researcher: Any, make_incident: Any
) -> None:
    make_incident(status="draft", created_by=researcher)
    make_incident(status="draft", assignee=researcher)
    make_incident(status="draft")
    make_incident(status="review", created_by=researcher)
    r = Client()
    r.force_login(researcher)
    bar = {q["label"]: q["count"] for q in r.get("/staff/").context["workspace_queues"]}
    assert bar == {"My drafts": 2, "Sent back to me": 0, "Tips assigned to me": 0}
    e = editor_client(editor)
    bar = {q["label"]: q["count"] for q in e.get("/staff/").context["workspace_queues"]}
    assert bar["Waiting for my review"] == 1
    assert e.get("/staff/?queue=review").context["page"].paginator.count == 1
