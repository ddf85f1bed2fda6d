"""Background tasks of the incidents app (huey; returnwatch/taskqueue.py)."""

from django.apps import apps
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import search, stats
from .models import Incident


@db_task(retries=1, retry_delay=5)
def recompute_statistics(lang: str) -> None:
    """The public statistics of one language, for the data as it is when the task runs."""
    stats.refresh(lang)


@db_periodic_task(crontab(minute="47", hour="2"))
def refresh_planner_statistics() -> None:
    """Every night: `stats.analyze()` (SQLite has no autovacuum to do it)."""
    stats.analyze()


@db_task(retries=2, retry_delay=10)
def reindex_term(model_label: str, pk: int) -> int:
    """Write again the search entries of every incident using this vocabulary term (its
    labels changed: signals.term_saved). Returns how many entries changed."""
    model = apps.get_model(model_label)
    ids: set[int] = set()
    for name in (*search.SINGLE_TERMS, *search.MULTI_TERMS):
        if Incident._meta.get_field(name).related_model is model:
            ids.update(Incident.objects.filter(**{name: pk}).values_list("pk", flat=True))
    return search.index(ids)
