"""Counting rules: statistics on a small hand-built set match numbers worked out by hand."""

import csv
import datetime as dt
import io

import pytest

from returnwatch.incidents import stats

pytestmark = pytest.mark.django_db


@pytest.fixture
def hand_built(make_incident):
    # 1: kidnapping of a child, 3 people, Reynosa, Jan 2020
    make_incident(
        types=["kidnapping"],
        groups=["child", "family"],
        city="reynosa",
        date=dt.date(2020, 1, 5),
        victims_count=3,
        nationalities=["hn", "gt"],
        perpetrators=["cartel"],
    )
    # 2: attempted kidnapping of an unaccompanied child + assault, 1 person, Reynosa, Jan 2020
    make_incident(
        types=["attempted-kidnapping", "assault"],
        groups=["unaccompanied-child"],
        city="reynosa",
        date=dt.date(2020, 1, 20),
        victims_count=1,
        nationalities=["hn"],
        perpetrators=["cartel", "mexican-police"],
    )
    # 3: kidnapping of a woman (not a child), 2 people, Matamoros, Mar 2020
    make_incident(
        types=["kidnapping"],
        groups=["woman"],
        city="matamoros",
        date=dt.date(2020, 3, 9),
        victims_count=2,
        nationalities=["sv"],
        program="mpp-2019",
    )
    # 4: extortion of a child (not a kidnapping), 4 people, no date
    make_incident(
        types=["extortion"],
        groups=["child"],
        city="matamoros",
        date=None,
        victims_count=4,
        program=None,
    )
    # not counted: a draft kidnapping of a child, a retracted one
    make_incident(types=["kidnapping"], groups=["child"], status="draft", victims_count=9)
    make_incident(types=["kidnapping"], groups=["child"], status="retracted", victims_count=9)


def rows(breakdown):
    return {r.code: r.count for r in breakdown.rows}


def test_totals_follow_the_counting_rules(hand_built):
    s = stats.compute()
    assert s.incidents == 4
    assert s.people == 3 + 1 + 2 + 4
    # incidents 1 and 2 only: kidnapping or attempted kidnapping AND child or unaccompanied child
    assert s.children_kidnapped_incidents == 2
    assert s.undated == 1


def test_an_incident_counts_once_under_each_of_its_values(hand_built):
    s = stats.compute()
    assert rows(s.breakdown("type")) == {
        "kidnapping": 2,
        "attempted-kidnapping": 1,
        "assault": 1,
        "extortion": 1,
    }
    assert rows(s.breakdown("group")) == {
        "child": 2,
        "family": 1,
        "unaccompanied-child": 1,
        "woman": 1,
    }
    assert rows(s.breakdown("nationality")) == {"hn": 2, "gt": 1, "sv": 1}
    assert rows(s.breakdown("perpetrator")) == {"cartel": 2, "mexican-police": 1}
    assert rows(s.breakdown("city")) == {"reynosa": 2, "matamoros": 2}
    assert rows(s.breakdown("program")) == {"mpp-2019": 3}


def test_monthly_counts_fill_gaps_and_run_up_to_the_dated_total(hand_built):
    s = stats.compute()
    assert [(m.month.isoformat(), m.count, m.running_total) for m in s.months] == [
        ("2020-01-01", 2, 2),
        ("2020-02-01", 0, 2),
        ("2020-03-01", 1, 3),
    ]


def test_statistics_page_shows_numbers_tables_charts_and_the_caveat(client, hand_built):
    page = client.get("/stats/").content.decode()
    assert "the true number of attacks is higher" in page
    assert page.count('class="timeline timeline-') == 2  # wide and narrow: one is shown
    assert page.count('class="bar-chart"') == 6  # six breakdowns
    assert "Kidnappings or attempted kidnappings of children" in page
    spanish = client.get("/es/stats/").content.decode()
    assert "Secuestro" in spanish and "Por tipo de violencia" in spanish


@pytest.mark.parametrize(
    "name", ["summary", "monthly", "type", "city", "perpetrator", "group", "nationality", "program"]
)
def test_every_table_downloads_as_csv(client, hand_built, name):
    response = client.get(f"/stats/{name}.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(table) >= 2


def test_csv_numbers_match_the_page(client, hand_built):
    table = list(csv.DictReader(io.StringIO(client.get("/stats/type.csv").content.decode())))
    assert {r["code"]: int(r["incidents"]) for r in table}["kidnapping"] == 2
    summary = dict(csv.reader(io.StringIO(client.get("/stats/summary.csv").content.decode())))
    assert summary["kidnappings_or_attempted_kidnappings_of_children"] == "2"


def test_unknown_table_is_a_404(client, db):
    assert client.get("/stats/nothing.csv").status_code == 404


def test_cached_statistics_change_when_a_case_is_published(make_incident):
    draft = make_incident(status="draft")
    assert stats.cached().incidents == 0
    draft.status = "published"
    draft.save()
    assert stats.cached().incidents == 1


def test_after_a_change_the_last_figures_are_served_marked_until_the_task_ran(
    client, make_incident, monkeypatch
):
    """While the facet index is being built, the recomputation is a task on the huey queue:
    until a worker ran it, the last complete figures are served saying from when; once it
    ran, they are current."""
    from returnwatch.incidents import facets
    from returnwatch.incidents.tasks import recompute_statistics

    monkeypatch.setattr(facets, "index", lambda **kw: None)  # being built

    make_incident()
    first = stats.figures()
    assert first.current and first.stats.incidents == 1
    queued: list[str] = []
    monkeypatch.setattr(stats, "can_defer", lambda: True)
    monkeypatch.setattr(stats, "_enqueue", queued.append)
    make_incident()
    served = stats.figures()
    assert not served.current and served.stats.incidents == 1  # old, and saying so
    assert served.computed_at == first.computed_at
    assert stats.figures().stats.incidents == 1 and queued == ["en"]  # queued once
    page = client.get("/stats/").content.decode()
    assert "new figures are being computed" in page
    recompute_statistics.call_local("en")  # what the worker runs
    now = stats.figures()
    assert now.current and now.stats.incidents == 2
    assert "new figures are being computed" not in client.get("/stats/").content.decode()


def test_with_the_index_a_change_is_in_the_figures_of_the_next_request(
    client, make_incident, monkeypatch
):
    """From the facet index the figures take milliseconds: computed in the request that
    first sees a change, so never stale and nothing queued."""
    make_incident()
    assert stats.figures().current
    monkeypatch.setattr(stats, "can_defer", lambda: True)
    monkeypatch.setattr(stats, "_enqueue", lambda lang: pytest.fail("queued"))
    make_incident(types=["kidnapping"], groups=["child"])
    now = stats.figures()
    assert now.current and now.stats.incidents == 2
    assert now.stats.children_kidnapped_incidents == 1
    assert "new figures are being computed" not in client.get("/stats/").content.decode()


def test_the_statistics_task_goes_through_the_queue_and_is_never_stale_after(
    make_incident, monkeypatch
):
    from huey.contrib.djhuey import HUEY

    from returnwatch.incidents import facets

    monkeypatch.setattr(facets, "index", lambda **kw: None)  # being built

    make_incident()
    assert stats.figures().stats.incidents == 1
    monkeypatch.setattr(stats, "can_defer", lambda: True)
    monkeypatch.setattr(HUEY, "immediate", True)  # the task runs as it is queued
    make_incident()
    stats.figures()  # queues the task, which computes for the data as it is now
    now = stats.figures()
    assert now.current and now.stats.incidents == 2
    # A change after the task ran is seen at the next request, never hidden.
    make_incident()
    stats.figures()
    assert stats.figures().stats.incidents == 3
