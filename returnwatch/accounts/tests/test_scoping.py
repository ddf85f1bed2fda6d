"""Partner organizations see published records and their own work; role changes are recorded."""

from typing import Any

import pytest

from conftest import verified_login
from returnwatch import access
from returnwatch.accounts.models import Organization
from returnwatch.audit.models import Entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(make_incident: Any, make_user: Any) -> dict[str, Any]:
    lead = Organization.objects.get_or_create(name="Lead organization", defaults={"is_lead": True})[
        0
    ]
    partner = Organization.objects.create(name="Partner A")
    other = Organization.objects.create(name="Partner B")
    return {
        "published": make_incident(title="published", organization=lead),
        "retracted": make_incident(title="retracted", status="retracted", organization=lead),
        "lead_draft": make_incident(title="lead draft", status="draft", organization=lead),
        "own_draft": make_incident(title="own draft", status="draft", organization=partner),
        "own_review": make_incident(title="own review", status="review", organization=partner),
        "other_draft": make_incident(title="other draft", status="draft", organization=other),
    }


def titles(user: Any) -> set[str]:
    return set(access.visible_incidents(user).values_list("title", flat=True))


def test_lead_users_see_everything(cases: Any, researcher: Any) -> None:
    assert titles(researcher) == {c.title for c in cases.values()}


def test_partner_users_see_published_and_their_own(cases: Any, make_user: Any) -> None:
    partner_user = make_user("paula", "researcher", org="Partner A")
    # Another organization's retracted record is withdrawn: partners see only its public page.
    assert titles(partner_user) == {"published", "own draft", "own review"}
    assert access.may(partner_user, "read_restricted", cases["own_draft"])
    assert not access.may(partner_user, "read_restricted", cases["published"])
    assert not access.may(partner_user, "read_restricted", cases["other_draft"])


def test_users_without_role_or_org(cases: Any, make_user: Any) -> None:
    nobody = make_user("noone", "")
    assert titles(nobody) == set()
    loner = make_user("lone", "researcher", org="Partner C")
    loner.organization = None
    assert titles(loner) == {"published"}


def test_visible_tips_hook(make_user: Any, researcher: Any) -> None:

    partner_user = make_user("paula", "researcher", org="Partner A")
    qs = access.visible_tips(partner_user)
    assert "assignee" in str(qs.query)
    assert access.visible_tips(researcher).query.where.children == []


def test_role_changes_are_recorded(client: Any, site_admin: Any, make_user: Any) -> None:
    user = make_user("rosa", "researcher")
    assert Entry.objects.filter(action="user_created", target_id=str(user.pk)).exists()
    verified_login(client, site_admin)
    data = {
        "username": "rosa",
        "email": "rosa@example.org",
        "role": "editor",
        "organization": user.organization_id,
        "is_active": "on",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    entry = Entry.objects.get(action="role_changed", target_id=str(user.pk))
    assert entry.actor == site_admin
    assert entry.fields == ["role"]
    assert entry.note == "role researcher -> editor"
    # Changes made elsewhere are recorded too.
    user.refresh_from_db()
    user.is_active = False
    user.save()
    assert Entry.objects.filter(action="role_changed", fields=["is_active"]).exists()
