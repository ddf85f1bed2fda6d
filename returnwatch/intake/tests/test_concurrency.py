"""Two dozen tips at the same moment on a file-based SQLite database: all saved, whole.

Runs in a separate process so the database is a real file with WAL, IMMEDIATE transactions
and the busy timeout from settings (the test database of pytest-django is in memory).
The same file then shows that contacts are not stored in clear text.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings

N = 24


def test_two_dozen_simultaneous_tips_are_all_saved_and_contacts_encrypted(tmp_path: Path) -> None:
    db = tmp_path / "concurrent.sqlite3"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "RETURNWATCH_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    result = subprocess.run(
        [sys.executable, "-m", "returnwatch.intake.tests.concurrency_probe", str(N)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    summary: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["errors"] == []
    assert summary["tips"] == N and summary["distinct_receipts"] == N and summary["codes"] == N
    assert summary["attachments"] == N and summary["files"] == N
    # Encryption at rest: the database files hold no contact in clear text, though they
    # do hold clear fields (the positive control shows the scan reads real data).
    data = b"".join(p.read_bytes() for p in tmp_path.glob("concurrent.sqlite3*"))
    assert b"probe-src" in data
    assert b"CONTACT-MARK" not in data and b"narrative 1" not in data
    # No "database is locked" anywhere in the probe's output.
    assert "locked" not in result.stderr
