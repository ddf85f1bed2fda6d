"""RFC 3161 time stamps of capture manifests (rfc3161-client), from the authorities in
EVIDENCE_TSA_URLS, verified offline against the roots in EVIDENCE_TSA_ROOTS_FILE.

A time stamp proves the manifest (and so every file it hashes) existed at the authority's
time; `openssl ts -verify -data manifest.json -in manifest.tsr -CAfile roots.pem` checks it
with public tools (docs/evidence.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import urllib.request
from pathlib import Path

from cryptography import x509
from django.conf import settings
from rfc3161_client import (
    HashAlgorithm,
    PKIStatus,
    TimestampRequestBuilder,
    VerificationError,
    VerifierBuilder,
    decode_timestamp_response,
)

logger = logging.getLogger(__name__)


def stamp(data: bytes) -> bytes | None:
    """A verified time-stamp reply for `data` from the first authority that gives one."""
    for url in settings.EVIDENCE_TSA_URLS:
        request = (
            TimestampRequestBuilder()
            .data(data)
            .hash_algorithm(HashAlgorithm.SHA512)
            .nonce(nonce=True)
            .cert_request(cert_request=True)
            .build()
        )
        try:
            http = urllib.request.Request(
                url,
                data=request.as_bytes(),
                headers={"Content-Type": "application/timestamp-query"},
            )
            with urllib.request.urlopen(http, timeout=20) as answer:
                reply = answer.read(1024 * 1024)
            if verify(data, reply, nonce=request.nonce) is not None:
                return reply
            logger.warning("time-stamp authority %s: the reply does not verify", url)
        except (OSError, ValueError) as e:
            logger.warning("time-stamp authority %s: %s", url, e)
    return None


def roots() -> list[x509.Certificate]:
    path = settings.EVIDENCE_TSA_ROOTS_FILE
    return x509.load_pem_x509_certificates(Path(path).read_bytes()) if path else []


def verify(data: bytes, reply: bytes, nonce: int | None = None) -> dt.datetime | None:
    """The authority's time if `reply` is a valid time stamp of `data`, else None."""
    try:
        response = decode_timestamp_response(reply)
        if response.status not in (PKIStatus.GRANTED, PKIStatus.GRANTED_WITH_MODS):
            return None
        for root in roots():
            builder = VerifierBuilder().add_root_certificate(root)
            if nonce is not None:
                builder = builder.nonce(nonce)
            try:
                builder.build().verify_message(response, data)
            except VerificationError:
                continue
            return response.tst_info.gen_time
    except ValueError:
        return None
    return None
