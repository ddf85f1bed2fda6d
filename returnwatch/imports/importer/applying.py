"""Applying: the plan written in one transaction, only if no row is bad (all or nothing).

New incidents are drafts of the user's organization, written by the one bulk writer
(incidents/bulkwrite.py, shared with `generate_incidents`); rows that change a record go
through `save()`. Source addresses become documents (an existing one the user may see is
reused), each creation and change is recorded in the change history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils.translation import gettext as _

from returnwatch import access
from returnwatch.audit import log
from returnwatch.audit.actions import Action
from returnwatch.incidents import bulkwrite, search
from returnwatch.incidents.models import Citation, Document, DocumentKind, Incident, Status, Tag

from .fields import DEFAULTS, Options, chunks
from .planning import Report, RowPlan

BATCH = 2000


class NotApplied(Exception):
    """The plan has bad rows: nothing was written."""


def apply(
    report: Report,
    user: Any,
    options: Options | None = None,
    note: str = "",
    progress: Callable[[int], None] | None = None,
) -> Report:
    """Write the plan in one transaction: every row or none. New incidents are drafts.
    `progress(n)` is told how many rows are written so far (in steps of a batch)."""
    options = options or Options()
    if not report.ok:
        raise NotApplied(report.describe())
    if report.creates and not access.may(user, "create", Incident):
        raise PermissionDenied(_("Your account has no organization: an admin gives it one."))
    kind = DocumentKind.objects.get(code=options.document_kind)
    creates = [p for p in report.plans if p.action == "create"]
    updates = [p for p in report.plans if p.action == "update"]
    done = report.unchanged
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One import at a time: the documents and tags it makes are looked up first.
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(7242006)")
        documents = _documents_for(
            {u for p in report.plans if p.action != "unchanged" for u in p.sources}, kind, user
        )
        for batch in chunks(creates, BATCH):
            _create(batch, user, documents, note)
            done += len(batch)
            if progress is not None:
                progress(done)
        for i, p in enumerate(updates, start=1):
            _update(p, user, documents, note)
            if progress is not None and (i % 200 == 0 or i == len(updates)):
                progress(done + i)
    report.applied = True
    return report


def _documents_for(urls: set[str], kind: DocumentKind, user: Any) -> dict[str, Document]:
    """Documents for source URLs: the existing one with that address, else a new one."""
    found: dict[str, Document] = {}
    for chunk in chunks(sorted(urls), 500):
        # Only documents the user may see are reused: another organization's document with
        # the same address must not become citable (or readable) through an import.
        for doc in access.visible_documents(user).filter(url__in=chunk).order_by("pk"):
            found.setdefault(doc.url, doc)
    # New documents have no library item yet, so no save signal has work to do: one insert.
    new = Document.objects.bulk_create(
        [
            Document(kind=kind, title=url[:300], url=url, created_by=user, summary="")
            for url in sorted(urls - set(found))
        ],
        batch_size=1000,
    )
    _record_many(
        user, [(Action.CREATE, doc, ["kind", "title", "url"], doc) for doc in new], "import"
    )
    found.update({doc.url: doc for doc in new})
    return found


def _record_many(user: Any, items: Sequence[tuple[str, Any, list[str], Any]], note: str) -> None:
    """Append many entries to the change history (`audit.log.chain`) in one statement.
    Items are (action, target, fields, about)."""
    if items:
        bulkwrite.insert(log.chain(user, items, note))


def _create(batch: list[RowPlan], user: Any, documents: dict[str, Document], note: str) -> None:
    tags = _tags({t for p in batch for t in (p.tags or [])})
    items = [
        bulkwrite.NewIncident(
            Incident(
                status=Status.DRAFT,
                created_by=user,
                organization=getattr(user, "organization", None),
                **p.values,
            ),
            multi=p.multi,
            tags=[tags[t] for t in p.tags or []],
            documents=[documents[url] for url in p.sources],
        )
        for p in batch
    ]
    bulkwrite.write_batch(items)
    entries = []
    for item, p in zip(items, batch, strict=True):
        p.incident_id, p.reference = item.incident.pk, item.incident.reference
        fields = [n for n, v in p.values.items() if v not in (None, "", DEFAULTS.get(n))]
        fields += [n for n, terms in p.multi.items() if terms]
        if p.tags:
            fields.append("tags")
        if p.sources:
            fields.append("citations")
        entries.append((Action.CREATE, item.incident, fields, item.incident))
    _record_many(user, entries, note or "import")


def _tags(names: set[str]) -> dict[str, Tag]:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in sorted(names - set(existing))]
    if missing:
        Tag.objects.bulk_create(missing)
        existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    return existing


def _update(p: RowPlan, user: Any, documents: dict[str, Document], note: str) -> None:
    assert p.incident_id is not None  # an update plan names its record
    incident = Incident.objects.select_for_update().get(pk=p.incident_id)
    if incident.status in (Status.PUBLISHED, Status.RETRACTED):
        raise NotApplied(_("%(ref)s was published meanwhile.") % {"ref": incident.reference})
    for name in p.changed:
        if name in p.values:
            setattr(incident, name, p.values[name])
    incident.save()
    for name, terms in p.multi.items():
        if name in p.changed:
            getattr(incident, name).set(terms)
    if p.tags is not None and "tags" in p.changed:
        incident.tags.set(list(_tags(set(p.tags)).values()))
    for url in p.sources:
        Citation.objects.get_or_create(incident=incident, document=documents[url])
    search.index([incident.pk])
    log.record(user, Action.UPDATE, incident, p.changed, note=note or "import", about=incident)
