"""Background tasks of the imports app (huey; returnwatch/taskqueue.py)."""

from huey.contrib.djhuey import db_task

from . import jobs


@db_task(retries=0)
def run_import(batch_id: int) -> None:
    """Check, and for the job "apply" write, one uploaded spreadsheet (imports/jobs.py)."""
    jobs.run(batch_id)
