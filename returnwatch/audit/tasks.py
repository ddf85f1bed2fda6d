"""Background tasks of the audit app (huey; returnwatch/taskqueue.py)."""

from huey.contrib.djhuey import db_task

from . import bundles


@db_task(retries=0)
def build_bundle(job_id: int) -> None:
    """Prepare one incident's evidence bundle for its requester (audit/bundles.py)."""
    bundles.run(job_id)
