"""The tip rate limit cannot give back an address, and it is checked before any upload is read.

An attacker who copies the cache (locmem, a CACHE_LOCATION directory, or Redis), the database
or the logs tries to recover the addresses that sent tips. There are fewer than 2^40 plausible
client addresses (all of IPv4 is 2^32), so any value computable from the address and stored
data gives them back by enumeration. The attacker below is stronger than enumeration: it is
*handed* the true addresses and tries every string and byte value found in the store as a
salt or key, with the common constructions (and ours). It must match nothing — and it does
match the old design (daily salt beside sha256(salt|address)), so the test can fail.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import pickle
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.test import Client

from returnwatch.intake import privacy
from returnwatch.intake.models import Tip

pytestmark = pytest.mark.django_db

ADDRESSES = ["203.0.113.7", "198.51.100.23", "192.0.2.44", "2001:db8:85a3::8a2e:370:7334"]
NETWORKS = [privacy._network(a) for a in ADDRESSES]
REDIS_URL = "redis://127.0.0.1:6379/13"  # a db number of its own for this test
REDIS_PREFIX = "test_h3_intake_rate"


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


@pytest.fixture(params=["locmem", "file", "redis"])
def store(request: Any, settings: Any, tmp_path: Path) -> Iterator[str]:
    kind = request.param
    if kind == "locmem":
        backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    elif kind == "file":
        backend = {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    else:
        if not _redis_up():
            pytest.skip("Redis is not running on 127.0.0.1:6379")
        backend = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIX,
        }
    settings.CACHES = {"default": backend}
    _empty(kind)
    yield kind
    _empty(kind)


def _empty(kind: str) -> None:
    if kind != "redis":
        cache.clear()
        return
    import redis  # only this test's keys: cache.clear() would flush the whole db

    r = redis.Redis.from_url(REDIS_URL)
    for key in r.scan_iter(f"{REDIS_PREFIX}:*"):
        r.delete(key)


def dump_store(kind: str, tmp_path: Path) -> tuple[set[str], list[bytes]]:
    """(every key or file name, every stored value as bytes) — what a thief of the cache has."""
    names: set[str] = set()
    values: list[bytes] = []
    if kind == "locmem":
        backend = caches["default"]
        for key, value in backend._cache.items():  # type: ignore[attr-defined]  # LocMemCache's store
            names.add(key)
            values.append(key.encode())
            values.append(value)
            values.append(repr(pickle.loads(value)).encode())
    elif kind == "file":
        for path in (tmp_path / "cache").rglob("*"):
            if path.is_file():
                names.add(path.name.removesuffix(".djcache"))
                raw = path.read_bytes()
                values.append(raw)
                with path.open("rb") as f:
                    pickle.load(f)  # expiry
                    values.append(repr(pickle.loads(zlib.decompress(f.read()))).encode())
    else:
        import redis

        r: Any = redis.Redis.from_url(REDIS_URL)  # answers bytes (no decode_responses)
        for key in r.scan_iter(f"{REDIS_PREFIX}:*"):
            names.add(key.decode())
            values.append(key)
            value = r.get(key) or b""
            values.append(value)
            try:
                values.append(repr(pickle.loads(value)).encode())
            except Exception:
                pass
    return names, values


def candidates(values: list[bytes]) -> set[bytes]:
    """Every token in the store that could serve as a salt or key."""
    out: set[bytes] = set()
    for v in values:
        out.add(v)
        for sep in (b"'", b'"', b":", b" ", b"|"):
            out.update(p for p in v.split(sep) if 8 <= len(p) <= 128)
    for c in list(out):
        try:
            out.add(bytes.fromhex(c.decode()))
        except ValueError:
            pass
    return out


def attack(names: set[str], values: list[bytes], slot_now: float) -> set[str]:
    """Addresses whose counter the attacker can identify in the store."""

    def forms(digest: str) -> set[str]:
        keys = {f"intake:rate:{b}:{digest}" for b in ("tip", "code")}
        full = keys | {f":1:{k}" for k in keys} | {f"{REDIS_PREFIX}:1:{k}" for k in keys}
        return full | {hashlib.md5(k.encode()).hexdigest() for k in full}  # file cache names

    found = set()
    secrets_ = candidates(values)
    for address, network in zip(ADDRESSES, NETWORKS, strict=True):
        for who in {address, network}:
            digests = {hashlib.sha256(who.encode()).hexdigest()}
            for s in secrets_:
                text = s.decode(errors="ignore")
                digests.add(hashlib.sha256(f"{text}|{who}".encode()).hexdigest())
                digests.add(hashlib.sha256(f"{text}{who}".encode()).hexdigest())
                digests.add(hmac.new(s, who.encode(), hashlib.sha256).hexdigest())
                for bucket in ("tip", "code"):
                    slot = int(slot_now // 3600)
                    msg = f"{bucket}|3600|{slot}|{who}".encode()
                    digests.add(hmac.new(s, msg, hashlib.sha256).hexdigest()[:32])
            if any(forms(d) & names for d in digests):
                found.add(address)
    return found


def send_tips(caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    for address in ADDRESSES:
        c = Client(REMOTE_ADDR=address)
        assert (
            c.post("/report/", {"narrative": f"tip from a client {len(address)}"}).status_code
            == 303
        )
        assert c.post("/report/follow-up/", {"code": "WRONG-CODE"}).status_code == 200


def test_no_address_or_salt_to_recover_it_in_database_cache_or_logs(
    store: str, tmp_path: Path, caplog: Any, capsys: Any
) -> None:
    send_tips(caplog)
    assert Tip.objects.count() == len(ADDRESSES)
    names, values = dump_store(store, tmp_path)
    assert any("intake" in n for n in names) or store == "file"
    assert len(names) >= 2 * len(ADDRESSES)  # the counters are really in this store

    blob = b"\n".join(values) + "\n".join(names).encode()
    key = privacy._PROCESS_KEY
    assert key not in blob and key.hex().encode() not in blob
    for address, network in zip(ADDRESSES, NETWORKS, strict=True):
        assert address.encode() not in blob and network.encode() not in blob
    assert attack(names, values, time.time()) == set()

    # The attack is real: handed the process key (which never leaves memory) it finds them all.
    assert attack(names, values + [key], time.time()) == set(ADDRESSES)

    out = _Buffer()
    call_command("dumpdata", stdout=out)
    logs = caplog.text + "".join(capsys.readouterr())
    for address in ADDRESSES:
        assert address not in out.text and address not in logs


def test_the_old_design_salt_beside_the_counters_is_caught(store: str, tmp_path: Path) -> None:
    """Control: a daily salt stored in the cache next to sha256(salt|address) counters (what
    this replaced) is recovered by the same attacker."""
    salt = "9f" * 32
    cache.set("intake:salt:2026-12-01", salt, 3600)
    for address in ADDRESSES:
        digest = hashlib.sha256(f"{salt}|{address}".encode()).hexdigest()
        cache.set(f"intake:rate:tip:{digest}", 1, 3600)
    names, values = dump_store(store, tmp_path)
    assert attack(names, values, time.time()) == set(ADDRESSES)


def test_over_the_limit_no_upload_is_read_and_what_was_typed_stays(
    client: Client, settings: Any, monkeypatch: Any
) -> None:
    settings.TIP_RATE_LIMIT_PER_HOUR = 1
    assert client.post("/report/", {"narrative": "first"}).status_code == 303
    chunks: list[int] = []
    from django.core.files import uploadhandler

    original = uploadhandler.MemoryFileUploadHandler.receive_data_chunk

    def spy(self: Any, raw: bytes, start: int) -> Any:
        chunks.append(len(raw))
        return original(self, raw, start)

    monkeypatch.setattr(uploadhandler.MemoryFileUploadHandler, "receive_data_chunk", spy)
    decoded: list[Any] = []
    from returnwatch.intake import files

    monkeypatch.setattr(files, "_receive", lambda u: decoded.append(u))
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("big.png", b"\x89PNG" + b"\x00" * 200_000, "image/png")
    r = client.post("/report/", {"narrative": "SECOND-TEXT-KEPT", "files": [photo]})
    assert r.status_code == 429
    text = r.content.decode()
    assert "SECOND-TEXT-KEPT" in text
    assert "please choose them again" in text  # beside the file field
    assert chunks == [] and decoded == []  # no byte of the file reached a handler or a check
    assert Tip.objects.count() == 1


def test_one_ipv6_network_is_one_client(settings: Any) -> None:
    settings.TIP_RATE_LIMIT_PER_HOUR = 1
    a = Client(REMOTE_ADDR="2001:db8:1:2::1")
    b = Client(REMOTE_ADDR="2001:db8:1:2:ffff::99")
    assert a.post("/report/", {"narrative": "a"}).status_code == 303
    assert b.post("/report/", {"narrative": "b"}).status_code == 429
    assert (
        Client(REMOTE_ADDR="2001:db8:1:3::1").post("/report/", {"narrative": "c"}).status_code
        == 303
    )


class _Buffer:
    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str) -> None:
        self.text += s

    def flush(self) -> None:
        pass
