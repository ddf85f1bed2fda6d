"""Imports run on the background worker (huey): upload, queued, checked, imported; progress on
the import's page and its JSON; a reload or double click queues nothing twice; a failure
writes nothing, says why and keeps the file; another partner sees none of it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from huey.contrib.djhuey import HUEY

from returnwatch.audit.models import Entry
from returnwatch.imports import jobs, progress
from returnwatch.imports.importer import applying
from returnwatch.imports.models import ImportBatch
from returnwatch.incidents import bulkwrite
from returnwatch.incidents.models import Document, Incident

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def queue_only() -> Iterator[None]:
    """An in-memory queue whose tasks wait for a worker (below, `work()`)."""
    HUEY.immediate = True
    HUEY._immediate = False
    yield
    HUEY.immediate = True


def work() -> int:
    """What `manage.py run_huey` does with each queued task; how many it ran."""
    ran = 0
    while (task := HUEY.dequeue()) is not None:
        # In this thread, on the test's connection: as immediate mode runs a task, so djhuey
        # does not close the connection (and the test's transaction) around it.
        HUEY._immediate = True
        try:
            HUEY.execute(task)
        finally:
            HUEY._immediate = False
        ran += 1
    return ran


def spreadsheet(n: int, bad: bool = False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["ID", "Title", "Date", "City", "Type", "Source"])
    for i in range(n):
        city = "Atlantis" if bad and i == n - 1 else "Reynosa"
        writer.writerow(
            [f"j-{i}", f"Case {i}", f"2024-05-0{1 + i % 9}", city, "kidnapping",
             f"https://example.org/j/{i}"]
        )  # fmt: skip
    return out.getvalue().encode()


def upload(client: Any, data: bytes, capture: Any, name: str = "cases.csv") -> str:
    with capture(execute=True):
        response = client.post(
            reverse("staff:data_import"), {"file": SimpleUploadedFile(name, data)}
        )
    assert response.status_code == 302, response.content.decode()[-1500:]
    return str(response["Location"])


def mapping_form(client: Any, review: str) -> dict[str, str]:
    form = client.get(review).context["form"]
    return {f.html_name: f.value() or "" for f in form}


def test_the_worker_checks_then_imports_and_the_page_shows_its_progress(
    client: Any, researcher: Any, queue_only: None, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(researcher)
    review = upload(client, spreadsheet(12), django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    # Queued: nothing is checked in the request; the page says so and refreshes without JS.
    assert batch.state == "queued" and batch.job == "check" and HUEY.pending_count() == 1
    page = client.get(review).content.decode()
    assert "Waiting for the worker" in page and 'http-equiv="refresh"' in page
    assert "progress.js" in page and "data-poll=" in page
    status = client.get(reverse("staff:data_import_progress", args=[batch.pk])).json()
    assert status["busy"] and status["phase"] == "queued" and status["percent"] == 0
    assert work() == 1
    page = client.get(review).content.decode()
    assert "12 rows: 12 to create, 0 to update, 0 unchanged, 0 bad." in page
    assert 'http-equiv="refresh"' not in page and Incident.objects.count() == 0
    # The columns are offered in the file's order (kept as a list: jsonb reorders keys).
    labels = [f.label for f in client.get(review).context["form"] if f.name.startswith("col_")]
    assert labels == ["ID", "Title", "Date", "City", "Type", "Source"]
    # Import, pressed twice (a double click, then a reload of the POST): queued once.
    form = mapping_form(client, review)
    seen: list[tuple[str, int, int]] = []
    real = progress.report

    def spy(pk: int, phase: str, done: int, total: int) -> None:
        seen.append((phase, done, total))
        real(pk, phase, done, total)

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(review, {**form, "action": "apply"})
        again = client.post(review, {**form, "action": "apply"}, follow=True)
    assert first.status_code == 302
    assert "already under way" in again.content.decode()
    assert HUEY.pending_count() == 1
    # While it runs, the page and the JSON show how far it has come.
    batch.refresh_from_db()
    ImportBatch.objects.filter(pk=batch.pk).update(state="running")
    progress.report(batch.pk, "writing", 6, 12)
    status = client.get(reverse("staff:data_import_progress", args=[batch.pk])).json()
    assert status["phase"] == "writing" and status["percent"] == 75
    assert status["label"] == "Writing rows: 6 of 12"
    assert "Writing rows: 6 of 12" in client.get(review).content.decode()
    ImportBatch.objects.filter(pk=batch.pk).update(state="queued")
    applying.BATCH, batch_size = 5, applying.BATCH  # several batches, several reports
    try:
        progress.report = spy
        assert work() == 1
    finally:
        progress.report = real
        applying.BATCH = batch_size
    phases = [p for p, _d, _t in seen]
    assert phases[0] == "reading" and "checking" in phases and phases[-1] == "writing"
    assert [d for p, d, _t in seen if p == "writing"] == [0, 5, 10, 12]
    batch.refresh_from_db()
    assert batch.state == "applied" and not batch.file and batch.summary["create"] == 12
    assert Incident.objects.filter(status="draft", external_id__startswith="j-").count() == 12
    page = client.get(review).content.decode()
    assert "Imported: 12 created as drafts, 0 updated, 0 unchanged." in page
    assert "Done: 12 rows imported." in page and 'value="100"' in page
    # Nothing more can be queued for it: a reload of the form imports nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        late = client.post(review, {**form, "action": "apply"}, follow=True)
    assert "already applied" in late.content.decode() and HUEY.pending_count() == 0
    assert Incident.objects.count() == 12


def test_a_task_delivered_twice_runs_once(
    client: Any, researcher: Any, queue_only: None, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(researcher)
    upload(client, spreadsheet(3), django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    assert work() == 1
    jobs.run(batch.pk)  # the same task again, after it finished: nothing happens
    batch.refresh_from_db()
    assert batch.state == "uploaded" and batch.summary["create"] == 3


@pytest.mark.django_db(transaction=True)
def test_a_failure_half_way_writes_nothing_says_why_and_keeps_the_file(
    client: Any, researcher: Any, monkeypatch: Any
) -> None:
    client.force_login(researcher)
    documents, entries = Document.objects.count(), Entry.objects.count()
    response = client.post(
        reverse("staff:data_import"), {"file": SimpleUploadedFile("c.csv", spreadsheet(9))}
    )
    review = response["Location"]
    batch = ImportBatch.objects.get()
    assert batch.state == "uploaded"  # the check ran on the (immediate) worker
    # The worker dies after two batches of new incidents are written.
    monkeypatch.setattr(applying, "BATCH", 3)
    real, calls = bulkwrite.write_batch, []

    def failing(items: Any) -> None:
        calls.append(len(items))
        if len(calls) == 3:
            raise RuntimeError("disk full")
        real(items)

    monkeypatch.setattr(bulkwrite, "write_batch", failing)
    entries = Entry.objects.count()
    client.post(review, {**mapping_form(client, review), "action": "apply"})
    assert calls == [3, 3, 3]
    batch.refresh_from_db()
    assert batch.state == "failed" and batch.file
    assert Incident.objects.count() == 0 and Document.objects.count() == documents
    assert Entry.objects.count() == entries
    page = client.get(review).content.decode()
    assert "Nothing was imported: The worker stopped with an error (RuntimeError)." in page
    assert "Nothing of this import was written" in page
    # Fixed (here: the worker is well again), the same import runs to the end.
    monkeypatch.setattr(bulkwrite, "write_batch", real)
    client.post(review, {**mapping_form(client, review), "action": "apply"})
    batch.refresh_from_db()
    assert batch.state == "applied" and Incident.objects.count() == 9


def test_bad_rows_import_nothing_and_are_listed(
    client: Any, researcher: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(researcher)
    review = upload(client, spreadsheet(4, bad=True), django_capture_on_commit_callbacks)
    page = client.get(review).content.decode()
    assert "4 rows: 3 to create, 0 to update, 0 unchanged, 1 bad." in page
    assert "“Atlantis” is not a known city" in page
    form = mapping_form(client, review)
    form["col_0"] = ""  # a changed mapping: checked again by the worker, which refuses
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review, {**form, "action": "apply"})
    batch = ImportBatch.objects.get()
    assert batch.state == "uploaded" and Incident.objects.count() == 0
    assert "Nothing was imported: fix the bad rows first." in client.get(review).content.decode()


def test_the_size_cap_is_a_setting(client: Any, researcher: Any, settings: Any) -> None:
    assert settings.IMPORT_MAX_BYTES == 200 * 1024 * 1024
    settings.IMPORT_MAX_BYTES = 100
    client.force_login(researcher)
    page = client.post(
        reverse("staff:data_import"), {"file": SimpleUploadedFile("c.csv", spreadsheet(5))}
    ).content.decode()
    assert "The file is larger than 100\xa0bytes: split it." in page
    assert not ImportBatch.objects.exists()


def test_another_partner_sees_no_import_nor_its_progress(
    client: Any, researcher: Any, make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(researcher)
    review = upload(client, spreadsheet(2), django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    client.force_login(make_user("paula", "researcher", org="Partner shelter"))
    assert client.get(review).status_code == 404
    assert client.get(reverse("staff:data_import_progress", args=[batch.pk])).status_code == 404
    assert client.post(review, {"action": "apply"}).status_code == 404
    assert "cases.csv" not in client.get(reverse("staff:data_import")).content.decode()


def test_an_import_whose_worker_died_can_be_run_again(
    client: Any, researcher: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import time

    client.force_login(researcher)
    review = upload(client, spreadsheet(3), django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get()
    ImportBatch.objects.filter(pk=batch.pk).update(state="running", job="apply")
    progress.report(batch.pk, "writing", 1, 3)
    assert "Writing rows: 1 of 3" in client.get(review).content.decode()  # still running
    entry = progress.read(batch.pk)
    assert entry is not None
    entry["at"] = time.time() - jobs.STALE_SECONDS - 1
    progress._store().set(progress.KEY.format(pk=batch.pk), entry)
    page = client.get(review).content.decode()
    assert "Nothing was imported: the worker stopped before the end." in page
    batch.refresh_from_db()
    assert batch.state == "failed" and batch.file and Incident.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review, {**mapping_form(client, review), "action": "apply"})
    batch.refresh_from_db()
    assert batch.state == "applied" and Incident.objects.count() == 3
