"""API authentication by token, and a rate limit for anonymous clients that stores no IP.

Tokens are sent as `Authorization: Token rw_…` (or `Bearer rw_…`); only their SHA-256 is kept.
A token carries no second factor: its holder acts as a researcher whatever their role, so
nothing the public sees can be changed through the API (as in the workspace, that needs an
editor who passed two-factor sign-in).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions, throttling

from returnwatch.api.models import ApiToken, hash_token

LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def _not_verified() -> bool:
    return False


class TokenAuthentication(authentication.BaseAuthentication):
    keywords = ("token", "bearer")

    def authenticate(self, request: Any) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode(errors="replace").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Give the token after the word Token.")
        raw = header[1].decode(errors="replace")
        token = (
            ApiToken.objects.active()
            .select_related("user")
            .filter(key_hash=hash_token(raw))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Unknown or revoked token.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        user = token.user
        # No second factor through a token (access.py asks for one to publish).
        user.is_verified = _not_verified
        return user, token

    def authenticate_header(self, request: Any) -> str:
        return 'Token realm="api"'


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = "returnwatch.api.auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token rw_…` — tokens are made in the workspace (Data → API tokens).",
        }


class ReadOnlyOrResearcher(permissions.BasePermission):
    """Anyone may read; writing needs a signed-in researcher (or editor, admin)."""

    message = "Writing needs the token of a researcher."

    def has_permission(self, request: Any, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.is_researcher)


class AnonymousThrottle(throttling.AnonRateThrottle):
    """Anonymous clients counted under a keyed hash of their address, never the address
    itself; the count lives in the cache only for the throttle's window."""

    scope = "anon"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if request.user and request.user.is_authenticated:
            return None
        ident = self.get_ident(request) or ""
        digest = hmac.new(
            settings.SECRET_KEY.encode(), f"api-throttle:{ident}".encode(), hashlib.sha256
        ).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": digest}


class UserThrottle(throttling.UserRateThrottle):
    """Signed-in clients, counted by user; anonymous ones are AnonymousThrottle's (DRF's own
    user throttle would fall back to the raw address)."""

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        if not (request.user and request.user.is_authenticated):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}
