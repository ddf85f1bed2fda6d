"""Demo and synthetic data commands."""

import pytest
from django.core.management import call_command

from returnwatch import public
from returnwatch.incidents import search
from returnwatch.incidents.models import Citation, Incident, SearchEntry

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent_fictional_and_sourced_on_example_org():
    call_command("load_demo", count=40)
    first = Incident.objects.count()
    call_command("load_demo", count=40)
    assert Incident.objects.count() == first == 40
    assert not Incident.objects.filter(is_demo=False).exists()
    urls = set(Citation.objects.values_list("document__url", flat=True))
    assert urls and all(u.startswith("https://example.org/") for u in urls)
    assert (
        public.incidents().filter(title__icontains="fictional").count()
        + public.incidents().filter(title__icontains="ficticio").count()
        == public.incidents().count()
    )


def test_load_demo_if_empty_leaves_an_existing_database_alone(make_incident):
    make_incident()
    call_command("load_demo", if_empty=True)
    assert Incident.objects.count() == 1


def test_generate_incidents_is_deterministic_and_indexed():
    call_command("generate_incidents", count=300, seed=5)
    titles = list(Incident.objects.order_by("id").values_list("title", flat=True))
    assert SearchEntry.objects.count() == 300
    # The bulk path writes the same index text as a normal save would.
    sample = Incident.objects.order_by("id")[7]
    assert SearchEntry.objects.get(incident=sample).public == search.texts(sample)[0]
    assert (
        search.filter_text(Incident.objects.all(), sample.title.split()[-1])
        .filter(pk=sample.pk)
        .exists()
    )
    Incident.objects.all().delete()
    call_command("generate_incidents", count=300, seed=5)
    assert list(Incident.objects.order_by("id").values_list("title", flat=True)) == titles
    assert len(set(Incident.objects.values_list("reference", flat=True))) == 300


def _analyzed_tables() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname FROM pg_stat_user_tables "
                "WHERE last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL"
            )
        else:
            cursor.execute("SELECT tbl FROM sqlite_stat1")
        return {row[0] for row in cursor.fetchall()}


def test_a_bulk_load_and_the_nightly_task_leave_planner_statistics():
    """Without them SQLite reads a page of incidents by id through the status index (every
    published row): stats.analyze runs after generate_incidents and every night."""
    from returnwatch.incidents.tasks import refresh_planner_statistics

    call_command("generate_incidents", count=20, seed=5)
    assert "incidents_incident" in _analyzed_tables()
    from django.db import connection

    if connection.vendor == "sqlite":  # forget them, and the task makes them again
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1")
        assert not _analyzed_tables()
    refresh_planner_statistics.call_local()
    assert "incidents_incident" in _analyzed_tables()
