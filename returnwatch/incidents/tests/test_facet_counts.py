"""Result and facet counts of the fast path (bitmap index) equal plain SQL counts, before and
after every kind of change the workspace makes: create, edit, publish, retract, merge.

CI runs this module on SQLite and PostgreSQL. The expected numbers come from plain queries
over the tables, written here independently of facets.py.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db.models import Count, QuerySet
from django.http import QueryDict
from django.test import RequestFactory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware

from conftest import cite, give_totp
from returnwatch.incidents import (
    actions,
    bulk,
    facets,
    filters,
    matches,
    merging,
    search,
    stats,
    workflow,
)
from returnwatch.incidents.filters import FACETS
from returnwatch.incidents.models import (
    AccountabilityStep,
    City,
    Incident,
    SearchEntry,
    ViolenceType,
)

pytestmark = pytest.mark.django_db

SEARCHES = [
    "",
    "q=kidnapped",
    "q=kidnapped&group=child",  # by relevance among a facet's matches
    "type=kidnapping",
    "type=kidnapping&city=tijuana",
    "group=child&year=2020",
    "q=family&sort=-date",
    "nationality=hn&type=kidnapping&type=extortion",
    "city=reynosa&sort=date",
    "from=2020-01-01&to=2020-12-31&program=mpp-2019",
    "accountability=crcl-filed",
    "accountability=crcl-no-answer&accountability=oig-acknowledged&city=reynosa",
]


def plain(query: str) -> tuple[list[int], dict[str, dict[str, int]]]:
    """Ids newest first and every facet's counts, by plain queries."""
    params = QueryDict(query)
    qs: QuerySet[Incident] = Incident.objects.filter(status="published", merged_into__isnull=True)
    for facet in FACETS:
        codes = params.getlist(facet.param)
        if codes:
            qs = qs.filter(
                pk__in=Incident.objects.filter(**{f"{facet.field}__code__in": codes}).values("pk")
            )
    if params.getlist("year"):
        qs = qs.filter(year__in=[int(y) for y in params.getlist("year")])
    if params.get("from"):
        qs = qs.filter(date__gte=params["from"])
    if params.get("to"):
        qs = qs.filter(date__lte=params["to"])
    if params.get("q"):
        qs = search.filter_text(qs, params["q"])
    ids = list(qs.order_by("-date", "-id").values_list("pk", flat=True))
    out: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        if facet.many:
            through = facet.through
            code = f"{facet.model._meta.model_name}__code"
            rows = through.objects.filter(incident_id__in=ids).values(code).annotate(n=Count("id"))
        else:
            code = f"{facet.field}__code"
            rows = (
                Incident.objects.filter(pk__in=ids, **{f"{facet.field}__isnull": False})
                .values(code)
                .annotate(n=Count("id"))
            )
        out[facet.param] = {r[code]: r["n"] for r in rows}
    years = (
        Incident.objects.filter(pk__in=ids, year__isnull=False)
        .values("year")
        .annotate(n=Count("id"))
    )
    out["year"] = {str(r["year"]): r["n"] for r in years}
    return ids, out


def plain_relevance(ids: list[int], query: str) -> list[int]:
    """`ids` (newest first) by relevance.py's score, written out plainly: over the words,
    ln(1 + (N - n + 0.5) / (n + 0.5)) times t * 2.2 / (t + 1.2), t how often (at most 3)
    the text holds one word starting with the query word; ties stay newest first."""
    words = search.words(query)
    public_texts = dict(
        SearchEntry.objects.filter(
            incident__status="published", incident__merged_into__isnull=True
        ).values_list("incident_id", "public")
    )

    def times(word: str, text: str) -> int:
        found = text.split()
        return min(3, max([found.count(w) for w in found if w.startswith(word)] or [0]))

    total = len(public_texts)
    weights = []
    for word in words:
        n = sum(1 for text in public_texts.values() if times(word, text))
        weights.append(math.log(1 + (total - n + 0.5) / (n + 0.5)))

    def score(pk: int) -> float:
        counted = [times(word, public_texts[pk]) for word in words]
        return math.fsum(w * t * 2.2 / (t + 1.2) for w, t in zip(weights, counted, strict=True))

    return sorted(ids, key=lambda pk: -score(pk))


def params_q(query: str) -> str:
    return QueryDict(query).get("q", "")


def check_all(client: Any) -> None:
    # The statistics from the index's bitmaps equal those of plain SQL (counting rules).
    idx = facets.index(wait=True)
    if idx is not None:  # (the "sql" path has none)
        assert stats._from_index(idx) == stats._from_sql()
    for query in SEARCHES:
        ids, expected = plain(query)
        s = filters.parse(QueryDict(query))
        got = {f.param: {v.code: v.count for v in f.values if v.count} for f in facets.counts(s)}
        assert got == expected, query
        response = client.get(f"/incidents/?{query}")
        page = response.context["page"]
        assert page.paginator.count == len(ids), query
        shown = [r.reference for r in response.context["results"]]
        refs = dict(Incident.objects.filter(pk__in=ids).values_list("pk", "reference"))
        if "sort=date" in query:
            assert shown == [refs[pk] for pk in reversed(ids)][:50], query
        elif "q=" not in query or "sort=-date" in query:
            assert shown == [refs[pk] for pk in ids][:50], query
        else:  # by relevance: relevance.py's definition, computed plainly
            ranked = plain_relevance(ids, params_q(query))
            assert shown == [refs[pk] for pk in ranked][:50], query
        for f in response.context["facets"]:  # the page shows the same numbers
            for v in f.values:
                assert v.count == expected[f.param].get(v.code, 0), (query, f.param, v.code)


@pytest.fixture
def corpus(make_incident: Any) -> dict[str, Incident]:
    return {
        "a": make_incident(
            title="Family kidnapped in Tijuana",
            city="tijuana",
            types=["kidnapping"],
            groups=["family", "child"],
            nationalities=["hn"],
            date=dt.date(2020, 3, 1),
        ),
        "b": make_incident(
            title="Woman extorted in Reynosa",
            summary="She was extorted by a cartel.",
            city="reynosa",
            types=["extortion"],
            groups=["woman"],
            nationalities=["hn", "gt"],
            date=dt.date(2020, 5, 2),
        ),
        "c": make_incident(
            title="Child kidnapped near the bridge",
            city="reynosa",
            types=["kidnapping", "assault"],
            groups=["child"],
            nationalities=["sv"],
            date=dt.date(2021, 1, 9),
            program="mpp-2021",
        ),
        "d": make_incident(
            title="Undated report of a kidnapped family",
            city=None,
            types=["kidnapping"],
            date=None,
        ),
        "review": make_incident(title="Family kidnapped, in review", status="review"),
    }


def editor_request(editor: Any) -> Any:
    """A request of the editor after login with a second factor (what OTPMiddleware sets)."""
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request.session[DEVICE_ID_SESSION_KEY] = give_totp(editor).persistent_id
    request.user = editor
    OTPMiddleware(lambda r: None)._verify_user_sync(request, editor)
    return request


@pytest.fixture(params=["index", "sql"])
def path(request: Any, monkeypatch: Any) -> str:
    """Both ways of answering: the bitmap index, and SQL while the index is being rebuilt."""
    if request.param == "sql":
        monkeypatch.setattr(facets, "index", lambda **kw: None)
    return request.param


def test_counts_equal_plain_sql_before_and_after_every_change(
    client: Any, editor: Any, researcher: Any, corpus: dict[str, Incident], path: str
) -> None:
    every_change(client, editor, researcher, corpus)


@pytest.fixture
def asked(monkeypatch: Any) -> list[Any]:
    """Every question the database answers for a build (matches._ask), nothing kept before."""
    matches.forget()
    calls: list[Any] = []
    real_ask = matches._ask

    def counted_ask(*args: Any) -> matches.Match:
        calls.append(args)
        return real_ask(*args)

    monkeypatch.setattr(matches, "_ask", counted_ask)
    return calls


@pytest.mark.django_db(transaction=True)
def test_index_follows_every_committed_change_without_rebuilding(
    client: Any,
    editor: Any,
    researcher: Any,
    corpus: dict[str, Incident],
    monkeypatch: Any,
    asked: list[Any],
) -> None:
    """Outside a transaction the index is kept and each change is applied to it from the
    change log (migration 0016): built once, then equal to SQL after every change."""
    facets._memo[:] = []
    assert facets.index(wait=True) is not None
    builds: list[int] = []
    real = facets._build

    def counted_build() -> facets.Base:
        builds.append(1)
        return real()

    monkeypatch.setattr(facets, "_build", counted_build)
    monkeypatch.setattr(facets, "_start_build", lambda: builds.append(1))
    every_change(client, editor, researcher, corpus)
    assert builds == []
    # The one question of dates went to the database once for the build, not once per
    # request (the kept answers of matches.py); words never did (the build's words); and
    # the counts stayed exact.
    questions = {matches.question(rest) for rest, _base in asked}
    assert len(asked) == len(questions) == 1
    idx = facets.index()
    assert idx is not None and idx.extra  # the changed rows are held beside the bitmaps


@pytest.mark.django_db(transaction=True)
def test_two_app_servers_agree_at_once(
    client: Any, corpus: dict[str, Incident], monkeypatch: Any
) -> None:
    """Two processes, each with its own copy of the index: a change seen through one is seen
    through the other at the next request (the log is in the database, not in a process)."""
    facets._memo[:] = []
    first = facets.index(wait=True)
    assert first is not None
    other_process = [first]  # a second server's copy, made before the change
    corpus["a"].violence_types.set(ViolenceType.objects.filter(code="extortion"))
    monkeypatch.setattr(facets, "_memo", other_process)
    check_all(client)
    assert facets._memo[0] is not first and facets._memo[0].base is first.base


def every_change(client: Any, editor: Any, researcher: Any, corpus: dict[str, Incident]) -> None:
    check_all(client)
    # Accountability: the latest step of each incident is its status.
    step = AccountabilityStep.objects.create(
        incident=corpus["b"], date=dt.date(2020, 6, 1), kind="filed", office="crcl"
    )
    AccountabilityStep.objects.create(
        incident=corpus["c"], date=dt.date(2021, 2, 1), kind="filed", office="oig"
    )
    check_all(client)
    AccountabilityStep.objects.create(
        incident=corpus["b"], date=dt.date(2020, 9, 1), kind="no-answer", office="crcl"
    )
    AccountabilityStep.objects.create(
        incident=corpus["c"], date=dt.date(2021, 3, 1), kind="acknowledged", office="oig"
    )
    check_all(client)
    step.date = dt.date(2021, 1, 1)  # now the latest of b again
    step.save()
    check_all(client)
    request = editor_request(editor)

    # Create: a new draft changes nothing public, but the data changed.
    draft = Incident(
        title="Kidnapped family, new draft",
        summary="A new case.",
        date=dt.date(2020, 7, 1),
        city=City.objects.get(code="tijuana"),
    )
    actions.create_draft(
        researcher,
        draft,
        fields=["title", "summary", "date", "city"],
        multi={"violence_types": ViolenceType.objects.filter(code="kidnapping")},
    )
    check_all(client)

    # Edit a published case: another city, another type; its words change (searches by
    # words asked before keep their answer for the unchanged rows only, matches.py).
    a = corpus["a"]
    a.city = City.objects.get(code="reynosa")
    a.title = "Family held for ransom in Reynosa"  # no longer "kidnapped"
    a.save()
    b = corpus["b"]
    b.title = "Woman kidnapped and extorted in Reynosa, her family threatened"
    b.save()
    a.violence_types.set(ViolenceType.objects.filter(code="extortion"))
    check_all(client)

    # Publish the case in review, and the new draft through review.
    cite(corpus["review"])
    workflow.apply(request, corpus["review"], "publish")
    workflow.apply(request, draft, "submit")
    cite(draft)
    workflow.apply(request, draft, "publish")
    check_all(client)

    # Retract one.
    workflow.apply(request, corpus["b"], "retract", reason="The source withdrew its report.")
    check_all(client)

    # Merge a duplicate into a record: the duplicate leaves every count.
    cite(corpus["c"])
    cite(corpus["d"])
    merging.merge(request, corpus["d"], corpus["c"].reference)
    check_all(client)

    # A bulk change of the city on a filtered list, and its undo.
    outcome = bulk.apply(request, "city", "tijuana", [corpus["c"].pk, corpus["review"].pk])
    check_all(client)
    assert outcome.bulk is not None
    bulk.undo(request, outcome.bulk)
    check_all(client)

    # A bulk load (the generator writes through bulk inserts, as an import does).
    call_command("generate_incidents", count=30, seed=3)
    check_all(client)


DATES = "from=2020-01-01&to=2020-06-30"


@pytest.mark.django_db(transaction=True)
def test_a_date_range_is_asked_once_per_build_across_app_servers_and_again_after_a_rebuild(
    client: Any, corpus: dict[str, Incident], asked: list[Any]
) -> None:
    """Kept answers are shared through the cache under the build's token, so a second app
    server does not ask the database again; a new build asks the recent questions again in
    the background, so the next search of the range is not the first."""
    facets._memo[:] = []
    first = facets.index(wait=True)
    assert first is not None
    page = client.get(f"/incidents/?{DATES}").context["page"]
    assert page.paginator.count == len(plain(DATES)[0]) > 0
    assert len(asked) == 1
    matches.forget()  # another app server: nothing kept in its memory
    assert client.get(f"/incidents/?{DATES}&city=tijuana").context["page"].paginator.count == len(
        plain(f"{DATES}&city=tijuana")[0]
    )
    assert len(asked) == 1  # answered from the shared cache

    facets._build_in_background()  # a new build, as after 2,000 changes
    assert len(asked) == 2 and asked[-1][1] is not first.base  # asked again, for it
    facets._memo[:] = []  # take the new build
    check_all(client)
    now = facets.index()
    assert now is not None and now.base is not first.base


@pytest.mark.django_db(transaction=True)
def test_words_and_their_order_come_from_the_index_without_asking_the_database(
    client: Any, corpus: dict[str, Incident], asked: list[Any]
) -> None:
    """A search's words are matched and ordered by relevance from the build's words: no
    full-text query, however new the words."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    facets._memo[:] = []
    assert facets.index(wait=True) is not None
    for query in [q for q in SEARCHES if "q=" in q]:
        with CaptureQueriesContext(connection) as queries:
            check = client.get(f"/incidents/?{query}")
        assert check.context["page"].paginator.count == len(plain(query)[0]), query
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert "incidents_fts" not in sql and "tsquery" not in sql, query
    assert asked == []
    check_all(client)


@pytest.mark.django_db(transaction=True)
def test_a_renamed_vocabulary_term_shows_at_once_in_the_facets(
    client: Any, corpus: dict[str, Incident]
) -> None:
    """The terms are read once per data version, which a vocabulary change bumps."""

    def cities() -> list[str]:
        response = client.get("/incidents/?type=kidnapping")
        return [v.label for f in response.context["facets"] if f.param == "city" for v in f.values]

    assert "Tijuana" in cities()
    City.objects.filter(code="tijuana").update(label_en="Tijuana, Baja California")
    assert "Tijuana, Baja California" in cities() and "Tijuana" not in cities()
