"""The one way a capture reaches the network: a guarded, limited HTTP/1.1 fetch.

The browser never connects anywhere itself: each of its requests is handed to `fetch`, which
checks the address (guard.py), connects to the checked IP, records the TLS certificate, and
stops at the capture's time and size limits. What it got so far (status, headers) is kept on
the `Exchange` even when it stops early, with the reason in `error`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import socket
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.utils.translation import gettext as _

from .guard import Guard, Refused

READ = 64 * 1024
# Hop-by-hop headers (and the framing that no longer applies once the body is read whole).
NOT_FORWARDED = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "trailer"}
NOT_SENT = NOT_FORWARDED | {"host", "accept-encoding", "content-length", "proxy-connection"}


class LimitReached(Exception):
    pass


@dataclass
class Budget:
    """The capture's limits, shared by every request it makes."""

    seconds: float
    max_bytes: int
    max_redirects: int
    started: float = field(default_factory=time.monotonic)
    used_bytes: int = 0

    def remaining(self) -> float:
        left = self.seconds - (time.monotonic() - self.started)
        if left <= 0:
            raise LimitReached(self.too_slow())
        return left

    def too_slow(self) -> str:
        return _("The page took longer than the limit of %(s)d seconds.") % {"s": self.seconds}

    def too_large(self) -> str:
        return _("The page is larger than the limit of %(mb)s MB.") % {
            "mb": round(self.max_bytes / 1024 / 1024, 1)
        }

    def spend(self, n: int) -> None:
        self.used_bytes += n
        if self.used_bytes > self.max_bytes:
            raise LimitReached(self.too_large())


@dataclass
class Exchange:
    """One request and what came back (complete only when `complete`)."""

    url: str
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    request_body: bytes = b""
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    ip: str = ""
    status: int | None = None
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    tls: dict[str, Any] | None = None
    error: str = ""
    complete: bool = False

    def header(self, name: str) -> str:
        return next((v for k, v in self.headers if k.lower() == name.lower()), "")

    @property
    def location(self) -> str:
        if self.status in (301, 302, 303, 307, 308) and self.header("location"):
            return urljoin(self.url, self.header("location"))
        return ""


def fetch(
    url: str,
    guard: Guard,
    budget: Budget,
    method: str = "GET",
    headers: list[tuple[str, str]] | None = None,
    body: bytes = b"",
) -> Exchange:
    """One request, no redirects followed. Never raises for what the network does."""
    ex = Exchange(url=url.split("#")[0], method=method, request_body=body)
    try:
        target = guard.check(ex.url)
        ex.ip = target.ip
        sock = _connect(target, budget, ex)
        parts = urlsplit(ex.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        default_port = 443 if target.scheme == "https" else 80
        host = target.host if target.port == default_port else f"{target.host}:{target.port}"
        sent = [("Host", host)]
        sent += [(k, v) for k, v in (headers or []) if k.lower() not in NOT_SENT]
        sent += [("Accept-Encoding", "identity"), ("Connection", "close")]
        if body:
            sent.append(("Content-Length", str(len(body))))
        ex.request_headers = sent
        conn = http.client.HTTPConnection(target.host, target.port)
        conn.sock = sock
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for k, v in sent:
            conn.putheader(k, v)
        conn.endheaders(body or None)
        response = conn.getresponse()
        ex.status, ex.reason = response.status, response.reason
        ex.headers = [(k, v) for k, v in response.getheaders() if k.lower() not in NOT_FORWARDED]
        declared = response.getheader("content-length")
        if declared and declared.isdigit() and budget.used_bytes + int(declared) > budget.max_bytes:
            raise LimitReached(budget.too_large())
        chunks = []
        while True:
            sock.settimeout(budget.remaining())
            chunk = response.read1(READ)  # one receive: the deadline is checked between
            if not chunk:
                break
            budget.spend(len(chunk))
            chunks.append(chunk)
        ex.body = b"".join(chunks)
        ex.complete = True
        conn.close()
    except Refused as e:
        ex.error = str(e)
    except LimitReached as e:
        ex.error = str(e)
    except TimeoutError:
        ex.error = budget.too_slow()
    except ConnectionRefusedError:
        ex.error = _("The site did not answer (connection refused).")
    except (OSError, http.client.HTTPException) as e:
        ex.error = _("The site did not answer properly (%(error)s).") % {
            "error": e or type(e).__name__
        }
    return ex


def fetch_chain(url: str, guard: Guard, budget: Budget, **kw: Any) -> list[Exchange]:
    """`fetch`, following redirects (each hop checked and kept) up to the budget's limit."""
    chain = [fetch(url, guard, budget, **kw)]
    while chain[-1].complete and chain[-1].location:
        if len(chain) > budget.max_redirects:
            chain[-1].error = _("The address redirected more than %(n)d times.") % {
                "n": budget.max_redirects
            }
            break
        chain.append(fetch(chain[-1].location, guard, budget, headers=kw.get("headers")))
    return chain


def _connect(target: Any, budget: Budget, ex: Exchange) -> socket.socket:
    sock = socket.create_connection((target.ip, target.port), timeout=budget.remaining())
    if target.scheme != "https":
        return sock
    # Verify against the system's roots to record whether the certificate is trusted, but
    # capture either way: a self-signed or expired certificate is itself evidence.
    try:
        tls_sock = ssl.create_default_context().wrap_socket(sock, server_hostname=target.host)
        verified, problem = True, ""
    except ssl.SSLCertVerificationError as e:
        sock.close()
        sock = socket.create_connection((target.ip, target.port), timeout=budget.remaining())
        unverified = ssl.create_default_context()
        unverified.check_hostname = False
        unverified.verify_mode = ssl.CERT_NONE
        tls_sock = unverified.wrap_socket(sock, server_hostname=target.host)
        verified, problem = False, e.verify_message or str(e)
    ex.tls = describe_certificate(tls_sock, verified, problem)
    return tls_sock


def describe_certificate(tls_sock: ssl.SSLSocket, verified: bool, problem: str) -> dict[str, Any]:
    der = tls_sock.getpeercert(binary_form=True) or b""
    cert = x509.load_der_x509_certificate(der)
    return {
        "verified": verified,
        "verify_error": problem,
        "protocol": tls_sock.version(),
        "cipher": (tls_sock.cipher() or ("",))[0],
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "serial_number": format(cert.serial_number, "x"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "sha256_fingerprint": hashlib.sha256(der).hexdigest(),
        "pem": cert.public_bytes(serialization.Encoding.PEM).decode(),
    }
