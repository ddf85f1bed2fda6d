"""`manage.py send_digests`: send the digests of followed searches now (the worker does so
every day at SUBSCRIPTION_DIGEST_HOUR, UTC)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from returnwatch.subscriptions import actions, digests


class Command(BaseCommand):
    help = "Send every confirmed subscription its digest of new and retracted cases now."

    def handle(self, *args: Any, **options: Any) -> None:
        forgotten = actions.forget_unconfirmed()
        sent = digests.send_all()
        self.stdout.write(
            f"{sent} digest(s) sent; {forgotten} unconfirmed subscription(s) deleted."
        )
