"""Re-hash every stored capture file (the fixity check); exit 1 when any changed or is gone."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from returnwatch.evidence import fixity


class Command(BaseCommand):
    help = "Re-hash every stored web-capture file and report any change."

    def handle(self, *args: Any, **options: Any) -> None:
        problems, checked = fixity.check()
        for p in problems:
            self.stdout.write(p)
        if problems:
            raise CommandError(f"{len(problems)} capture file(s) changed or missing")
        self.stdout.write(self.style.SUCCESS(f"{checked} capture files checked: all unchanged."))
