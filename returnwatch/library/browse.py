"""Filters, search, sorting and facet counts for /resources/, over the public projection only.

Parameters: `q` (words in titles, summaries, publisher; accent-insensitive, English and
Spanish alike), `kind`, `organization`, `year`, `language`, `program`, `sort` (newest, oldest).
Repeating a parameter means any of its values; different parameters must all hold. Unknown
values are ignored with a notice, never an error page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.http import QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

from returnwatch import public
from returnwatch.incidents.models import Program
from returnwatch.incidents.search import words

from .models import LibraryItem, LibraryKind

FACETS = ("kind", "organization", "year", "language", "program")
SORTS = {
    "newest": ("-document__date_published", "-pk"),
    "oldest": ("document__date_published", "pk"),
}


@dataclass
class Choice:
    value: str
    label: str
    count: int
    selected: bool
    url: str = ""


@dataclass
class Browse:
    q: str
    sort: str
    selected: dict[str, list[str]]
    notices: list[str] = field(default_factory=list)


def language_name(code: str) -> str:
    try:
        return str(translation.get_language_info(code)["name_translated"])
    except KeyError:
        return code


def parse(params: QueryDict) -> Browse:
    """Read the query string, dropping (with a notice) values that are not known."""
    selected: dict[str, list[str]] = {}
    notices: list[str] = []
    for name in FACETS:
        values = [v.strip() for v in params.getlist(name) if v.strip()]
        valid = [v for v in dict.fromkeys(values) if _valid(name, v)]
        for bad in sorted(set(values) - set(valid)):
            notices.append(
                _("Unknown value ignored: %(name)s=%(value)s") % {"name": name, "value": bad}
            )
        if valid:
            selected[name] = valid
    sort = params.get("sort", "newest")
    if sort not in SORTS:
        notices.append(_("Unknown sort order ignored: %(value)s") % {"value": sort})
        sort = "newest"
    return Browse(
        q=params.get("q", "").strip()[:200], sort=sort, selected=selected, notices=notices
    )


def _valid(name: str, value: str) -> bool:
    if name == "kind":
        return value in LibraryKind.values
    if name == "year":
        return value.isdigit() and len(value) == 4
    if name == "program":
        return Program.objects.filter(code=value).exists()
    if name == "language":
        return len(value) <= 10
    return len(value) <= 200  # organization: any publisher name


def _filter(qs: QuerySet[LibraryItem], name: str, values: list[str]) -> QuerySet[LibraryItem]:
    if name == "kind":
        return qs.filter(kind__in=values)
    if name == "organization":
        return qs.filter(document__publisher__in=values)
    if name == "year":
        return qs.filter(document__date_published__year__in=[int(v) for v in values])
    if name == "language":
        return qs.filter(document__language__in=values)
    if name == "program":
        through = LibraryItem.programs.through.objects.filter(program__code__in=values)
        return qs.filter(pk__in=through.values("libraryitem_id"))
    raise ValueError(name)


def search(qs: QuerySet[LibraryItem], q: str) -> QuerySet[LibraryItem]:
    """Every word must appear (as a word start) in the folded titles, summaries or publisher."""
    for word in words(q):
        # search_text is folded text: single spaces between words, no accents, lower case.
        qs = qs.filter(Q(search_text__startswith=word) | Q(search_text__contains=f" {word}"))
    return qs


def filtered(b: Browse, *, without: str = "") -> QuerySet[LibraryItem]:
    qs = search(public.library_items(), b.q)
    for name, values in b.selected.items():
        if name != without:
            qs = _filter(qs, name, values)
    return qs


def results(b: Browse) -> QuerySet[LibraryItem]:
    return filtered(b).order_by(*SORTS[b.sort])


def facets(b: Browse) -> dict[str, list[Choice]]:
    """Counts per value of each facet, with the other facets' filters applied (not its own)."""
    out: dict[str, list[Choice]] = {}
    for name in FACETS:
        qs = filtered(b, without=name)
        chosen = b.selected.get(name, [])
        if name == "kind":
            counts = dict(qs.values_list("kind").annotate(n=Count("pk")).order_by())
            rows = [(k.value, str(k.label), counts.get(k.value, 0)) for k in LibraryKind]
            rows = [r for r in rows if r[2] or r[0] in chosen]
        elif name == "organization":
            counts = dict(
                qs.exclude(document__publisher="")
                .values_list("document__publisher")
                .annotate(n=Count("pk"))
                .order_by()
            )
            rows = sorted(((p, p, n) for p, n in counts.items()), key=lambda r: (-r[2], r[1]))
        elif name == "year":
            counts = dict(
                qs.exclude(document__date_published=None)
                .annotate(y=ExtractYear("document__date_published"))
                .values_list("y")
                .annotate(n=Count("pk"))
                .order_by()
            )
            rows = [(str(y), str(y), n) for y, n in sorted(counts.items(), reverse=True)]
        elif name == "language":
            counts = dict(
                qs.exclude(document__language="")
                .values_list("document__language")
                .annotate(n=Count("pk"))
                .order_by()
            )
            rows = sorted(
                ((c, language_name(c), n) for c, n in counts.items()), key=lambda r: (-r[2], r[1])
            )
        else:  # program
            through = LibraryItem.programs.through.objects.filter(
                libraryitem_id__in=qs.values("pk")
            )
            counts = dict(through.values_list("program_id").annotate(n=Count("pk")).order_by())
            rows = [
                (p.code, p.label, counts.get(p.pk, 0))
                for p in Program.objects.filter(pk__in=counts.keys())
            ]
        for value in chosen:  # a chosen value always shows, even with no results
            if value not in {r[0] for r in rows}:
                rows.append((value, _label(name, value), 0))
        out[name] = [Choice(v, label, n, v in chosen) for v, label, n in rows]
    return out


def _label(name: str, value: str) -> str:
    if name == "language":
        return language_name(value)
    if name == "program":
        p = Program.objects.filter(code=value).first()
        return p.label if p else value
    return value


def toggle_url(params: QueryDict, name: str, value: str) -> str:
    """The query string with `name=value` added, or removed when present; back to page 1."""
    q = params.copy()
    q.pop("page", None)
    values = q.getlist(name)
    q.setlist(name, [v for v in values if v != value] if value in values else [*values, value])
    encoded = q.urlencode()
    return f"?{encoded}" if encoded else "?"


def project(page_rows: list[Any]) -> list[public.PublicLibraryItem]:
    """Public records for one page, counting citing cases for these rows only (not all)."""
    ids = [r.pk for r in page_rows]
    counted = {
        r.pk: r for r in public.with_incident_counts(public.library_items().filter(pk__in=ids))
    }
    return public.project_library([counted[pk] for pk in ids if pk in counted])
