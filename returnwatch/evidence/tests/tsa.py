"""A test RFC 3161 time-stamp authority on 127.0.0.1, built with `cryptography` and a few
lines of DER: a root CA, a TSA certificate (extended key usage timeStamping, critical), and
a server that answers time-stamp requests with signed tokens (CMS SignedData over TSTInfo,
with the ESS signing-certificate-v2 attribute that `openssl ts -verify` asks for)."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from rfc3161_client import _rust

# ---------------------------------------------------------------- minimal DER


def tlv(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def seq(*items: bytes) -> bytes:
    return tlv(0x30, b"".join(items))


def set_of(*items: bytes) -> bytes:
    return tlv(0x31, b"".join(sorted(items)))  # DER sorts SET OF members


def integer(n: int) -> bytes:
    return tlv(0x02, n.to_bytes(n.bit_length() // 8 + 1, "big", signed=True))


def oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    out = bytearray([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        while p > 0x7F:
            p >>= 7
            chunk.append(0x80 | (p & 0x7F))
        out += bytes(reversed(chunk))
    return tlv(0x06, bytes(out))


def octets(b: bytes) -> bytes:
    return tlv(0x04, b)


def gentime(t: dt.datetime) -> bytes:
    return tlv(0x18, t.strftime("%Y%m%d%H%M%SZ").encode())


NULL = b"\x05\x00"
SHA256, SIGNED_DATA, TST_INFO = (
    "2.16.840.1.101.3.4.2.1",
    "1.2.840.113549.1.7.2",
    "1.2.840.113549.1.9.16.1.4",
)
CONTENT_TYPE, MESSAGE_DIGEST, SIGNING_CERT_V2 = (
    "1.2.840.113549.1.9.3",
    "1.2.840.113549.1.9.4",
    "1.2.840.113549.1.9.16.2.47",
)
RSA, POLICY = "1.2.840.113549.1.1.1", "1.3.6.1.4.1.99999.1"


class LocalTSA:
    def __init__(self, tmp: Path) -> None:
        now = dt.datetime.now(dt.UTC)
        self.root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA Root")])
        self.root = (
            x509.CertificateBuilder()
            .subject_name(root_name)
            .issuer_name(root_name)
            .public_key(self.root_key.public_key())
            .serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .sign(self.root_key, hashes.SHA256())
        )
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test TSA")]))
            .issuer_name(root_name)
            .public_key(self.key.public_key())
            .serial_number(2)
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .add_extension(
                x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True
            )
            .sign(self.root_key, hashes.SHA256())
        )
        self.roots_file = tmp / "tsa-roots.pem"
        self.roots_file.write_bytes(self.root.public_bytes(serialization.Encoding.PEM))
        self.serial = 100
        handler = type("Handler", (_Handler,), {"tsa": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/tsa"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def reply(self, request_der: bytes) -> bytes:
        request = _rust.parse_timestamp_request(request_der)
        imprint = request.message_imprint
        self.serial += 1
        tst_info = seq(
            integer(1),
            oid(POLICY),
            seq(seq(oid(imprint.hash_algorithm.dotted_string), NULL), octets(imprint.message)),
            integer(self.serial),
            gentime(dt.datetime.now(dt.UTC)),
            *([integer(request.nonce)] if request.nonce is not None else []),
        )
        cert_der = self.cert.public_bytes(serialization.Encoding.DER)
        attributes = [
            seq(oid(CONTENT_TYPE), set_of(oid(TST_INFO))),
            seq(oid(MESSAGE_DIGEST), set_of(octets(hashlib.sha256(tst_info).digest()))),
            seq(
                oid(SIGNING_CERT_V2),
                set_of(seq(seq(seq(octets(hashlib.sha256(cert_der).digest()))))),
            ),
        ]
        content = b"".join(sorted(attributes))
        # Signed as a SET OF, sent as [0] IMPLICIT (RFC 5652, 5.4).
        signature = self.key.sign(tlv(0x31, content), padding.PKCS1v15(), hashes.SHA256())
        signer_info = seq(
            integer(1),
            seq(self.cert.issuer.public_bytes(), integer(self.cert.serial_number)),
            seq(oid(SHA256), NULL),
            tlv(0xA0, content),
            seq(oid(RSA), NULL),
            octets(signature),
        )
        signed_data = seq(
            integer(3),
            set_of(seq(oid(SHA256), NULL)),
            seq(oid(TST_INFO), tlv(0xA0, octets(tst_info))),
            tlv(0xA0, cert_der),
            set_of(signer_info),
        )
        token = seq(oid(SIGNED_DATA), tlv(0xA0, signed_data))
        return seq(seq(integer(0)), token)


class _Handler(BaseHTTPRequestHandler):
    tsa: LocalTSA

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        answer = self.tsa.reply(body)
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)
