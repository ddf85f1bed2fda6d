"""Stored files on S3-compatible object storage (django-storages), against moto's S3 server.

The test starts moto's server on a free port, makes a bucket with object lock, points
STORAGES["default"] at it through settings.object_storage (the same function the STORAGE_*
environment variables go through), and uploads, downloads and re-hashes a document the way staff do.
"""

from __future__ import annotations

import hashlib
import io
import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from returnwatch.audit import integrity
from returnwatch.incidents import files
from returnwatch.incidents.models import Document, DocumentKind
from returnwatch.settings import object_storage

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")
from botocore.exceptions import ClientError  # noqa: E402

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, settings: Any) -> Iterator[tuple[str, Any]]:
    name = f"rw-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **KEYS)
    client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    settings.STORAGE_OBJECT_LOCK_DAYS = 1
    settings.STORAGES = {
        **settings.STORAGES,
        "default": object_storage(
            {
                "STORAGE_BUCKET": name,
                "STORAGE_ENDPOINT_URL": s3_endpoint,
                "STORAGE_ACCESS_KEY": "testing",
                "STORAGE_SECRET_KEY": "testing",
                "STORAGE_REGION": "us-east-1",
            }
        ),
    }
    yield name, client
    # Locked versions cannot be deleted before their date; moto forgets them with the server.


@pytest.fixture
def rc(researcher: Any) -> Client:
    c = Client()
    c.force_login(researcher)
    return c


def upload_document(rc: Client, content: bytes, title: str = "Kidnappings rise") -> Any:
    data = {
        "kind": DocumentKind.objects.get(code="news").pk,
        "title": title,
        "publisher": "Example Daily",
        "url": f"https://example.org/news/{uuid.uuid4().hex[:6]}",
        "date_published": "2019-11-12",
        "language": "es",
        "summary": "Report on kidnappings of returned asylum seekers.",
        "file": SimpleUploadedFile("report.pdf", content, content_type="application/pdf"),
    }
    return rc.post(reverse("staff:document_create"), data)


def test_document_file_goes_to_the_bucket_and_downloads_with_its_hash(
    rc: Client, bucket: tuple[str, Any]
) -> None:
    name, client = bucket
    assert default_storage.__class__.__name__ == "LockedS3Storage"
    assert upload_document(rc, PDF).status_code == 302
    doc = Document.objects.get()
    digest = hashlib.sha256(PDF).hexdigest()
    assert doc.file.name == f"archive/{digest[:2]}/{digest}"

    # The object is in the bucket, under object lock until tomorrow.
    head = client.head_object(Bucket=name, Key=doc.file.name)
    assert head["ContentLength"] == len(PDF)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] is not None

    download = rc.get(reverse("staff:document_file", args=[doc.pk]))
    assert download.status_code == 200
    body = download.getvalue()
    assert hashlib.sha256(body).hexdigest() == doc.sha256 == digest
    assert files.verify(doc)


def test_stored_file_is_never_overwritten(rc: Client, bucket: tuple[str, Any]) -> None:
    name, client = bucket
    upload_document(rc, PDF)
    doc = Document.objects.get()

    # The same bytes again are refused by the app, and nothing new is written.
    again = upload_document(rc, PDF, title="Same bytes again")
    assert again.status_code == 200 and Document.objects.count() == 1
    versions = client.list_object_versions(Bucket=name, Prefix=doc.file.name)["Versions"]
    assert len(versions) == 1

    # Saving under a taken name gets another name; the stored object keeps its bytes.
    other = default_storage.save(doc.file.name, ContentFile(b"other bytes"))
    assert other != doc.file.name
    assert client.get_object(Bucket=name, Key=doc.file.name)["Body"].read() == PDF

    # The locked version cannot be deleted, even with the app's own keys.
    with pytest.raises(ClientError):
        client.delete_object(Bucket=name, Key=doc.file.name, VersionId=versions[0]["VersionId"])
    assert client.get_object(Bucket=name, Key=doc.file.name)["Body"].read() == PDF


def test_verify_integrity_rehashes_files_in_the_bucket(
    rc: Client, bucket: tuple[str, Any], tmp_path: Any
) -> None:
    name, client = bucket
    upload_document(rc, PDF)
    doc = Document.objects.get()
    other = default_storage.save(doc.file.name, ContentFile(b"other bytes"))  # no record names it

    problems, checked = integrity.verify_files()
    assert checked == 1
    assert [(p.kind, p.what) for p in problems] == [("unknown", other)]
    default_storage.delete(other)  # a delete marker: the locked version itself stays
    out = io.StringIO()
    call_command("verify_integrity", "--checkpoint", "", stdout=out)
    assert "1 files checked" in out.getvalue()

    # A newer version put over the archived one behind the app's back is reported, and the
    # locked original stays in the bucket to restore from.
    client.put_object(Bucket=name, Key=doc.file.name, Body=b"forged")
    with pytest.raises(CommandError, match="FAILED"):
        call_command("verify_integrity", "--checkpoint", "", stdout=io.StringIO())
    versions = client.list_object_versions(Bucket=name, Prefix=doc.file.name)["Versions"]
    original = [v for v in versions if not v["IsLatest"]][0]
    body = client.get_object(Bucket=name, Key=doc.file.name, VersionId=original["VersionId"])
    assert body["Body"].read() == PDF


def test_spreadsheets_waiting_for_import_are_not_locked_and_can_be_deleted(
    bucket: tuple[str, Any],
) -> None:
    name, client = bucket
    stored = default_storage.save("imports/abc123", ContentFile(b"title,narrative\n"))
    head = client.head_object(Bucket=name, Key=stored)
    assert "ObjectLockMode" not in head
    version = client.list_object_versions(Bucket=name, Prefix=stored)["Versions"][0]
    client.delete_object(Bucket=name, Key=stored, VersionId=version["VersionId"])
    assert not client.list_object_versions(Bucket=name, Prefix=stored).get("Versions")
