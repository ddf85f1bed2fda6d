"""Evidence bundles are prepared on the background worker (huey): Prepare queues one job (a
reload or double click queues nothing twice), the job page shows the documents added of all
and then Download; the zip is what evidence.build() makes for the requester; only the
requester downloads it, only while they may read the incident's restricted parts; a failure
says why."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation
from huey.contrib.djhuey import HUEY

from conftest import verified_login
from returnwatch.audit import bundles, evidence
from returnwatch.audit.log import record
from returnwatch.audit.models import BundleJob, Entry

from .helpers import DOWNLOAD, archived_document, cite, prepare_bundle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def queue_only(tasks_in_memory: None) -> Iterator[None]:
    """An in-memory queue whose tasks wait for a worker (below, `work()`)."""
    HUEY._immediate = False
    yield
    HUEY.immediate = True


def work() -> int:
    """What `manage.py run_huey` does with each queued task (as imports/tests/test_jobs.py)."""
    ran = 0
    while (task := HUEY.dequeue()) is not None:
        HUEY._immediate = True
        try:
            HUEY.execute(task)
        finally:
            HUEY._immediate = False
        ran += 1
    return ran


@pytest.fixture
def case(tasks_in_memory: None, make_incident: Any, researcher: Any) -> Any:
    incident = make_incident(narrative="NARRATIVE-SECRET-7731")
    record(researcher, "create", incident, fields=["title", "narrative"])
    for content, title in ((b"%PDF report one", "NGO report"), (b"news two", "News story")):
        cite(incident, archived_document(content, researcher, title=title), researcher)
    return incident


def zip_of(data: bytes) -> tuple[list[str], dict[str, Any], dict[str, bytes]]:
    z = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(z.read("manifest.json"))
    manifest.pop("generated_at")
    return z.namelist(), manifest, {n: z.read(n) for n in z.namelist() if n != "manifest.json"}


def test_prepare_queues_one_job_the_worker_builds_and_download_gives_the_zip(
    client: Any,
    case: Any,
    researcher: Any,
    queue_only: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    verified_login(client, researcher)
    job_page = prepare_bundle(client, case, django_capture_on_commit_callbacks)
    # A reload of the form, a double click: the same job, nothing more queued.
    assert prepare_bundle(client, case, django_capture_on_commit_callbacks) == job_page
    assert BundleJob.objects.filter(incident=case).count() == 1
    job = BundleJob.objects.get()
    assert job.status == "queued"
    html = client.get(job_page).content.decode()
    assert "Waiting for the worker…" in html
    assert 'http-equiv="refresh"' in html and "data-poll=" in html  # without JS, and with
    assert "Prepare" not in re.sub(r"<h1.*?</h1>", "", html, flags=re.S).split("</section>")[1]
    assert not DOWNLOAD.search(html)
    poll = client.get(f"{job_page}progress.json").json()
    assert poll["busy"] is True and poll["phase"] == "queued"

    assert work() == 1  # one task for two clicks
    # What build() makes for the requester now (before the download adds its own entry).
    expected = zip_of(evidence.build(case, researcher).read())
    job.refresh_from_db()
    assert job.status == "done" and job.size and len(job.sha256) == 64 and job.finished_at
    assert job.file.name.startswith("bundles/")
    poll = client.get(f"{job_page}progress.json").json()
    assert (poll["busy"], poll["done"], poll["total"], poll["percent"]) == (False, 2, 2, 100)
    html = client.get(job_page).content.decode()
    assert "Ready: 2 documents." in html and job.sha256 in html
    assert 'http-equiv="refresh"' not in html
    before = Entry.objects.filter(action="evidence_bundle").count()
    response = client.get(DOWNLOAD.search(html).group(1))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    assert f"{case.reference}-evidence.zip" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert len(data) == job.size
    # Exactly what build() makes for the requester: the same names, files and manifest.
    assert zip_of(data) == expected
    assert expected[0][0].startswith("files/") and len(expected[1]["files"]) == 2
    assert Entry.objects.filter(action="evidence_bundle").count() == before + 1
    # Coming back: the old address and the change history lead to the same job.
    assert client.get(f"/staff/incidents/{case.reference}/evidence.zip").url.endswith(
        f"/staff/incidents/{case.reference}/evidence/"
    )
    assert client.get(f"/staff/incidents/{case.reference}/evidence/").url == job_page
    assert job_page in client.get(f"/staff/audit/?incident={case.reference}").content.decode()


def test_prepare_again_replaces_the_stored_zip(
    client: Any, case: Any, researcher: Any, django_capture_on_commit_callbacks: Any
) -> None:
    verified_login(client, researcher)
    first = prepare_bundle(client, case, django_capture_on_commit_callbacks)
    old = BundleJob.objects.get()
    second = prepare_bundle(client, case, django_capture_on_commit_callbacks)
    assert first != second
    old.refresh_from_db()
    assert not old.file
    assert "replaced by a newer one" in client.get(first).content.decode()
    assert DOWNLOAD.search(client.get(second).content.decode())


def test_only_the_requester_sees_or_downloads_the_bundle(
    client: Any, case: Any, researcher: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    verified_login(client, researcher)
    job_page = prepare_bundle(client, case, django_capture_on_commit_callbacks)
    download = DOWNLOAD.search(client.get(job_page).content.decode()).group(1)
    colleague = make_user("carl", "researcher")  # same organization, may read the case
    partner = make_user("paula", "researcher", org="Partner A")
    for user in (colleague, partner):
        client.logout()
        verified_login(client, user)
        for url in (job_page, f"{job_page}progress.json", download):
            assert client.get(url).status_code == 404, (user, url)
    assert Entry.objects.filter(action="evidence_bundle").count() == 0


def test_download_stops_when_the_requester_may_no_longer_read_the_case(
    client: Any,
    tasks_in_memory: None,
    make_incident: Any,
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from returnwatch.accounts.models import Organization

    paula = make_user("paula", "researcher", org="Partner A")
    case = make_incident(organization=paula.organization)
    verified_login(client, paula)
    job_page = prepare_bundle(client, case, django_capture_on_commit_callbacks)
    download = DOWNLOAD.search(client.get(job_page).content.decode()).group(1)
    lead, _ = Organization.objects.get_or_create(name="Lead organization", is_lead=True)
    type(case).objects.filter(pk=case.pk).update(organization=lead)
    assert client.get(download).status_code == 404
    assert client.get(job_page).status_code == 404


def test_the_worker_refuses_a_requester_who_lost_access_meanwhile(
    client: Any,
    queue_only: None,
    make_incident: Any,
    make_user: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    paula = make_user("paula", "researcher", org="Partner A")
    case = make_incident(organization=paula.organization)
    verified_login(client, paula)
    prepare_bundle(client, case, django_capture_on_commit_callbacks)
    type(case).objects.filter(pk=case.pk).update(organization=None)
    assert work() == 1
    job = BundleJob.objects.get()
    assert (job.status, job.file.name) == ("failed", "")
    assert job.error == "You may no longer read this incident's restricted parts."


def test_a_failure_shows_the_reason_and_may_be_prepared_again(
    client: Any,
    case: Any,
    researcher: Any,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(evidence, "build", broken)
    verified_login(client, researcher)
    job_page = prepare_bundle(client, case, django_capture_on_commit_callbacks)
    html = client.get(job_page).content.decode()
    assert "The worker stopped with an error (RuntimeError)." in html
    assert "Failed." in html and not DOWNLOAD.search(html)
    assert "Prepare it again" in html
    monkeypatch.undo()
    again = prepare_bundle(client, case, django_capture_on_commit_callbacks)
    assert again != job_page and DOWNLOAD.search(client.get(again).content.decode())


def test_a_job_whose_worker_died_is_failed_after_a_while(
    client: Any,
    case: Any,
    researcher: Any,
    queue_only: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    import datetime as dt

    from django.utils import timezone

    verified_login(client, researcher)
    job_page = prepare_bundle(client, case, django_capture_on_commit_callbacks)
    job = BundleJob.objects.get()
    started = timezone.now() - dt.timedelta(seconds=bundles.STALE_SECONDS + 5)
    BundleJob.objects.filter(pk=job.pk).update(status="running", started_at=started)
    bundles.PROGRESS.clear(job.pk)
    html = client.get(job_page).content.decode()
    assert "The worker stopped before the end." in html
    assert "Prepare it again" in html
