"""The mail of followed searches, in the subscriber's language: plain text only (no images, no
pixels, no redirecting links — every link goes straight to this site's page), each with an
unsubscribe link and the RFC 8058 one-click headers."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from returnwatch.public import PublicIncident, site_url

from . import actions
from .models import Subscription


def _absolute(path: str) -> str:
    return f"{site_url()}{path}"


def links(subscription: Subscription) -> dict[str, str]:
    """The addresses a mail of this subscription links to (in its language)."""
    query = f"?{subscription.query}" if subscription.query else ""
    return {
        "search": _absolute(reverse("incidents:list") + query),
        "unsubscribe": _absolute(
            reverse("subscriptions:unsubscribe", args=[actions.unsubscribe_token(subscription)])
        ),
        "confirm": _absolute(
            reverse("subscriptions:confirm", args=[actions.confirm_token(subscription)])
        ),
    }


def describe(subscription: Subscription) -> list[str]:
    """The search in words ("City: Tijuana"), or that it is every new case."""
    applied = actions.search_of(subscription).applied()
    return [f"{a.name}: {a.value}" for a in applied] or [_("every case")]


def _message(subscription: Subscription, subject: str, body: str, url: str) -> EmailMessage:
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[subscription.address],
        headers={
            "List-Unsubscribe": f"<{url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def confirmation(subscription: Subscription) -> EmailMessage:
    with translation.override(subscription.language):
        urls = links(subscription)
        context = {
            "links": urls,
            "search": describe(subscription),
            "days": actions.confirm_days(),
        }
        body = render_to_string("subscriptions/mail/confirm.txt", context)
        subject = _("Confirm: follow a ReturnWatch search")
        return _message(subscription, subject, body, urls["unsubscribe"])


def digest(
    subscription: Subscription,
    published: Sequence[PublicIncident],
    retracted: Sequence[PublicIncident],
    more: int = 0,
) -> EmailMessage:
    with translation.override(subscription.language):
        urls = links(subscription)
        context = {
            "links": urls,
            "search": describe(subscription),
            "published": [(i, _absolute(i.get_absolute_url())) for i in published],
            "retracted": [(i, _absolute(i.get_absolute_url())) for i in retracted],
            "more": more,
        }
        body = render_to_string("subscriptions/mail/digest.txt", context)
        subject = _("ReturnWatch: new cases in a search you follow")
        return _message(subscription, subject, body, urls["unsubscribe"])
