"""Response headers that every page carries: public pages, workspace, admin, errors, static files.

Django's SecurityMiddleware sets HSTS, nosniff, Referrer-Policy and COOP; this adds what it
lacks (Content-Security-Policy, Permissions-Policy) and frame denial for responses that never
reach the clickjacking middleware (static files served by WhiteNoise). It sits first in
MIDDLEWARE so that it wraps everything else.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.cache import patch_vary_headers

# Only this server: no inline script or style, no third-party origin, no framing, no plugins.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # setdefault: a view that needs a narrower policy may set its own.
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", settings.SECURE_REFERRER_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response


DEV_SECRET_KEY_PREFIX = "dev-insecure-returnwatch-key"
DEV_FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHkta2V5LWRvLW5vdC11c2UtZm9yLXJlYWw="


@register(Tags.security, deploy=True)
def check_production_keys(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    """`check --deploy` fails on the public development keys (Django's own check can't know them)."""
    problems: list[CheckMessage] = []
    if settings.SECRET_KEY.startswith(DEV_SECRET_KEY_PREFIX):
        problems.append(
            Warning(
                "SECRET_KEY is the public development key.",
                hint="Set SECRET_KEY in the environment (50+ random characters).",
                id="returnwatch.W001",
            )
        )
    keys = [k.strip() for k in str(settings.FIELD_ENCRYPTION_KEY).split(",")]
    if DEV_FIELD_ENCRYPTION_KEY in keys:
        problems.append(
            Warning(
                "FIELD_ENCRYPTION_KEY includes the public development key.",
                hint="Generate one with Fernet.generate_key() and keep it apart from backups.",
                id="returnwatch.W002",
            )
        )
    from returnwatch.intake.receipts import signing_key, uses_development_key

    try:
        signing_key()
    except ValueError as error:
        problems.append(
            Warning(
                f"RECEIPT_SIGNING_KEY cannot be read as an Ed25519 private key ({error}).",
                hint="Base64 of 32 bytes, or a PEM (docs/intake.md, 'Signed receipts').",
                id="returnwatch.W004",
            )
        )
    if uses_development_key():
        problems.append(
            Warning(
                "RECEIPT_SIGNING_KEY is not set: tip receipts are signed with the public "
                "development key and prove nothing.",
                hint="Generate a key (docs/intake.md, 'Signed receipts') and publish its public key.",
                id="returnwatch.W003",
            )
        )
    return problems


class QueryStringMiddleware:
    """Drops NUL bytes from query-string values before any view reads them.

    PostgreSQL refuses text containing NUL (a server error on any lookup), and no code or
    word of ours contains one, so they are removed rather than refused: the rest of the
    address still works.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "%00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in v for values in request.GET.lists() for v in values[1]
        ):
            cleaned = QueryDict(mutable=True)
            for key, values in request.GET.lists():
                cleaned.setlist(key.replace("\x00", ""), [v.replace("\x00", "") for v in values])
            cleaned._mutable = False
            request.GET = cleaned  # type: ignore[assignment]  # immutable now (_mutable = False)
        return self.get_response(request)


class NoStoreMiddleware:
    """Staff pages, the admin and authenticated API answers carry restricted data: no browser
    or proxy may keep them. The one place this rule lives (views do not set it themselves)."""

    PREFIXES = ("/staff/", "/admin/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.applies(request):
            response["Cache-Control"] = "private, no-store"
            patch_vary_headers(response, ("Cookie", "Authorization"))
        return response

    def applies(self, request: HttpRequest) -> bool:
        if request.path_info.startswith(self.PREFIXES):
            return True
        if not request.path_info.startswith("/api/"):
            return False
        user = getattr(request, "user", None)
        # DRF authenticates tokens inside the view; the header itself says it is personal.
        return bool(
            request.headers.get("Authorization") or getattr(user, "is_authenticated", False)
        )
