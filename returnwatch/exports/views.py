"""Public data downloads (/exports/…) and the data page (/data/). Everything reads through
returnwatch.public (via `formats`), takes the search parameters of /incidents/, has no row cap,
and streams: memory stays flat however many rows match."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from returnwatch import public
from returnwatch.incidents import filters
from returnwatch.incidents.models import DatePrecision, Gender, Verification, YesNoUnknown

from . import fields as field_docs
from . import formats


def _search(request: HttpRequest) -> tuple[Any, list[tuple[str, str]]]:
    search = filters.parse(request.GET)
    return search.apply(public.incidents()), search.params()


def _download(
    body: Iterator[Any], content_type: str, filename: str, request: HttpRequest
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(body, content_type=content_type)
    disposition = "inline" if request.GET.get("inline") == "1" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    # Public data: any site may read it (no cookies are involved in these answers).
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Robots-Tag"] = "noindex"
    return response


def _flag(request: HttpRequest, name: str) -> bool:
    return request.GET.get(name) in ("1", "true", "yes")


@require_GET
def incidents_csv(request: HttpRequest) -> StreamingHttpResponse:
    """`?hxl=1` adds a row of HXL hashtags; `?bom=1` starts with a byte-order mark for Excel."""
    qs, _params = _search(request)
    hxl = _flag(request, "hxl")
    name = "returnwatch-incidents-hxl.csv" if hxl else "returnwatch-incidents.csv"
    body = formats.csv_chunks(qs, hxl=hxl, bom=_flag(request, "bom"))
    return _download(body, "text/csv; charset=utf-8", name, request)


@require_GET
def incidents_json(request: HttpRequest) -> StreamingHttpResponse:
    qs, params = _search(request)
    return _download(
        formats.json_chunks(qs, params),
        "application/json",
        "returnwatch-incidents.json",
        request,
    )


@require_GET
def incidents_geojson(request: HttpRequest) -> StreamingHttpResponse:
    qs, params = _search(request)
    return _download(
        formats.geojson_chunks(qs, params),
        "application/geo+json",
        "returnwatch-incidents.geojson",
        request,
    )


@require_GET
def incidents_sqlite(request: HttpRequest) -> FileResponse:
    """Built in a temporary file (SQLite needs one), then streamed from disk."""
    qs, _params = _search(request)
    tmp_dir = settings.VAR_DIR / "tmp"
    tmp_dir.mkdir(parents=True, exist_ok=True)
    fd, path = tempfile.mkstemp(suffix=".sqlite", dir=tmp_dir)
    os.close(fd)
    try:
        os.unlink(path)  # sqlite3 creates it afresh
        formats.build_sqlite(qs, path)
        handle = open(path, "rb")  # noqa: SIM115 — FileResponse closes it
    finally:
        # The open handle keeps the data readable; the name is gone at once.
        if os.path.exists(path):
            os.unlink(path)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename="returnwatch-incidents.sqlite",
        content_type="application/vnd.sqlite3",
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def datapackage_zip(request: HttpRequest) -> StreamingHttpResponse:
    qs, params = _search(request)
    return _download(
        formats.datapackage_chunks(qs, params),
        "application/zip",
        "returnwatch-datapackage.zip",
        request,
    )


@require_GET
def vocabulary_csv(request: HttpRequest, name: str) -> HttpResponse:
    if name not in formats.VOCABULARY_NAMES:
        raise Http404(_("There is no such vocabulary."))
    response = HttpResponse(formats.vocabulary_csv(name), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="returnwatch-{name}.csv"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def data_page(request: HttpRequest) -> HttpResponse:
    vocabularies = []
    for name, model, _extra in formats.VOCABULARIES:
        vocabularies.append(
            {
                "name": name,
                "title": model._meta.verbose_name_plural,
                "terms": list(model.objects.all()),
                "is_city": name == "cities",
            }
        )
    choices = [
        ("date_precision", DatePrecision.choices),
        ("gender", Gender.choices),
        ("fear_expressed", YesNoUnknown.choices),
        ("verification", Verification.choices),
    ]
    base = formats.site_url()
    context = {
        "fields": field_docs.fields(),
        "vocabularies": vocabularies,
        "choices": choices,
        "license": formats.license_info(),
        "citation": formats.citation(),
        "separator": formats.MULTI_SEPARATOR,
        "examples": [
            f"{base}/exports/incidents.csv",
            f"{base}/exports/incidents.csv?city=reynosa&type=kidnapping",
            f"{base}/exports/incidents.csv?hxl=1&year=2019",
            f"{base}/exports/incidents.json?q=secuestro&group=child",
            f"{base}/exports/incidents.geojson?program=mpp-2019",
            f"{base}/exports/incidents.sqlite",
            f"{base}/exports/datapackage.zip?from=2019-01-01&to=2019-12-31",
            f"{base}/feeds/incidents.atom?city=reynosa&type=kidnapping",
            f"{base}/api/v1/incidents/?city=tijuana&nationality=hn",
        ],
        "published": public.incident_ids().count(),
    }
    return render(request, "exports/data.html", context)
