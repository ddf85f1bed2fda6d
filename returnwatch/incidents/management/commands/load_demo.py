"""Load about 300 fictional incidents with example.org sources. Safe to run again."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from returnwatch.incidents.demo import Vocab, fake_incidents
from returnwatch.incidents.models import Citation, Document, DocumentKind, Incident

DEMO_COUNT = 300
DEMO_SEED = 2019
DEMO_PASSWORD = "demo-password-not-for-real-use"


class Command(BaseCommand):
    help = "Load fictional demo incidents (idempotent). Every record is invented."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if any incident exists."
        )
        parser.add_argument("--count", type=int, default=DEMO_COUNT)
        parser.add_argument(
            "--with-users",
            action="store_true",
            help=f"Also create demo staff accounts researcher/editor/admin (password {DEMO_PASSWORD!r}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Incident.objects.exists():
            self.stdout.write("Incidents exist already; demo data not loaded.")
            return
        created = self.load(options["count"])
        self.stdout.write(self.style.SUCCESS(f"Demo data: {created} fictional incidents added."))
        if options["with_users"]:
            self.users()

    @transaction.atomic
    def load(self, count: int) -> int:
        vocab = Vocab()
        kinds = {k.code: k for k in DocumentKind.objects.all()}
        existing = set(Incident.objects.filter(is_demo=True).values_list("external_id", flat=True))
        now = timezone.now()
        created = 0
        demo_incidents = []
        for n, fake in enumerate(fake_incidents(count, DEMO_SEED)):
            external_id = f"demo-{n:04d}"
            if external_id in existing:
                continue
            incident = Incident.objects.create(
                external_id=external_id,
                status=fake.status,
                complaint_crcl=fake.complaint_crcl,
                complaint_oig=fake.complaint_oig,
                lawsuit=fake.lawsuit,
                published_at=now if fake.status == "published" else None,
                **vocab.fields(fake),
            )
            for name, terms in vocab.terms(fake).items():
                getattr(incident, name).set(terms)
            for i, (title, publisher, url, published) in enumerate(fake.sources):
                document, _ = Document.objects.get_or_create(
                    url=url,
                    defaults={
                        "kind": kinds["news" if i == 0 else "ngo-report"],
                        "title": title,
                        "publisher": publisher,
                        "date_published": published,
                        "language": "es" if "Diario" in publisher else "en",
                        "summary": "A fictional source written for the demonstration.",
                    },
                )
                Citation.objects.get_or_create(
                    incident=incident,
                    document=document,
                    defaults={"passage": f"para. {i + 2}", "reliability": "medium"},
                )
            demo_incidents.append(incident)
            created += 1
        self.library(Incident.objects.filter(is_demo=True, status="published").order_by("id"))
        return created

    def library(self, incidents: Any) -> None:
        try:
            from returnwatch.library.demo import load_library_demo
        except ImportError:
            return
        load_library_demo(list(incidents))

    def users(self) -> None:
        from returnwatch.accounts.models import Organization, User

        org, _ = Organization.objects.get_or_create(
            name="Demo lead organization (fictional)", defaults={"is_lead": True}
        )
        for username, role in (
            ("researcher", "researcher"),
            ("editor", "editor"),
            ("admin", "admin"),
        ):
            if User.objects.filter(username=username).exists():
                continue
            User.objects.create_user(
                username,
                f"{username}@example.org",
                DEMO_PASSWORD,
                role=role,
                organization=org,
                is_staff=role == "admin",
                is_superuser=role == "admin",
            )
            self.stdout.write(f"Demo account: {username} / {DEMO_PASSWORD}")
