"""Security headers on every kind of page; a crawl of the public site finds no inline script
and no third-party resource; error pages of our own that leak nothing; `check --deploy` clean."""

import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client, override_settings

from conftest import verified_login
from returnwatch.security import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.django_db

EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    # Other sites get no referrer. Not "no-referrer": Chromium then sends `Origin: null` with
    # form posts and Django's CSRF check refuses them (see settings.py).
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_hardened(response: Any, secure: bool = True) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response.headers.get(name))
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    if secure:
        hsts = response.headers.get("Strict-Transport-Security", "")
        assert hsts.startswith("max-age=31536000"), hsts
        assert "includeSubDomains" in hsts
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "http" not in csp
    assert "frame-ancestors 'none'" in csp


def test_csp_allows_only_this_server() -> None:
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["default-src"] == "'none'"
    for name in ("script-src", "style-src", "img-src", "connect-src", "form-action"):
        assert directives[name] == "'self'"


def test_headers_on_every_kind_of_page(client: Any, site_admin: Any, make_incident: Any) -> None:
    incident = make_incident()
    pages = {
        "public": "/",
        "public es": "/es/",
        "case": f"/incidents/{incident.reference}/",
        "staff": "/staff/login/",
        "error 404": "/no-such-page/",
        "static": "/static/returnwatch/site.css",
    }
    for kind, url in pages.items():
        response = client.get(url, secure=True)
        assert response.status_code in (200, 404), (kind, response.status_code)
        assert_hardened(response)
    verified_login(client, site_admin)
    admin = client.get("/admin/", secure=True)
    assert admin.status_code == 200
    assert_hardened(admin)
    workspace = client.get("/staff/audit/", secure=True)
    assert workspace.status_code == 200
    assert_hardened(workspace)
    # Over plain http (development) everything but HSTS is the same.
    assert_hardened(client.get("/", secure=False), secure=False)


def test_cookies_secure_and_http_only(client: Any, researcher: Any) -> None:
    from conftest import PASSWORD

    client.get("/staff/login/", secure=True)
    response = client.post("/staff/login/", {"username": "rita", "password": PASSWORD}, secure=True)
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"
    assert settings.CSRF_COOKIE_SECURE and settings.CSRF_COOKIE_HTTPONLY


ERROR_MARKERS = ("Traceback", "settings.py", "SECRET_KEY", "DATABASE", "/work/", "Django", "DEBUG")


class ErrorViews:
    """URL patterns that raise, to reach the real error handlers."""

    @staticmethod
    def boom(request: Any) -> Any:
        raise RuntimeError("secret internal detail 4471")

    @staticmethod
    def bad(request: Any) -> Any:
        from django.core.exceptions import SuspiciousOperation

        raise SuspiciousOperation("secret internal detail 4472")

    @staticmethod
    def denied(request: Any) -> Any:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("secret internal detail 4473")


urlpatterns: list[Any] = []


def _urls() -> Any:
    from django.urls import path

    from returnwatch import urls

    return [
        path("boom/", ErrorViews.boom),
        path("bad/", ErrorViews.bad),
        path("denied/", ErrorViews.denied),
        *urls.urlpatterns,
    ]


@override_settings(ROOT_URLCONF=__name__)
def test_error_pages_are_ours_and_leak_nothing(make_incident: Any) -> None:
    global urlpatterns
    urlpatterns = _urls()
    draft = make_incident(status="draft", narrative="NARRATIVE-MARKER-9")
    client = Client(raise_request_exception=False)
    cases = {
        "/boom/": 500,
        "/bad/": 400,
        "/denied/": 403,
        "/does-not-exist/": 404,
        f"/incidents/{draft.reference}/": 404,  # a draft is not public
        "/es/no-existe/": 404,
    }
    for url, status in cases.items():
        response = client.get(url, secure=True)
        assert response.status_code == status, url
        html = response.content.decode()
        assert "ReturnWatch" in html and "<h1>" in html, url
        assert "secret internal detail" not in html
        assert "NARRATIVE-MARKER-9" not in html and draft.title not in html
        for marker in ERROR_MARKERS:
            assert marker not in html, (url, marker)
        assert_hardened(response)
    assert "Página no encontrada" in client.get("/es/no-existe/").content.decode()
    # A draft's address answers exactly like an address that never existed.
    missing = "RW-1999-99999"
    draft_page = client.get(f"/incidents/{draft.reference}/").content.decode()
    none_page = client.get(f"/incidents/{missing}/").content.decode()
    assert draft_page.replace(draft.reference, missing) == none_page


# ---------------------------------------------------------------------------- the crawl

RESOURCE_ATTRS = {
    "script": ("src",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "iframe": ("src",),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "form": ("action",),
    "input": ("src",),
    "use": ("href", "xlink:href"),
    "image": ("href", "xlink:href"),
}


class PageScan(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.resources: list[str] = []
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        for name in a:
            if name.startswith("on"):
                self.problems.append(f"inline event handler {name}= on <{tag}>")
        if "style" in a:
            self.problems.append(f"inline style on <{tag}>")
        if tag == "style":
            self.problems.append("<style> element")
        if tag == "script":
            if not a.get("src") and a.get("type", "") not in (
                "application/json",
                "application/ld+json",
            ):
                self.problems.append("inline <script>")
        if tag == "link" and a.get("rel", "") in ("alternate", "canonical", "license", "author"):
            self.links.append(a.get("href", ""))  # links, not resources the page loads
        else:
            for attr in RESOURCE_ATTRS.get(tag, ()):
                if a.get(attr):
                    self.resources.extend(u.strip().split(" ")[0] for u in a[attr].split(","))
        for attr in ("href",):
            if tag == "a" and a.get(attr):
                self.links.append(a[attr])
        for value in a.values():
            if value.strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL on <{tag}>")


def third_party(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob"):
        return True  # nothing but this server's own files
    return bool(parts.netloc) and parts.hostname not in ("testserver",)


@pytest.fixture
def public_site(make_incident: Any) -> None:
    from django.core.management import call_command

    call_command("load_demo", count=12, verbosity=0)
    make_incident(title="Second case", types=["kidnapping", "extortion"], groups=["child"])


def test_crawl_of_public_pages_finds_no_inline_script_or_third_party_resource(
    client: Any, public_site: None
) -> None:
    limit = 250
    queue = ["/", "/es/"]
    seen: set[str] = set()
    problems: list[str] = []
    pages = 0
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code in (301, 302):
            location = urljoin(url, response["Location"])
            if not third_party(location):
                queue.append(urlsplit(location)._replace(scheme="", netloc="").geturl())
            continue
        assert response.status_code in (200, 404), (url, response.status_code)
        assert "Content-Security-Policy" in response.headers, url
        if not response["Content-Type"].startswith("text/html"):
            continue
        pages += 1
        scan = PageScan()
        scan.feed(response.content.decode())
        problems += [f"{url}: {p}" for p in scan.problems]
        problems += [f"{url}: third-party resource {r}" for r in scan.resources if third_party(r)]
        for link in scan.links:
            absolute = urljoin(url, link)
            parts = urlsplit(absolute)
            if third_party(absolute) or parts.scheme not in ("", "http"):
                continue
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            # Public pages only; skip the many combinations of filters past the first few.
            if path.startswith(("/staff/", "/admin/", "/static/", "/media/")):
                continue
            if parts.query and sum(1 for s in seen if "?" in s) > 40:
                continue
            queue.append(path)
    assert pages >= 10, f"crawled only {pages} pages: {sorted(seen)}"
    assert not problems, "\n".join(problems[:40])


# ---------------------------------------------------------------------------- check --deploy


def test_check_deploy_is_clean_with_production_settings(tmp_path: Any) -> None:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x8$kq1!v0-" * 6,
        "FIELD_ENCRYPTION_KEY": "nV7r2Y5H0cZk3lH0y2Qy3M0w4WJfOq9YQh7eKZ5S1tA=",
        "RECEIPT_SIGNING_KEY": "c2lnbmluZy1rZXktZm9yLXRoZS1kZXBsb3ktY2hlY2s=",
        "ALLOWED_HOSTS": "returnwatch.example.org",
        "SECURE_SSL_REDIRECT": "1",
        "RETURNWATCH_VAR_DIR": str(tmp_path),
        "AUDIT_SIGNING_KEY": "c2lnbmluZy1rZXktZm9yLWEtZGVwbG95LWNoZWNrLTE=",
        "AUDIT_CHECKPOINT_FILE": str(tmp_path / "audit-checkpoint.json"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by conftest for Playwright, not in production
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
    # With the public development keys it is not clean.
    env.pop("SECRET_KEY")
    env.pop("FIELD_ENCRYPTION_KEY")
    env.pop("RECEIPT_SIGNING_KEY")
    env.pop("AUDIT_SIGNING_KEY")
    env.pop("AUDIT_CHECKPOINT_FILE")
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert re.search(r"returnwatch\.W001", result.stderr + result.stdout)
    assert re.search(r"returnwatch\.W002", result.stderr + result.stdout)
    assert re.search(r"returnwatch\.W003", result.stderr + result.stdout)
    assert re.search(r"returnwatch\.W010", result.stderr + result.stdout)
    assert re.search(r"returnwatch\.W011", result.stderr + result.stdout)
