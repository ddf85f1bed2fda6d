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
