"""The search parameters shared by /incidents/, the exports, the feed and the API.

`q` (full text), one parameter per facet (`type`, `city`, `perpetrator`, `group`,
`nationality`, `program`, `place`, `year`), `from` and `to` (dates), `document` (incidents
citing a library document). Values are vocabulary codes; repeating a parameter means any of
its values; different parameters must all hold. Unknown codes and malformed values are
ignored with a notice — never an error page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.db.models import Model, QuerySet
from django.db.models.expressions import RawSQL
from django.http import QueryDict
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import search
from .models import (
    AccountabilityStatus,
    Citation,
    City,
    Country,
    Incident,
    LatestAccountability,
    Perpetrator,
    PlaceType,
    Program,
    VictimGroup,
    ViolenceType,
)


@dataclass(frozen=True)
class Facet:
    param: str
    label: Any  # lazily translated
    model: type[Model]
    field: str  # Incident field name (for a link table of its own, the lookup path)
    many: bool
    link: type[Model] | None = None  # a link table that is not a many-to-many field's

    @property
    def through(self) -> Any:
        """The link table of a many-valued facet: incident_id, <model name>_id."""
        return self.link or getattr(Incident, self.field).through


FACETS: tuple[Facet, ...] = (
    Facet("type", gettext_lazy("Violence type"), ViolenceType, "violence_types", True),
    Facet("city", gettext_lazy("City"), City, "city", False),
    Facet("perpetrator", gettext_lazy("Perpetrator"), Perpetrator, "perpetrators", True),
    Facet("group", gettext_lazy("Victim group"), VictimGroup, "victim_groups", True),
    Facet("nationality", gettext_lazy("Nationality"), Country, "nationalities", True),
    Facet("program", gettext_lazy("Program"), Program, "program", False),
    Facet("place", gettext_lazy("Place type"), PlaceType, "place_type", False),
    # The latest public step of each incident (public/accountability.py), from a view.
    Facet(
        "accountability",
        gettext_lazy("Accountability"),
        AccountabilityStatus,
        "latest_accountability__accountabilitystatus",
        True,
        LatestAccountability,
    ),
)
SORTS = ("date", "-date", "relevance")
# The order of parameters in every address the site builds: one address per search, whatever
# order the filters were clicked in.
PARAM_ORDER = {
    name: i
    for i, name in enumerate(
        ("q", *(f.param for f in FACETS), "year", "from", "to", "document", "sort", "page")
    )
}
CODE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def printable(value: str) -> str:
    """A user's value safe to repeat in a notice: no control characters."""
    return "".join(c for c in value if c.isprintable())


MAX_VALUES_PER_PARAM = 50


def usual_sort(q: str) -> str:
    """Relevance when there are words to rank by, else newest first."""
    return "relevance" if q else "-date"


@dataclass
class Search:
    q: str = ""
    selected: dict[str, list[Any]] = field(default_factory=dict)  # param -> Term objects
    years: list[int] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    document: int | None = None
    sort: str = "-date"
    notices: list[str] = field(default_factory=list)

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.q
            or any(self.selected.values())
            or self.years
            or self.date_from
            or self.date_to
            or self.document
        )

    def apply(self, qs: QuerySet[Incident], *, scope: str = "public") -> QuerySet[Incident]:
        for facet in FACETS:
            terms = self.selected.get(facet.param)
            if not terms:
                continue
            ids = [t.pk for t in terms]
            if facet.many:
                through = facet.through
                column = f"{facet.model._meta.model_name}_id"
                qs = qs.filter(
                    pk__in=through.objects.filter(**{f"{column}__in": ids}).values("incident_id")
                )
            else:
                qs = qs.filter(**{f"{facet.field}_id__in": ids})
        if self.years:
            qs = qs.filter(year__in=self.years)
        if self.date_from:
            qs = qs.filter(date__gte=self.date_from)
        if self.date_to:
            qs = qs.filter(date__lte=self.date_to)
        if self.document:
            qs = qs.filter(
                pk__in=Citation.objects.filter(document_id=self.document).values("incident_id")
            )
        if self.q:
            qs = search.filter_text(qs, self.q, scope=scope)
        return qs

    def order(
        self, qs: QuerySet[Incident], *, scope: str = "public"
    ) -> QuerySet[Incident] | search.Ranked:
        if self.sort == "relevance" and self.q:
            return search.order_by_relevance(qs, self.q, scope=scope)
        if self.sort == "date":
            return qs.order_by("date", "id")
        return qs.order_by("-date", "-id")

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """The parameters of this search as (name, value) pairs, for links."""
        pairs: list[tuple[str, str]] = []
        if self.q:
            pairs.append(("q", self.q))
        for facet in FACETS:
            pairs += [(facet.param, t.code) for t in self.selected.get(facet.param, [])]
        pairs += [("year", str(y)) for y in self.years]
        if self.date_from:
            pairs.append(("from", self.date_from.isoformat()))
        if self.date_to:
            pairs.append(("to", self.date_to.isoformat()))
        if self.document:
            pairs.append(("document", str(self.document)))
        return pairs

    def link_params(
        self,
        *,
        toggle: tuple[str, str] | None = None,
        sort: str | None = None,
        page: int | None = None,
        export: bool = False,
    ) -> list[tuple[str, str]]:
        """The parameters of a link to this search with one change (see `query_string`)."""
        pairs = self.params()
        if toggle is not None:
            pairs = [p for p in pairs if p != toggle] if toggle in pairs else [*pairs, toggle]
        if not export:
            words = next((v for k, v in pairs if k == "q"), "")
            chosen = sort or self.sort
            if chosen != usual_sort(words) and (words or chosen != "relevance"):
                pairs.append(("sort", chosen))
            if page is not None and page > 1:
                pairs.append(("page", str(page)))
        pairs.sort(key=lambda p: PARAM_ORDER.get(p[0], len(PARAM_ORDER)))
        return pairs

    def query_string(
        self,
        *,
        toggle: tuple[str, str] | None = None,
        sort: str | None = None,
        page: int | None = None,
        export: bool = False,
        extra: Sequence[tuple[str, str]] = (),
    ) -> str:
        """The query of a link to this search with one change: "?…", or "" for no parameters.

        Every link of the search page is built here, so each keeps the rest of the search.
        `toggle` adds a (parameter, value) pair, or removes it when the search has it (facet
        values, "remove filter" — also for `q`, years and dates); `sort` changes the order;
        `page` picks a page (any other change starts again at the first page); `export` leaves
        sort and page out (downloads and feeds have their own order); `extra` appends pairs
        such as ("bom", "1"). A sort that is the usual one for the resulting words is left out.
        """
        pairs = [*self.link_params(toggle=toggle, sort=sort, page=page, export=export), *extra]
        return f"?{urlencode(pairs)}" if pairs else ""

    def applied(self, document_title: str = "") -> list[Applied]:
        """The filters in use, each with the query of this search without it."""
        out: list[Applied] = []

        def add(name: str, value: str, pair: tuple[str, str]) -> None:
            out.append(Applied(name, value, self.query_string(toggle=pair)))

        if self.q:
            add(_("Words"), self.q, ("q", self.q))
        for facet in FACETS:
            for t in self.selected.get(facet.param, []):
                add(str(facet.label), t.label, (facet.param, t.code))
        for y in self.years:
            add(_("Year"), str(y), ("year", str(y)))
        if self.date_from:
            add(_("From"), date_format(self.date_from), ("from", self.date_from.isoformat()))
        if self.date_to:
            add(_("To"), date_format(self.date_to), ("to", self.date_to.isoformat()))
        if self.document:
            add(
                _("Cited in"),
                document_title or _("a library document"),
                ("document", str(self.document)),
            )
        return out


@dataclass(frozen=True)
class Applied:
    """A filter in use, for a "remove filter" link."""

    name: str
    value: str
    remove_query: str


def _parse_date(value: str) -> dt.date | None:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


def parse(params: QueryDict, *, default_sort: str | None = None) -> Search:
    """Read search parameters; anything unusable becomes a notice and is ignored."""
    s = Search()
    s.q = printable(" ".join(params.get("q", "").split()))[:200]
    for facet in FACETS:
        codes = [c.strip().lower() for c in params.getlist(facet.param) if c.strip()]
        codes = list(dict.fromkeys(codes))[:MAX_VALUES_PER_PARAM]
        if not codes:
            continue
        # Only well-formed codes reach the database (no NUL bytes or other oddities).
        wellformed = [c for c in codes if CODE.fullmatch(c)]
        found = {t.code: t for t in facet.model.objects.filter(code__in=wellformed)}  # type: ignore[attr-defined]  # a vocabulary model
        s.selected[facet.param] = [found[c] for c in codes if c in found]
        for code in codes:
            if code not in found:
                s.notices.append(
                    _("Unknown value “%(value)s” for “%(param)s” was ignored.")
                    % {"value": printable(code[:40]), "param": facet.param}
                )
    for raw in params.getlist("year"):
        # isascii: "٢٠٢٠" is decimal too; int() strips less than str.strip ("\x1f0").
        year = raw.strip()
        if year.isascii() and year.isdecimal() and 1900 <= int(year) <= 2100:
            s.years.append(int(year))
        elif raw.strip():
            s.notices.append(
                _("“%(value)s” is not a year and was ignored.") % {"value": printable(raw[:20])}
            )
    for name in ("from", "to"):
        raw = params.get(name, "")
        if not raw.strip():
            continue
        parsed = _parse_date(raw)
        if parsed is None:
            s.notices.append(
                _("“%(value)s” is not a date (use YYYY-MM-DD) and was ignored.")
                % {"value": printable(raw[:20])}
            )
        elif name == "from":
            s.date_from = parsed
        else:
            s.date_to = parsed
    raw_doc = params.get("document", "").strip()
    if raw_doc:
        if raw_doc.isdecimal() and len(raw_doc) <= 18 and _shown_document(int(raw_doc)):
            s.document = int(raw_doc)
        elif raw_doc.isdecimal() and len(raw_doc) <= 18:
            # The same answer for a hidden document as for one that does not exist.
            s.notices.append(
                _("“%(value)s” is not a public document and was ignored.")
                % {"value": printable(raw_doc[:20])}
            )
        else:
            s.notices.append(
                _("“%(value)s” is not a document number and was ignored.")
                % {"value": printable(raw_doc[:20])}
            )
    sort = params.get("sort", "")
    if sort in SORTS:
        s.sort = sort
    elif sort:
        s.notices.append(
            _("Unknown sort order “%(value)s” was ignored.") % {"value": printable(sort[:20])}
        )
        s.sort = default_sort or usual_sort(s.q)
    else:
        s.sort = default_sort or usual_sort(s.q)
    if s.sort == "relevance" and not s.q:
        s.sort = "-date"
    return s


PIN_LIMIT = 10_000


def pinned(base: QuerySet[Incident], matching: QuerySet[Incident]) -> QuerySet[Incident]:
    """`base` narrowed to the incidents of `matching`, found once — when they are few.

    A search page asks the database several things about one matching set (how many, which
    page, facet counts, relevance); without this each question repeats the full-text match
    and every filter. Up to PIN_LIMIT ids are read once and later queries select from that
    list (json_each on SQLite, an array on PostgreSQL: one parameter). Beyond that, passing
    the list costs more than repeating the search (measured in docs/benchmarks.md), so the
    search is kept as it is.
    """
    ids = list(matching.order_by().values_list("pk", flat=True)[: PIN_LIMIT + 1])
    if len(ids) > PIN_LIMIT:
        return matching
    return base.filter(pk__in=id_list(ids))


def id_list(ids: list[int]) -> RawSQL:
    """A list of ids as one parameter (json_each on SQLite, an array on PostgreSQL)."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])


def _shown_document(document_id: int) -> bool:
    from returnwatch import public  # public reads this module's Search: imported late

    return public.shown_document(document_id)
