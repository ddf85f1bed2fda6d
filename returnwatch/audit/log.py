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
    """Append one entry. `fields` names what changed; values are never stored."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Serialise writers so the chain never forks.
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(7242001)")
        last = Entry.objects.order_by("-id").values_list("hash", flat=True).first()
        user = actor if getattr(actor, "is_authenticated", False) else None
        entry = Entry(
            created_at=timezone.now(),
            actor=user,
            actor_name=user.get_username() if user else (actor if isinstance(actor, str) else ""),
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            target_label=str(getattr(target, "audit_label", "") or "")[:200],
            fields=sorted(set(fields)),
            note=note[:500],
            about=key(about if about is not None else target),
            prev_hash=last or GENESIS,
        )
        entry.hash = entry.compute_hash()
        entry.save()
        return entry


def key(obj: Any) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def history(about: Any) -> Any:
    """Every entry about a record, including changes to the records that hang on it."""
    return Entry.objects.filter(about=key(about)).select_related("actor")
