"""Write to the hash-chained change history. Call inside the transaction that makes the change."""

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from . import checkpoint, signing
from .actions import Action, check
from .models import Entry

GENESIS = "0" * 64


def _head() -> tuple[int, str]:
    """The last entry's number and hash, holding the writers' lock on PostgreSQL.

    Call inside a transaction: the lock (and SQLite's immediate transactions) serialise
    writers so the chain never forks.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(7242001)")
    last = Entry.objects.order_by("-seq").values_list("seq", "hash").first()
    return last if last else (0, GENESIS)


def _entry(
    actor: Any, action: Action | str, target: Any, fields: Iterable[str], note: str, about: Any
) -> Entry:
    known = check(action)
    user = actor if getattr(actor, "is_authenticated", False) else None
    about_obj = about if about is not None else target
    return Entry(
        created_at=timezone.now(),
        actor=user,
        actor_name=user.get_username() if user else (actor[:150] if isinstance(actor, str) else ""),
        action=known.value,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_label=str(getattr(target, "audit_label", "") or "")[:200],
        fields=sorted(set(fields)),
        note=note[:500],
        about=key(about_obj) if about_obj is not None else "",
    )


def _link(entries: list[Entry], seq: int, prev: str) -> list[Entry]:
    """Number and chain, and sign the last: its signature covers every entry before it back
    to the previous signed one, through the hashes (a bulk import signs once, not per row).
    The checkpoint outside the database follows once committed."""
    for entry in entries:
        seq += 1
        entry.seq = seq
        entry.prev_hash = prev
        entry.hash = prev = entry.compute_hash()
    if entries:
        entries[-1].signature = signing.sign(entries[-1].signed_bytes())
        checkpoint.export_on_commit()
    return entries


def record(
    actor: Any,
    action: Action | str,
    target: Any,
    fields: Iterable[str] = (),
    note: str = "",
    about: Any = None,
) -> Entry:
    """Append one entry. `fields` names what changed; values are never stored.

    `action` is one of `audit.actions.Action` (a string not in it raises ValueError).

    `actor` is a user, or a short string for someone not signed in (e.g. the username tried
    in a failed sign-in). `target` may be None for events about no record.
    """
    with transaction.atomic():
        entry = _link([_entry(actor, action, target, fields, note, about)], *_head())[0]
        entry.save()
        return entry


def chain(
    actor: Any, items: Iterable[tuple[Action | str, Any, Iterable[str], Any]], note: str
) -> list[Entry]:
    """Entries for many changes at once, (action, target, fields, about) each, chained after
    the last entry. The caller inserts them in its open transaction (bulk imports do it in one
    statement); nothing is saved here."""
    entries = [
        _entry(actor, action, target, fields, note, about)
        for action, target, fields, about in items
    ]
    return _link(entries, *_head())


def key(obj: Any) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def history(about: Any) -> Any:
    """Every entry about a record, including changes to the records that hang on it."""
    return Entry.objects.filter(about=key(about)).select_related("actor")
