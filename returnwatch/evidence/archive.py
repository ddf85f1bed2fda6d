"""The web archive: every exchange as WARC request/response records (warcio), packed into a
WACZ (py-wacz) with its index and page list; and the reader that replays records from it.
"""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from .fetch import Exchange


def write_warc(path: Path, exchanges: list[Exchange], info: dict[str, Any]) -> None:
    """Complete exchanges only: a response cut short by a limit is never archived."""
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, info))
        for ex in exchanges:
            if not ex.complete or ex.status is None:
                continue
            writer.write_request_response_pair(_request(writer, ex), _response(writer, ex))


def _warc_headers(ex: Exchange) -> dict[str, str]:
    headers = {"WARC-Date": ex.started_at.strftime("%Y-%m-%dT%H:%M:%SZ")}
    if ex.ip:
        headers["WARC-IP-Address"] = ex.ip
    return headers


def _request(writer: WARCWriter, ex: Exchange) -> Any:
    parts = urlsplit(ex.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    http = StatusAndHeaders(
        f"{ex.method} {target} HTTP/1.1", ex.request_headers, is_http_request=True
    )
    return writer.create_warc_record(
        ex.url,
        "request",
        payload=io.BytesIO(ex.request_body),
        http_headers=http,
        warc_headers_dict=_warc_headers(ex),
    )


def _response(writer: WARCWriter, ex: Exchange) -> Any:
    # The body was read whole (chunked framing undone), so it is framed by its length.
    headers = [(k, v) for k, v in ex.headers if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(ex.body))))
    http = StatusAndHeaders(f"{ex.status} {ex.reason}", headers, protocol="HTTP/1.1")
    return writer.create_warc_record(
        ex.url,
        "response",
        payload=io.BytesIO(ex.body),
        length=len(ex.body),
        http_headers=http,
        warc_headers_dict=_warc_headers(ex),
    )


def write_wacz(out: Path, warc: Path, page_url: str, title: str, ts: str, text: str) -> None:
    """Pack the WARC with its index and a pages.jsonl naming the captured page."""
    from wacz.main import main as wacz_main

    pages = out.with_suffix(".pages.jsonl")
    with open(pages, "w", encoding="utf-8") as f:
        f.write(json.dumps({"format": "json-pages-1.0", "id": "pages", "title": "Pages"}) + "\n")
        page = {"id": "1", "url": page_url, "ts": ts, "title": title, "text": text[:100_000]}
        f.write(json.dumps(page) + "\n")
    with contextlib.redirect_stdout(io.StringIO()):
        code = wacz_main(
            ["create", "-o", str(out), "-p", str(pages), "--title", title or page_url, str(warc)]
        )
    pages.unlink()
    if code not in (0, None):
        raise RuntimeError(f"wacz create failed ({code})")


def validate_wacz(path: Path) -> bool:
    """The wacz package's own validator (what `wacz validate -f FILE` runs)."""
    from wacz.main import main as wacz_main

    with contextlib.redirect_stdout(io.StringIO()):
        return wacz_main(["validate", "-f", str(path)]) == 0


# ---------------------------------------------------------------------------- replay


def _warcs(wacz: IO[bytes]) -> Iterator[IO[bytes]]:
    with zipfile.ZipFile(wacz) as z:
        for name in z.namelist():
            if name.startswith("archive/") and (
                name.endswith(".warc.gz") or name.endswith(".warc")
            ):
                with z.open(name) as f:
                    yield f


def find_response(wacz: IO[bytes], url: str) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """The archived response for `url` (status, headers, body), read from the WACZ itself."""
    wanted = {url.split("#")[0], url.split("#")[0].rstrip("/")}
    for warc in _warcs(wacz):
        for record in ArchiveIterator(warc):
            if record.rec_type != "response":
                continue
            target = record.rec_headers.get_header("WARC-Target-URI") or ""
            if target in wanted or target.rstrip("/") in wanted:
                http = record.http_headers
                return (
                    int(http.get_statuscode()),
                    list(http.headers),
                    record.content_stream().read(),
                )
    return None
