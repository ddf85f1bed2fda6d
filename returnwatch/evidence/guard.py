"""Which addresses a capture may fetch: never a blocked host, never the internal network.

The host is resolved here and the fetcher connects to the address that was checked, so a
name that resolves to a public address now and a private one a moment later (DNS rebinding)
cannot reach the internal network. Every request of the browser goes through the same check.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _


class Refused(Exception):
    """The address may not be captured; the message says why, for the researcher."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    ip: str


@dataclass(frozen=True)
class Guard:
    blocked_hosts: tuple[str, ...] = ()
    allow_private: bool = False

    def is_blocked(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == b or host.endswith("." + b) for b in self.blocked_hosts)

    def check(self, url: str) -> Target:
        """The address to connect to for `url`, or Refused."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise Refused(_("Only http and https addresses can be captured."))
        host = parts.hostname
        if self.is_blocked(host):
            raise Refused(_("%(host)s is on the list of hosts never captured.") % {"host": host})
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as e:
            raise Refused(
                _("The host %(host)s was not found (%(error)s).") % {"host": host, "error": e}
            ) from e
        # IPv4 first: many servers publish an IPv6 address that does not answer.
        addresses = sorted({str(info[4][0]) for info in infos}, key=lambda a: (":" in a, a))
        for address in addresses:
            if not self.allow_private and not is_public(address):
                raise Refused(
                    _("%(host)s is a private, loopback or link-local address (%(ip)s): refused.")
                    % {"host": host, "ip": address}
                )
        return Target(parts.scheme, host, port, addresses[0])


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast
