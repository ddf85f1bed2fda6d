"""The evidence bundle: archived files, their hashes and the incident's history, staff only.
It is prepared on the worker (test_bundle_jobs.py); here, the zip its Download button gives."""

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from conftest import verified_login
from returnwatch.audit.log import record
from returnwatch.audit.models import Entry

from .helpers import archived_document, cite, download_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(media: Path, tasks_in_memory: None, make_incident: Any, researcher: Any) -> Any:
    incident = make_incident(narrative="NARRATIVE-SECRET-7731")
    record(researcher, "create", incident, fields=["title", "narrative"])
    first = archived_document(b"%PDF report one", researcher, title="NGO report")
    second = archived_document(b"news story two", researcher, title="News story")
    cite(incident, first, researcher)
    cite(incident, second, researcher)
    archived_document(b"unrelated", researcher, title="Not cited")
    return incident


def test_bundle_holds_files_manifest_and_history(
    client: Any, case: Any, researcher: Any, django_capture_on_commit_callbacks: Any
) -> None:
    verified_login(client, researcher)
    response = download_bundle(client, case, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    z = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(z.read("manifest.json"))
    assert manifest["incident"]["reference"] == case.reference
    assert {f["title"] for f in manifest["files"]} == {"NGO report", "News story"}
    for f in manifest["files"]:
        data = z.read(f["path"])
        assert hashlib.sha256(data).hexdigest() == f["sha256"]
        assert f["size"] == len(data)
        assert f["captured_by"] == "rita" and f["captured_at"]
        assert f["source_url"] == "https://news.example.org/story"
        assert f["sha256_matches_record"] is True
    sums = z.read("SHA256SUMS").decode().splitlines()
    assert len(sums) == 2
    actions = [(h["action"], h["record"].split(":")[0]) for h in manifest["history"]]
    assert ("create", "incidents.incident") in actions
    assert ("create", "incidents.citation") in actions
    assert ("create", "incidents.document") in actions
    # The history names fields, never values.
    assert "NARRATIVE-SECRET-7731" not in z.read("manifest.json").decode()
    # The download itself is recorded.
    assert Entry.objects.filter(action="evidence_bundle", target_id=str(case.pk)).exists()


def test_bundle_flags_a_file_that_changed(
    client: Any, case: Any, media: Path, researcher: Any, django_capture_on_commit_callbacks: Any
) -> None:
    doc = case.citations.first().document
    path = Path(media, doc.file.name)
    path.chmod(0o644)
    path.write_bytes(b"tampered")
    verified_login(client, researcher)
    response = download_bundle(client, case, django_capture_on_commit_callbacks)
    z = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    files = {f["document_id"]: f for f in json.loads(z.read("manifest.json"))["files"]}
    assert files[doc.pk]["sha256_matches_record"] is False


def test_bundle_is_for_staff_who_may_see_the_case(client: Any, case: Any, make_user: Any) -> None:
    for url in (
        f"/staff/incidents/{case.reference}/evidence.zip",
        f"/staff/incidents/{case.reference}/evidence/",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/staff/login/" in response["Location"]
    assert client.post(f"/staff/incidents/{case.reference}/evidence/").status_code == 302
    partner = make_user("paula", "researcher", org="Partner A")
    verified_login(client, partner)
    for url in (
        f"/staff/incidents/{case.reference}/evidence.zip",
        f"/staff/incidents/{case.reference}/evidence/",
    ):
        # Published, but not theirs: no restricted files, and nothing to prepare.
        assert client.get(url).status_code == 404
        assert client.post(url).status_code in (404, 405)
    assert client.get("/staff/incidents/RW-1999-99999/evidence.zip").status_code == 404
    assert not case.bundle_jobs.exists()


def test_bundle_history_signatures_check_offline_with_its_public_key(
    client: Any, case: Any, researcher: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import base64

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    verified_login(client, researcher)
    response = download_bundle(client, case, django_capture_on_commit_callbacks)
    z = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(z.read("manifest.json"))
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(manifest["audit_public_key"]))
    assert manifest["history"]
    for h in manifest["history"]:
        signature = base64.b64decode(h["signature"].split(":", 1)[1])
        key.verify(signature, b"returnwatch audit entry\n" + h["hash"].encode())  # raises if not
