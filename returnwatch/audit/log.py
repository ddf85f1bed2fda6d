"""Write to the hash-chained change history. Call inside the transaction that makes the change."""

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .models import Entry

GENESIS = "0" * 64


def record(
    actor: Any,
    action: str,
    target: Any,
    fields: Iterable[str] = (),
    note: str = "",
    about: Any = None,
) -> Entry:
    """Append one entry. `fields` names what changed; values are never stored.

    `actor` is a user, or a short string for someone not signed in (e.g. the username tried
    in a failed sign-in). `target` may be None for events about no record.
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Serialise writers so the chain never forks.
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(7242001)")
        last = Entry.objects.order_by("-seq").values_list("seq", "hash").first()
        user = actor if getattr(actor, "is_authenticated", False) else None
        about_obj = about if about is not None else target
        entry = Entry(
            seq=(last[0] + 1) if last else 1,
            created_at=timezone.now(),
            actor=user,
            actor_name=user.get_username()
            if user
            else (actor[:150] if isinstance(actor, str) else ""),
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_label=str(getattr(target, "audit_label", "") or "")[:200],
            fields=sorted(set(fields)),
            note=note[:500],
            about=key(about_obj) if about_obj is not None else "",
            prev_hash=last[1] if last else GENESIS,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        return entry


def key(obj: Any) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def history(about: Any) -> Any:
    """Every entry about a record, including changes to the records that hang on it."""
    return Entry.objects.filter(about=key(about)).select_related("actor")
