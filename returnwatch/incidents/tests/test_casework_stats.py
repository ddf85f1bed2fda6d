"""Case-handling statistics for staff: numbers equal hand-made data, a partner sees only its
own organization's, and each table downloads as CSV."""

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import verified_login
from returnwatch.audit import log
from returnwatch.audit.actions import Action
from returnwatch.incidents import casework_stats
from returnwatch.incidents.models import Incident
from returnwatch.intake import submissions
from returnwatch.intake.models import Tip, TipStatus

pytestmark = pytest.mark.django_db


def _tip(days_ago: float, **data: Any) -> Tip:
    data.setdefault("narrative", "They were kidnapped at the bus station after crossing.")
    tip, _code = submissions.create_tip(data, ())
    Tip.objects.filter(pk=tip.pk).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    tip.refresh_from_db()
    return tip


def _case(make_incident: Any, status: str, created_days_ago: float, **kw: Any) -> Incident:
    published_after = kw.pop("published_after", None)
    incident = make_incident(status=status, **kw)
    created = timezone.now() - dt.timedelta(days=created_days_ago)
    Incident.objects.filter(pk=incident.pk).update(
        created_at=created,
        published_at=created + dt.timedelta(days=published_after)
        if published_after is not None
        else None,
    )
    return incident


@pytest.fixture
def world(make_user: Any, make_incident: Any) -> dict[str, Any]:
    lead = make_user("lena", "editor")
    rita = make_user("rita", "researcher")
    paula = make_user("paula", "researcher", org="Partner P")
    pablo = make_user("pablo", "researcher", org="Partner P")
    # Tips: triaged after 0.5, 3 and 10 days; one waits. One is the partner's (assigned).
    tips = [_tip(0.5), _tip(3), _tip(10), _tip(40)]
    log.record(lead, Action.TIP_ASSIGN, tips[0], ["assignee"])
    Tip.objects.filter(pk=tips[1].pk).update(status=TipStatus.REVIEW)
    log.record(lead, Action.tip_status(TipStatus.REVIEW), tips[1], ["status"])
    log.record(lead, Action.TIP_NOTE, tips[2], ["text"], about=tips[2])
    Tip.objects.filter(pk=tips[3].pk).update(assignee=paula)
    lead_org = lead.organization
    partner_org = paula.organization
    # Cases: the lead's published after 2 and 20 days, a draft, a review; the partner's.
    _case(make_incident, "published", 30, organization=lead_org, assignee=rita, published_after=2)
    _case(make_incident, "published", 60, organization=lead_org, assignee=rita, published_after=20)
    _case(make_incident, "draft", 5, organization=lead_org, assignee=lead)
    _case(make_incident, "review", 5, organization=lead_org)
    _case(make_incident, "published", 100, organization=partner_org, assignee=paula,
          published_after=45, title="Partner-only case")  # fmt: skip
    _case(make_incident, "draft", 1, organization=partner_org, assignee=pablo)
    return {"lead": lead, "rita": rita, "paula": paula, "tips": tips}


def _rows(figures: Any, name: str) -> dict[str, int]:
    return {r.label: r.count for r in figures.breakdown(name).rows}


def test_the_lead_sees_every_organizations_figures(world: dict[str, Any]) -> None:
    f = casework_stats.compute(world["lead"])
    assert (f.tips, f.tips_untriaged, f.incidents) == (4, 1, 6)
    assert f.triage.count == 3 and f.triage.waiting == 1
    assert f.triage.median_days == pytest.approx(3, abs=0.01)
    assert f.triage.mean_days == pytest.approx((0.5 + 3 + 10) / 3, abs=0.01)
    assert f.triage.longest_days == pytest.approx(10, abs=0.01)
    assert {r.label: r.count for r in f.triage.bands.rows} == {
        "Within a day": 1, "1 to 7 days": 1, "8 to 30 days": 1,
        "31 to 90 days": 0, "More than 90 days": 0,
    }  # fmt: skip
    assert f.publication.count == 3 and f.publication.waiting == 3  # 2 drafts, 1 review
    assert f.publication.median_days == pytest.approx(20)
    assert f.publication.mean_days == pytest.approx((2 + 20 + 45) / 3)
    assert _rows(f, "status") == {"Draft": 2, "In review": 1, "Published": 3, "Retracted": 0}
    assert _rows(f, "researcher") == {"rita": 2, "lena": 1, "paula": 1, "pablo": 1,
                                      "Unassigned": 1}  # fmt: skip
    assert _rows(f, "organization") == {"Lead organization": 4, "Partner P": 2}
    assert _rows(f, "tip-status")["In review"] == 1
    assert sum(m.count for m in f.tip_months) == 4 and f.tip_months[-1].running_total == 4


def test_a_partner_sees_only_its_own_organizations_figures(world: dict[str, Any]) -> None:
    f = casework_stats.compute(world["paula"])
    assert (f.tips, f.tips_untriaged, f.incidents) == (1, 1, 2)  # the tip assigned to her
    assert f.triage.count == 0 and f.triage.median_days is None
    assert f.publication.count == 1 and f.publication.median_days == pytest.approx(45)
    assert _rows(f, "organization") == {"Partner P": 2}
    assert _rows(f, "researcher") == {"paula": 1, "pablo": 1}
    assert _rows(f, "status") == {"Draft": 1, "In review": 0, "Published": 1, "Retracted": 0}


def test_the_page_is_linked_from_the_workspace_bar_and_shows_tables(
    client: Client, world: dict[str, Any]
) -> None:
    client.force_login(world["paula"])
    home = client.get("/staff/").content.decode()
    assert 'href="/staff/casework/"' in home
    html = client.get("/staff/casework/").content.decode()
    assert "Case-handling statistics" in html
    assert 'class="bar-chart"' in html and "timeline" in html  # the public charts' helpers
    assert "Partner P" in html and "Lead organization" not in html
    assert "rita" not in html and "lena" not in html
    assert 'href="/staff/casework/organization.csv"' in html


def _csv(client: Client, name: str) -> list[list[str]]:
    response = client.get(f"/staff/casework/{name}.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"returnwatch-casework-{name}.csv" in response["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_each_table_downloads_as_csv(client: Client, world: dict[str, Any]) -> None:
    verified_login(client, world["lead"])
    summary = dict(_csv(client, "summary")[1:])
    assert summary["tips_received"] == "4" and summary["cases"] == "6"
    assert summary["triage_median_days"] == "3.0"
    assert summary["publication_median_days"] == "20.0"
    assert summary["publication_waiting"] == "3"
    orgs = _csv(client, "organization")
    assert orgs[0] == ["code", "label", "cases"]
    assert [r[1:] for r in orgs[1:]] == [["Lead organization", "4"], ["Partner P", "2"]]
    assert _csv(client, "status")[1:] == [
        ["draft", "Draft", "2"], ["review", "In review", "1"],
        ["published", "Published", "3"], ["retracted", "Retracted", "0"],
    ]  # fmt: skip
    assert _csv(client, "triage")[1] == ["Within a day", "1"]
    months = _csv(client, "tips-monthly")
    assert months[0] == ["month", "tips", "running_total"] and months[-1][2] == "4"
    assert client.get("/staff/casework/nonsense.csv").status_code == 404


def test_only_staff_reach_the_statistics(client: Client, make_user: Any) -> None:
    assert client.get("/staff/casework/").status_code == 302
    client.force_login(make_user("visitor"))
    assert client.get("/staff/casework/").status_code == 403
    assert client.get("/staff/casework/summary.csv").status_code == 403
