"""Reading: a CSV (`,` `;` or tab, UTF-8 or Windows-1252) or the first sheet of an XLSX,
as a header row and numbered rows of cells. Nothing is interpreted yet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _


def max_rows() -> int:
    """The most rows one file may hold (setting IMPORT_MAX_ROWS)."""
    return int(getattr(settings, "IMPORT_MAX_ROWS", 500_000))


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[Any]]]  # (row number in the file, cells)


class ImportError_(Exception):
    """The file cannot be read at all (wrong format, no header row, too many rows)."""


def read_table(data: bytes, filename: str, head: int | None = None) -> Table:
    """The table in the file; with `head`, only its header and first `head` rows (to map
    the columns of a large file without reading all of it)."""
    if filename.lower().endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        return _read_xlsx(data, head)
    return _read_csv(data, head)


def _read_csv(data: bytes, head: int | None = None) -> Table:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover — cp1252 decodes almost anything
        raise ImportError_(_("The file is not text in UTF-8 or Windows-1252."))
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _table(enumerate(reader, start=1), head)


def _read_xlsx(data: bytes, head: int | None = None) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ImportError_(_("The file is not a readable XLSX workbook.")) from error
    try:
        sheet = workbook.worksheets[0]
        return _table(enumerate(sheet.iter_rows(values_only=True), start=1), head)
    finally:
        workbook.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(numbered: Iterable[tuple[int, Any]], head: int | None = None) -> Table:
    headers: list[str] | None = None
    rows: list[tuple[int, list[Any]]] = []
    limit = max_rows()
    for number, cells in numbered:
        cells = list(cells)
        if all(_blank(c) for c in cells):
            continue
        if headers is None:
            headers = [str(c).strip() if c is not None else "" for c in cells]
            while headers and not headers[-1]:
                headers.pop()
            headers = [h or f"column {i + 1}" for i, h in enumerate(headers)]
            continue
        if not rows and all(_blank(c) or str(c).startswith("#") for c in cells):
            continue  # an HXL hashtag row (our own CSV with ?hxl=1)
        rows.append((number, cells[: len(headers)] + [None] * (len(headers) - len(cells))))
        if head is not None and len(rows) >= head:
            break
        if len(rows) > limit:
            raise ImportError_(
                _("The file has more than %(n)s rows: split it into several files.")
                % {"n": f"{limit:,}"}
            )
    if headers is None:
        raise ImportError_(_("The file is empty: it needs a header row and rows of data."))
    return Table(headers, rows)
