"""Background tasks of the evidence app (huey; returnwatch/taskqueue.py)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import capture, fixity


# A busy database can refuse the claim; the task is tried again, and the claim makes a run
# after a successful one do nothing.
@db_task(retries=3, retry_delay=2)
def capture_page(capture_id: int) -> None:
    capture.run(capture_id)


@db_periodic_task(crontab(minute="17", hour="3"))
def fixity_check() -> None:
    """Every night: re-hash every stored capture file; changes go to the log and the admins."""
    fixity.report(fixity.check())
