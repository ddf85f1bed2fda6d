"""Fixtures shared by every app's tests: users by role, incidents, and a real Chromium."""

import datetime as dt
import json
import os
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher

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


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with tiny costs for tests (production's costs take ~0.3 s a hash on 2 cores)."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    """On SQLite, test in a database file (in memory: /dev/shm) rather than Django's in-memory
    database: there the live server's request threads and the task worker share the test's one
    connection, so two requests at once (a double click) interleave their transactions. With a
    file each thread has its own connection, with WAL and IMMEDIATE transactions as in production."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3") and not db.get("TEST", {}).get("NAME"):
        folder = "/dev/shm" if os.path.isdir("/dev/shm") else tempfile.gettempdir()
        db.setdefault("TEST", {})["NAME"] = os.path.join(
            folder, f"returnwatch-test-{os.getpid()}.sqlite3"
        )


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    """Compile any .po file newer than its .mo (they are not committed), so tests see the
    translations a `make messages` would give."""
    from django.utils.translation import trans_real

    from returnwatch.languages import compile_catalogs

    if compile_catalogs(only_stale=True):
        trans_real._translations = {}  # type: ignore[attr-defined]  # Django internals: catalogs read before compiling are read again


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["conftest.FastArgon2PasswordHasher"]


# Tests whose outcome does not depend on the database engine (headers, translations, number
# formats, PDFs, image checks, web captures): the PostgreSQL pass of `make test` leaves them out
# (marker `engine_neutral`), as it leaves out the Chromium tests, to keep CI under 20 minutes.
ENGINE_NEUTRAL = (
    "returnwatch/audit/tests/test_hardened_pages.py",
    "returnwatch/complaints/tests/",
    "returnwatch/evidence/tests/test_capture.py",
    "returnwatch/intake/tests/test_image_bomb.py",
    "returnwatch/tests/test_counts.py",
    "returnwatch/tests/test_languages.py",
)


# The slowest tests (a gunicorn, backups and restores, page crawls, axe on every page): run
# first, so that at the end of a run the processes of pytest-xdist share out short tests
# instead of one process finishing a long one while the other waits.
SLOW_FIRST = (
    "returnwatch/tests/test_deploy.py",
    "returnwatch/audit/tests/test_backup.py",
    "returnwatch/audit/tests/test_backup_secrets.py",
    "returnwatch/tests/test_accessibility.py",
    "returnwatch/audit/tests/test_hardened_pages.py",
    "returnwatch/maps/tests/test_browser.py",
    "returnwatch/incidents/tests/test_browser_review.py",
    "returnwatch/tests/test_leak.py",
    "returnwatch/incidents/tests/test_facet_counts.py",
)


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Transactional tests (live_server, transaction=True) start with the data migrations load
    (vocabularies, offices…): the flush after an earlier such test would otherwise remove it.
    The slowest tests run first (SLOW_FIRST); the rest keep pytest-django's order."""
    items.sort(key=lambda item: not item.nodeid.startswith(SLOW_FIRST))
    for item in items:
        if item.nodeid.startswith(ENGINE_NEUTRAL):
            item.add_marker(pytest.mark.engine_neutral)
        marker = item.get_closest_marker("django_db")
        names = getattr(item, "fixturenames", ())
        transactional = "live_server" in names or "transactional_db" in names
        if transactional or (marker is not None and marker.kwargs.get("transaction")):
            kwargs = dict(marker.kwargs) if marker is not None else {}
            kwargs.update(transaction=True, serialized_rollback=True)
            # Prepended, so it is the closest marker and wins over the test's own.
            item.add_marker(
                pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False
            )


_MIGRATED_DATA: list[str] = []


@pytest.fixture(scope="session")
def _migrated_data(django_db_setup: Any, django_db_blocker: Any) -> str:
    """The rows the data migrations loaded (vocabularies, offices…), as Django serializes them."""
    from django.db import connection

    with django_db_blocker.unblock():
        rows = json.loads(connection.creation.serialize_db_to_string())
    # Content types and permissions are recreated by the flush itself (post_migrate).
    skip = {"contenttypes.contenttype", "auth.permission"}
    _MIGRATED_DATA[:] = [json.dumps([r for r in rows if r["model"] not in skip])]
    return _MIGRATED_DATA[0]


def _transactional(item: Any) -> bool:
    marker = item.get_closest_marker("django_db")
    return "live_server" in getattr(item, "fixturenames", ()) or bool(
        marker is not None and marker.kwargs.get("transaction")
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: Any, nextitem: Any) -> Any:
    """A transactional test ends with the tables emptied. Alone, pytest-django runs those
    tests last; with several processes (pytest-xdist) a file's ordinary tests can follow one in
    the same process, so the migrations' rows are put back before such a test."""
    result = yield
    if _MIGRATED_DATA and _transactional(item) and nextitem and not _transactional(nextitem):
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            connection.creation.deserialize_db_from_string(_MIGRATED_DATA[0])
    return result


@pytest.fixture(autouse=True)
def _restore_migrated_data(request: Any) -> None:
    """Transactional tests start with the migrations' rows even where Django's serialized
    rollback could not restore them (a test that replaced the database connection loses
    the serialized copy Django keeps on it)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "live_server" in request.fixturenames or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if not transactional:
        return
    data = request.getfixturevalue("_migrated_data")
    request.getfixturevalue("_django_db_helper")
    from django.db import connection

    from returnwatch.incidents.models import City

    if not City.objects.exists():
        connection.creation.deserialize_db_from_string(data)


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache (the demo notice and statistics are cached), and
    with none of the facet index an earlier test left in this process: the data versions and
    log positions of its rolled-back data come again."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    from returnwatch.incidents import facets

    cache.clear()
    facets.forget()
    # A transactional test's flush empties the content types until the next one restores
    # them: ids this process cached before are gone (the admin's log would name one).
    ContentType.objects.clear_cache()
    yield
    facets.forget()  # no build or ranking of this test runs into the next
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language, whatever an earlier test activated."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def make_user(db: Any) -> Any:
    from returnwatch.accounts.models import Organization, User

    def make(username: str, role: str = "", org: str = "Lead organization", **kw: Any) -> User:
        organization, _ = Organization.objects.get_or_create(
            name=org, defaults={"is_lead": org == "Lead organization"}
        )
        user = User.objects.create_user(
            username,
            f"{username}@example.org",
            PASSWORD,
            role=role,
            organization=organization,
            **kw,
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
        types: Sequence[str] = ("kidnapping",),
        perpetrators: Sequence[str] = (),
        groups: Sequence[str] = (),
        nationalities: Sequence[str] = (),
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


@pytest.fixture
def tasks_in_memory(settings: Any, tmp_path: Any) -> Iterator[None]:
    """Tasks run where they are queued, from an in-memory queue (never the dev SQLite file),
    as the imports tests do; files go to a temporary media root."""
    from huey.contrib.djhuey import HUEY

    settings.MEDIA_ROOT = str(tmp_path / "media")
    was = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = was


@pytest.fixture
def worker() -> Iterator[None]:
    """A huey consumer on an in-memory queue, as `manage.py run_huey` runs one (for tests
    that watch a page while the background work happens)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True  # in-memory storage…
    HUEY._immediate = False  # …but tasks wait in the queue for the consumer
    consumer = HUEY.create_consumer(workers=1, worker_type="thread", periodic=False)
    consumer.start()
    yield
    consumer.stop(graceful=True)
    HUEY.immediate = True


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


# ---------------------------------------------------------------- two-factor sign-in helpers
# Editors and admins need a second factor (TOTP) to publish or administer. In client tests use
# `verified_login(client, user)`; browser tests use `sign_in`, which completes the second step
# (or sets up an authenticator for a user without one) by computing codes like a phone would.


def give_totp(user: Any) -> Any:
    """Give `user` a confirmed authenticator (TOTP) device, or return the one they have."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)


def totp_code(device: Any) -> str:
    """A code the device accepts now and has not accepted before (codes work once)."""
    import time

    from django_otp.oath import TOTP

    device.refresh_from_db()
    while True:
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        now_t = totp.t()
        t = max(now_t, device.last_t + 1)
        if t <= now_t + device.tolerance:
            totp.time = device.t0 + t * device.step
            return f"{totp.token():0{device.digits}d}"
        time.sleep(1)


def verified_login(client: Any, user: Any) -> Any:
    """force_login plus a verified second factor in the session (what can_publish needs)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    device = give_totp(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device


@pytest.fixture
def verified_editor(editor: Any, client: Any) -> Any:
    """The editor, signed in on `client` with a second factor: may publish."""
    verified_login(client, editor)
    return editor


def sign_in(page: Any, live_server: Any, username: str, second_factor: bool = True) -> None:
    """Sign in through the real login form, then the second step when there is one.

    A user with an authenticator gets a fresh code typed in; an editor or admin without one is
    sent to set one up, which this completes too (and it continues past the recovery codes).
    """
    from django_otp.plugins.otp_totp.models import TOTPDevice

    page.goto(f"{live_server.url}/staff/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if not second_factor:
        return
    devices = TOTPDevice.objects.filter(user__username=username).order_by("-id")
    if "/staff/login/verify/" in page.url:
        page.fill("input[name=code]", totp_code(devices.filter(confirmed=True).first()))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
    elif "/staff/account/two-factor/" in page.url:
        page.fill("input[name=code]", totp_code(devices.filter(confirmed=False).first()))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
        page.click("main a.button")  # past the recovery codes, on to where we were going
        page.wait_for_load_state()


def cite(incident: Any, title: str = "Report in a newspaper (demo)") -> Any:
    """Give `incident` a public source, as the checklist asks before publishing."""
    from returnwatch.incidents.models import Citation, Document, DocumentKind

    document = Document.objects.create(
        kind=DocumentKind.objects.get(code="news"),
        title=title,
        url=f"https://example.org/news/{incident.pk}",
    )
    return Citation.objects.create(incident=incident, document=document)
