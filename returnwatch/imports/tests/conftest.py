from collections.abc import Iterator
from typing import Any

import pytest
from huey.contrib.djhuey import HUEY


@pytest.fixture(autouse=True)
def _tasks_in_memory(settings: Any, tmp_path: Any) -> Iterator[None]:
    """Tasks run where they are queued, from an in-memory queue (never the dev SQLite file),
    as the capture tests do; files go to a temporary media root."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was
