"""Digests of a followed search: the cases published since the subscriber confirmed that
match the search, and the retractions of cases the subscriber was sent. Read only through the
public projection (returnwatch/public/): a retracted case's facts are no longer public, so its
retraction is announced to those who were told of the case, and to nobody else.

Each case is sent at most once per subscription and kind (published, retracted): the cases of
a digest are recorded as sent (SentCase) in one transaction before the mail leaves, and the
record is taken back if sending fails. No digest is sent when there is nothing new.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from returnwatch import public

from . import actions, mail
from .models import SentCase, SentKind, Subscription

log = logging.getLogger(__name__)

# Cases listed in one mail; beyond that the mail gives the number and links to the search.
MAX_LISTED = 100


def due() -> list[int]:
    return list(
        Subscription.objects.filter(confirmed_at__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def send(subscription_id: int) -> bool:
    """Send one subscription its digest if anything is new; True when a mail left."""
    with transaction.atomic():
        subscription = (
            Subscription.objects.select_for_update()
            .filter(pk=subscription_id, confirmed_at__isnull=False)
            .first()
        )
        if subscription is None:
            return False
        told = SentCase.objects.filter(subscription=subscription)
        search = actions.search_of(subscription)
        new = (
            search.apply(public.incidents())
            .filter(published_at__gte=subscription.confirmed_at)
            .exclude(pk__in=told.filter(kind=SentKind.PUBLISHED).values("incident_id"))
            .order_by("published_at", "id")
        )
        rows = list(new)
        retracted_rows = list(
            public.retractions()
            .filter(pk__in=told.filter(kind=SentKind.PUBLISHED).values("incident_id"))
            .exclude(pk__in=told.filter(kind=SentKind.RETRACTED).values("incident_id"))
            .order_by("retracted_at", "id")
        )
        if not rows and not retracted_rows:
            return False
        SentCase.objects.bulk_create(
            [SentCase(subscription=subscription, incident_id=r.pk, kind=SentKind.PUBLISHED)
             for r in rows]
            + [SentCase(subscription=subscription, incident_id=r.pk, kind=SentKind.RETRACTED)
               for r in retracted_rows]
        )  # fmt: skip
        subscription.last_digest_at = timezone.now()
        subscription.save(update_fields=["last_digest_at"])
    listed = rows[:MAX_LISTED]
    message = mail.digest(
        subscription,
        public.project(listed),
        [public.project_retracted(r) for r in retracted_rows[:MAX_LISTED]],
        more=len(rows) - len(listed),
    )
    try:
        message.send()
    except Exception as exc:
        # Not sent: the cases are news again next time. Only the kind of error is logged: an
        # SMTP error's text can hold the address.
        told.filter(kind=SentKind.PUBLISHED, incident_id__in=[r.pk for r in rows]).delete()
        told.filter(
            kind=SentKind.RETRACTED, incident_id__in=[r.pk for r in retracted_rows]
        ).delete()
        log.error("digest of subscription %s not sent: %s", subscription_id, type(exc).__name__)
        return False
    return True


def send_all() -> int:
    """Send every confirmed subscription its digest; the number of mails sent."""
    return sum(send(pk) for pk in due())
