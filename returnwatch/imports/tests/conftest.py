from collections.abc import Iterator

import pytest
from huey.contrib.djhuey import HUEY


@pytest.fixture(autouse=True)
def _tasks_in_memory(settings, tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Tasks run where they are queued, from an in-memory queue (never the dev SQLite file),
    as the capture tests do; files go to a temporary media root."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was
