"""Every write of followed searches: subscribe, confirm, unsubscribe, forget the unconfirmed,
and staff's saved searches. Views, tasks and commands call these and nothing else writes.

Links in mail are signed (django.core.signing, salted per purpose) and carry only the
subscription's random key: a confirmation link expires after SUBSCRIPTION_CONFIRM_DAYS, an
unsubscribe link never does. Subscribing twice (same address, same search) answers exactly as
the first time and sends nothing while a confirmation link is still valid, and nothing at all
once confirmed: neither the page nor the mailbox tells a third party whether an address follows
a search.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone

from returnwatch.incidents import filters
from returnwatch.incidents.encryption import keyed_hashes
from returnwatch.taskqueue import enqueue_on_commit

from .models import SavedSearch, Subscription

CONFIRM_SALT = "returnwatch.subscriptions.confirm"
UNSUBSCRIBE_SALT = "returnwatch.subscriptions.unsubscribe"
HASH_PURPOSE = b"subscription address"
HASH_LENGTH = 43
# Confirmation mails one address may be sent in a day, whatever the searches.
CONFIRMATIONS_PER_ADDRESS_PER_DAY = 5


def confirm_days() -> int:
    return int(getattr(settings, "SUBSCRIPTION_CONFIRM_DAYS", 7))


def fold_address(address: str) -> str:
    return address.strip().casefold()


def address_hashes(address: str) -> list[str]:
    """The keyed hash of an address under each field key (the first is the current one)."""
    return keyed_hashes(fold_address(address), HASH_PURPOSE, HASH_LENGTH)


def canonical_query(params: QueryDict) -> str:
    """The search in the site's own spelling: known codes only, in the site's order, without
    sort or page; the same search clicked in any order is one subscription."""
    return filters.parse(params).query_string(export=True).lstrip("?")


def search_of(subscription: Subscription) -> filters.Search:
    return filters.parse(QueryDict(subscription.query))


# ---------------------------------------------------------------------------- signed links


def confirm_token(subscription: Subscription) -> str:
    return signing.dumps(subscription.key, salt=CONFIRM_SALT, compress=False)


def unsubscribe_token(subscription: Subscription) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(subscription.key)


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def key_from_confirm_token(token: str) -> str:
    try:
        return str(signing.loads(token, salt=CONFIRM_SALT, max_age=dt.timedelta(confirm_days())))
    except signing.SignatureExpired as exc:
        raise TokenExpired from exc
    except signing.BadSignature as exc:
        raise TokenInvalid from exc


def key_from_unsubscribe_token(token: str) -> str:
    try:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature as exc:
        raise TokenInvalid from exc


# ---------------------------------------------------------------------------- the public


@dataclass(frozen=True)
class Outcome:
    """What `subscribe` did (for tests and logs of counts; the page says the same each time)."""

    created: bool
    mailed: bool


def subscribe(address: str, query: str, language: str) -> Outcome:
    """Ask `address` to confirm following the search `query` (canonical, see above)."""
    hashes = address_hashes(address)
    now = timezone.now()
    fresh = now - dt.timedelta(confirm_days())
    with transaction.atomic():
        existing = (
            Subscription.objects.select_for_update()
            .filter(address_hash__in=hashes, query=query)
            .first()
        )
        created = existing is None
        if existing is not None:
            if existing.confirmed_at is not None:
                return Outcome(created=False, mailed=False)  # already following: nothing sent
            if existing.confirmation_sent_at and existing.confirmation_sent_at > fresh:
                return Outcome(created=False, mailed=False)  # its link still works
            subscription = existing
        else:
            subscription = Subscription(
                key=secrets.token_urlsafe(32), address_hash=hashes[0], query=query
            )
        recent = Subscription.objects.filter(
            address_hash__in=hashes,
            confirmed_at__isnull=True,
            confirmation_sent_at__gt=now - dt.timedelta(days=1),
        ).count()
        mail = recent < CONFIRMATIONS_PER_ADDRESS_PER_DAY
        subscription.address = address.strip()
        subscription.address_hash = hashes[0]
        subscription.language = language
        if mail:
            subscription.confirmation_sent_at = now
        try:
            with transaction.atomic():
                subscription.save()
        except IntegrityError:  # the same request twice at once: the other one is answering
            return Outcome(created=False, mailed=False)
    if mail:
        from . import tasks

        enqueue_on_commit(tasks.send_confirmation, subscription.pk)
    return Outcome(created=created, mailed=mail)


def confirm(key: str) -> Subscription | None:
    """Start sending digests; the cases already published are not news (None: no such row)."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().filter(key=key).first()
        if subscription is None:
            return None
        if subscription.confirmed_at is None:
            subscription.confirmed_at = timezone.now()
            subscription.save(update_fields=["confirmed_at"])
    return subscription


def unsubscribe(key: str) -> None:
    """Delete the subscription, its address and what it was sent (nothing is kept)."""
    Subscription.objects.filter(key=key).delete()


def forget_unconfirmed() -> int:
    """Delete subscriptions whose confirmation link has expired unused."""
    limit = timezone.now() - dt.timedelta(confirm_days())
    stale = Subscription.objects.filter(confirmed_at__isnull=True, created_at__lt=limit).filter(
        Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lt=limit)
    )
    count, _ = stale.delete()
    return count


# ---------------------------------------------------------------------------- staff


def save_search(user: Any, name: str, query: str) -> SavedSearch:
    """Save a workspace search under a name (the same name again replaces its query)."""
    saved, _ = SavedSearch.objects.update_or_create(
        user=user, name=name.strip()[:120], defaults={"query": query.lstrip("?")[:2000]}
    )
    return saved


def delete_saved_search(saved: SavedSearch) -> None:
    saved.delete()
