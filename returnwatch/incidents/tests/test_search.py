"""Full-text search and filters: the same answers on SQLite and PostgreSQL.

CI runs this module on both engines; the expected sets are written out here, so both must
give exactly them.
"""

import datetime as dt

import pytest
from django.http import QueryDict

from returnwatch import public
from returnwatch.incidents import filters, search
from returnwatch.incidents.models import City, Incident, ViolenceType

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(make_incident):
    return {
        "juarez": make_incident(
            title="Hondureña secuestrada en Ciudad Juárez",
            summary="Una mujer fue secuestrada cerca del puente internacional.",
            city="ciudad-juarez",
            types=["kidnapping"],
            groups=["woman"],
            nationalities=["hn"],
            date=dt.date(2019, 11, 2),
            narrative="restricted-word zanzibar",
        ),
        "laredo": make_incident(
            title="Family extorted at the bus station",
            summary="A Cuban family was extorted and threatened after their return.",
            city="nuevo-laredo",
            types=["extortion", "threats"],
            groups=["family", "child"],
            nationalities=["cu"],
            date=dt.date(2020, 2, 14),
            program="mpp-2019",
        ),
        "tijuana": make_incident(
            title="Attempted kidnapping of a child in Tijuana",
            summary="Men tried to abduct a boy outside a shelter.",
            city="tijuana",
            place="shelter",
            types=["attempted-kidnapping"],
            groups=["child"],
            nationalities=["gt"],
            date=dt.date(2021, 5, 1),
            program="mpp-2021",
        ),
        "draft": make_incident(
            title="Draft kidnapping in Juárez",
            summary="Not yet verified secuestro.",
            status="draft",
            city="ciudad-juarez",
        ),
    }


def found(cases, query: str) -> set[str]:
    s = filters.parse(QueryDict(query))
    refs = set(s.apply(public.incidents()).values_list("reference", flat=True))
    return {name for name, i in cases.items() if i.reference in refs}


@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=secuestro", {"juarez", "tijuana"}),  # Spanish words in text and labels
        (
            "q=kidnapping",
            {"juarez", "tijuana"},
        ),  # English label of the type; "attempted kidnapping"
        ("q=SECUESTRADA", {"juarez"}),  # any case
        ("q=juarez", {"juarez"}),  # without the accent
        ("q=Juárez", {"juarez"}),  # with it
        ("q=JUÁREZ+puente", {"juarez"}),  # every word must match
        ("q=juarez+tijuana", set()),
        ("q=extort", {"laredo"}),  # prefix
        ("q=intento+de+secuestro", {"tijuana"}),  # Spanish label of attempted kidnapping
        ("q=hondurena", {"juarez"}),
        ("q=zanzibar", set()),  # restricted narrative is never searched in public
        ("q=%22%27%29%28*%3A", {"juarez", "laredo", "tijuana"}),  # only punctuation: no text filter
        ("type=kidnapping&type=attempted-kidnapping", {"juarez", "tijuana"}),  # any of
        ("type=kidnapping&city=tijuana", set()),  # all parameters hold
        ("group=child", {"laredo", "tijuana"}),
        ("group=child&program=mpp-2019", {"laredo"}),
        ("nationality=GT", {"tijuana"}),
        ("place=shelter", {"tijuana"}),
        ("year=2019&year=2021", {"juarez", "tijuana"}),
        ("from=2020-01-01&to=2020-12-31", {"laredo"}),
        ("from=2020", {"laredo", "tijuana"}),
        ("type=nonsense", {"juarez", "laredo", "tijuana"}),
        ("q=nino", {"laredo", "tijuana"}),  # Spanish group label "Niña o niño", unaccented
    ],
)
def test_public_search_answers(cases, query, expected):
    assert found(cases, query) == expected


def test_staff_scope_searches_restricted_text_and_drafts(cases):
    qs = search.filter_text(Incident.objects.all(), "zanzibar", scope="everything")
    assert list(qs) == [cases["juarez"]]
    qs = search.filter_text(Incident.objects.all(), "secuestro", scope="everything")
    assert set(qs) == {cases["juarez"], cases["tijuana"], cases["draft"]}


def test_staff_query_words_may_match_public_and_restricted_text_each(cases):
    """On PostgreSQL the two texts are two vectors: every word must be in one or the other."""
    everything = Incident.objects.all()
    assert list(search.filter_text(everything, "zanzibar puente", scope="everything")) == [
        cases["juarez"]
    ]
    assert not search.filter_text(everything, "zanzibar tijuana", scope="everything").exists()
    ranked = search.ranked_rows(None, "zanzibar secuestrada", "everything")
    assert [pk for pk, _score in ranked] == [cases["juarez"].pk]


def test_a_staff_word_beginning_like_the_hidden_tokens_matches_only_what_it_names(
    cases, make_incident
):
    """Restricted words are kept as keyed tokens that all begin with the same letters ("zz…"):
    "z" must find public words starting with z, not every incident with a narrative."""
    zacatecas = make_incident(title="Robbery in Zacatecas", summary="A family was robbed.")
    everything = Incident.objects.all()
    for query in ("z", "zz"):
        assert list(search.filter_text(everything, query, scope="everything")) == (
            [zacatecas] if query == "z" else []
        )
        assert [pk for pk, _ in search.ranked_rows(None, query, "everything")] == (
            [zacatecas.pk] if query == "z" else []
        )
    assert list(search.filter_text(everything, "z")) == [zacatecas]  # the public scope too
    # A restricted word is still found from its first three letters, with a public word.
    assert list(search.filter_text(everything, "zan puente", scope="everything")) == [
        cases["juarez"]
    ]


def test_postgresql_staff_vectors_are_the_whole_staff_text(cases):
    """public_vector || restricted_vector is the vector of `everything` (migration 0020),
    and an entry whose staff text does not start with its public text is refused."""
    from django.db import IntegrityError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's stored vectors")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE public_vector || restricted_vector "
            "<> to_tsvector('simple', everything)) FROM incidents_searchentry"
        )
        assert cursor.fetchone() == (4, 0)
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute("UPDATE incidents_searchentry SET everything = 'other words'")


def test_index_follows_saves_vocabulary_changes_and_deletes(cases, make_incident):
    laredo = cases["laredo"]
    laredo.title = "Family robbed at gunpoint"
    laredo.save()
    assert found(cases, "q=gunpoint") == {"laredo"}
    laredo.violence_types.add(ViolenceType.objects.get(code="torture"))
    assert found(cases, "q=tortura") == {"laredo"}
    laredo.delete()
    assert not search.filter_text(Incident.objects.all(), "gunpoint").exists()


def test_a_renamed_term_is_found_by_its_new_label_once_the_worker_has_run(
    cases, tasks_in_memory, django_capture_on_commit_callbacks
):
    """The texts hold the vocabularies' labels: renaming a term writes its incidents'
    entries again, in the background once the change is committed."""
    city = City.objects.get(code="tijuana")
    city.label_es = "Tijuana la Bella"
    with django_capture_on_commit_callbacks(execute=True) as queued:
        city.save()
    assert len(queued) == 1
    assert found(cases, "q=bella") == {"tijuana"}
    staff = search.filter_text(Incident.objects.all(), "bella tijuana", scope="everything")
    assert list(staff) == [cases["tijuana"]]
    assert search.index([cases["tijuana"].pk]) == 0  # written already: nothing changes
    city.latitude = 32.5  # not in the texts: nothing to write again
    with django_capture_on_commit_callbacks() as queued:
        city.save()
    assert queued == []


def test_status_change_moves_a_case_in_and_out_of_public_search(cases):
    draft = cases["draft"]
    assert found(cases, "q=verified") == set()
    draft.status = "published"
    draft.save()
    assert found(cases, "q=verified") == {"draft"}


def test_relevance_puts_the_closest_match_first(make_incident):
    weak = make_incident(
        title="Robbery",
        summary="Robbed; later a kidnapping was mentioned.",
        types=["armed-robbery"],
    )
    strong = make_incident(
        title="Kidnapping kidnapping", summary="Kidnapping of a family, kidnapping again."
    )
    s = filters.parse(QueryDict("q=kidnapping"))
    assert s.sort == "relevance"
    ordered = list(s.order(s.apply(public.incidents())))
    assert ordered[0] == strong and weak in ordered


def test_fold_removes_accents_case_and_punctuation():
    assert search.fold("¡Secuestró en JUÁREZ, Nuevo León!") == "secuestro en juarez nuevo leon"
    assert search.words("a-b_c") == ["a", "b", "c"]


def test_fold_equals_decomposing_and_dropping_every_combining_mark():
    """The fast paths of fold (ASCII as is, marks deleted by a translate table) give what
    the plain definition gives, on text of many scripts."""
    import random
    import unicodedata

    def plain(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.casefold()).casefold().lower()
        kept = "".join(
            " " if ord(c) in search._SPLIT or unicodedata.category(c) == "No" else c
            for c in decomposed
            if not unicodedata.combining(c)
        )
        return " ".join(search.WORD.findall(kept))

    rng = random.Random(7)
    samples = ["Niña en Ciudad Juárez", "Straße ﬁ Ǆ İstanbul", "Kreyòl: mwen te kidnape", "Å Å"]
    samples += ["".join(chr(rng.randint(32, 0x3000)) for _ in range(30)) for _ in range(3000)]
    assert [search.fold(t) for t in samples] == [plain(t) for t in samples]


def test_unknown_values_become_notices(cases):
    s = filters.parse(QueryDict("type=bogus&year=abc&from=nope&sort=sideways&document=x"))
    assert len(s.notices) == 5
    assert not s.is_filtered


def test_pinned_search_gives_the_same_incidents_and_order(cases, make_incident, settings):
    base = public.incidents()
    for query in ("q=secuestro", "type=kidnapping&type=attempted-kidnapping", "q=juarez&sort=date"):
        s = filters.parse(QueryDict(query))
        plain = [i.reference for i in s.order(s.apply(base))]
        pinned = [i.reference for i in s.order(filters.pinned(base, s.apply(base)))]
        assert pinned == plain and plain


def test_pinning_is_skipped_for_large_sets(cases, monkeypatch):
    monkeypatch.setattr(filters, "PIN_LIMIT", 1)
    base = public.incidents()
    s = filters.parse(QueryDict("q=secuestro"))
    matching = s.apply(base)
    assert filters.pinned(base, matching) is matching


@pytest.mark.django_db(transaction=True)
def test_rebuilding_the_text_index_drops_the_kept_answers_for_words(make_incident):
    """search.rebuild() may change every text: it logs "everything changed", so the next
    search makes a new facet index instead of using answers kept for the old texts."""
    from returnwatch.incidents import facets, matches
    from returnwatch.incidents.models import SearchEntry

    incident = make_incident(title="Kidnapped at the bridge", types=["kidnapping"])
    # A stale text entry (as after a vocabulary relabel), changed without the change log.
    stale = "kidnapped elsewhere"
    SearchEntry.objects.filter(incident_id=incident.pk).update(public=stale, everything=stale)
    facets._memo[:] = []
    matches.forget()
    bridge = filters.parse(QueryDict("q=bridge"))
    first = facets.index(wait=True)
    assert first is not None and len(facets.match(bridge, first)) == 0  # answer kept
    search.rebuild()
    now = facets.index(wait=True)
    assert now is not None and now.base is not first.base
    assert len(facets.match(bridge, now)) == 1
