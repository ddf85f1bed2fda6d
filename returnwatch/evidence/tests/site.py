"""A small web site on 127.0.0.1 that the capture tests point at (never the internet):
an article with images, redirects, a page that changes, errors, a slow and a huge page, and
the same article over TLS with a self-signed certificate."""

from __future__ import annotations

import datetime as dt
import io
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image

ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Family kidnapped after return to Nuevo Laredo</title>
<meta name="author" content="Ana Reporter"><meta property="article:published_time" content="2019-10-04">
<link rel="stylesheet" href="/style.css"></head><body><article>
<h1>Family kidnapped after return to Nuevo Laredo</h1>
<p>A family of four returned under the Migrant Protection Protocols was kidnapped near the bus
station on 3 October, hours after US officials sent them back across the bridge.</p>
<p>The father told reporters that the men demanded a ransom from relatives in Houston and held
them for five days in a house on the edge of the city.</p>
<img src="img/photo.png" alt="The bridge"> <img src="/img/map.png" alt="Map">
<p>{extra}</p></article><script>document.title = document.title;</script></body></html>"""


def png(color: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), color).save(out, "PNG")
    return out.getvalue()


class Site:
    def __init__(self, tmp: Path) -> None:
        self.version = 1
        self.requests: list[dict[str, str]] = []  # every request the site got: path, host, cookie
        self.slow_seconds = 30
        handler = type("Handler", (_Handler,), {"site": self})
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.https = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        cert, key = self_signed(tmp)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        self.https.socket = ctx.wrap_socket(self.https.socket, server_side=True)
        for server in (self.http, self.https):
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}"

    @property
    def tls_url(self) -> str:
        return f"https://localhost:{self.https.server_address[1]}"

    def close(self) -> None:
        for server in (self.http, self.https):
            server.shutdown()
            server.server_close()


class _Handler(BaseHTTPRequestHandler):
    site: Site
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def send(
        self, status: int, body: bytes, media: str = "text/html; charset=utf-8", **headers: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: C901 - one branch per test page
        path = self.path
        self.site.requests.append(
            {
                "path": path,
                "host": self.headers.get("Host", ""),
                "cookie": self.headers.get("Cookie", ""),
            }
        )
        if path == "/article.html":
            self.send(
                200,
                ARTICLE.format(extra="Reported by the shelter.").encode(),
                X_Served_By="test-site",
            )
        elif path == "/changing.html":
            extra = (
                "The family is still missing."
                if self.site.version == 1
                else "The family was released on 9 October."
            )
            self.send(200, ARTICLE.format(extra=extra).encode())
        elif path == "/paywall.html":
            self.send(
                200,
                b"<html><body><h1>Exclusive</h1><p>Subscribe to continue reading this story.</p></body></html>",
            )
        elif path == "/mixed.html":
            port = self.server.server_address[1]  # type: ignore[index]  # a TCP server: (host, port)
            body = f"<html><body><p>Local picture and one from another host:</p><img src='/img/map.png'><img src='http://localhost:{port}/img/photo.png'></body></html>"
            self.send(200, body.encode())
        elif path == "/style.css":
            self.send(
                200,
                b"body{font-family:sans-serif;background:url(img/map.png) no-repeat right top}",
                "text/css",
            )
        elif path == "/img/photo.png":
            self.send(200, png("steelblue"), "image/png")
        elif path == "/img/map.png":
            self.send(200, png("darkorange"), "image/png")
        elif path in ("/r1", "/r2"):
            self.send(302, b"", Location="/r2" if path == "/r1" else "/article.html")
        elif path == "/loop":
            self.send(302, b"", Location="/loop")
        elif path == "/missing.html":
            self.send(
                404, b"<html><body><h1>Not found</h1><p>This story was removed.</p></body></html>"
            )
        elif path == "/slow.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            end = time.monotonic() + self.site.slow_seconds
            while time.monotonic() < end:
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.2)
        elif path == "/huge.bin":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()  # no length: the size shows only while reading
            block = b"x" * 65536
            try:
                for _ in range(500 * 16):  # 500 MB
                    self.wfile.write(block)
            except OSError:
                return
        else:
            self.send(404, b"not here")


def self_signed(tmp: Path) -> tuple[str, str]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "site-cert.pem", tmp / "site-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)
