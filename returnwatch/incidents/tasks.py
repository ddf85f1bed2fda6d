"""Background tasks of the incidents app (huey; returnwatch/taskqueue.py)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import stats


@db_task(retries=1, retry_delay=5)
def recompute_statistics(lang: str) -> None:
    """The public statistics of one language, for the data as it is when the task runs."""
    stats.refresh(lang)


@db_periodic_task(crontab(minute="47", hour="2"))
def refresh_planner_statistics() -> None:
    """Every night: `stats.analyze()` (SQLite has no autovacuum to do it)."""
    stats.analyze()
