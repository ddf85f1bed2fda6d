"""Sign-in lockout (django-axes) without IP addresses."""

from typing import Any


def no_ip_address(request: Any) -> None:
    """Axes asks for the client's address; we give none, so none is stored (lockout is by username)."""
    return None
