"""Background tasks of followed searches (huey; returnwatch/taskqueue.py): confirmation mail
when someone subscribes, the daily digests, and forgetting addresses never confirmed."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import actions, digests, mail
from .models import Subscription


@db_task(retries=2, retry_delay=60)
def send_confirmation(subscription_id: int) -> None:
    subscription = Subscription.objects.filter(
        pk=subscription_id, confirmed_at__isnull=True
    ).first()
    if subscription is None:
        return
    try:
        mail.confirmation(subscription).send()
    except Exception as exc:
        # Retried by huey; what it logs must not hold the address (an SMTP error's text can).
        raise MailNotSent(type(exc).__name__) from None


class MailNotSent(Exception):
    """A mail was not sent; the message is only the kind of error."""


@db_periodic_task(crontab(minute="0", hour=str(getattr(settings, "SUBSCRIPTION_DIGEST_HOUR", 6))))
def send_digests() -> int:
    """Every day: each confirmed subscription gets the cases new since its last digest."""
    return digests.send_all()


@db_periodic_task(crontab(minute="40", hour="4"))
def forget_unconfirmed() -> int:
    """Every night: delete the addresses whose confirmation link expired unused."""
    return actions.forget_unconfirmed()
