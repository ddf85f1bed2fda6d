"""Fixtures shared by every app's tests: users by role, incidents, and a real Chromium."""

import datetime as dt
import os
from collections.abc import Iterator
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django's ORM is still used
# synchronously there, which is safe in tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def make_user(db: Any) -> Any:
    from returnwatch.accounts.models import Organization, User

    def make(username: str, role: str = "", org: str = "Lead organization", **kw: Any) -> User:
        organization, _ = Organization.objects.get_or_create(
            name=org, defaults={"is_lead": org == "Lead organization"}
        )
        user = User.objects.create_user(
            username, f"{username}@example.org", PASSWORD, role=role, organization=organization, **kw
        )
        return user

    return make


@pytest.fixture
def researcher(make_user: Any) -> Any:
    return make_user("rita", "researcher")


@pytest.fixture
def editor(make_user: Any) -> Any:
    return make_user("eddie", "editor")


@pytest.fixture
def site_admin(make_user: Any) -> Any:
    return make_user("ada", "admin", is_staff=True, is_superuser=True)


@pytest.fixture
def make_incident(db: Any) -> Any:
    """Create an incident with vocabulary codes, e.g. make_incident(types=["kidnapping"])."""
    from returnwatch.incidents.models import (
        City,
        Country,
        Incident,
        Perpetrator,
        PlaceType,
        Program,
        VictimGroup,
        ViolenceType,
    )

    def make(
        title: str = "Family kidnapped after return",
        summary: str = "A family returned under MPP was kidnapped near the bus station.",
        status: str = "published",
        date: dt.date | None = dt.date(2019, 10, 3),
        city: str | None = "nuevo-laredo",
        place: str | None = None,
        program: str | None = "mpp-2019",
        types: list[str] = ("kidnapping",),  # type: ignore[assignment]
        perpetrators: list[str] = (),  # type: ignore[assignment]
        groups: list[str] = (),  # type: ignore[assignment]
        nationalities: list[str] = (),  # type: ignore[assignment]
        **fields: Any,
    ) -> Incident:
        incident = Incident.objects.create(
            title=title,
            summary=summary,
            status=status,
            date=date,
            city=City.objects.get(code=city) if city else None,
            place_type=PlaceType.objects.get(code=place) if place else None,
            program=Program.objects.get(code=program) if program else None,
            **fields,
        )
        incident.violence_types.set(ViolenceType.objects.filter(code__in=types))
        incident.perpetrators.set(Perpetrator.objects.filter(code__in=perpetrators))
        incident.victim_groups.set(VictimGroup.objects.filter(code__in=groups))
        incident.nationalities.set(Country.objects.filter(code__in=nationalities))
        return incident

    return make


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture
def phone_page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True
    )
    pg = context.new_page()
    yield pg
    context.close()


def sign_in(page: Any, live_server: Any, username: str) -> None:
    """Sign in through the real login form."""
    page.goto(f"{live_server.url}/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
