"""The public pages: home, search, case page; bad input never gives a server error."""

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db


def test_home_shows_running_total_latest_and_how_to_send_information(client, make_incident):
    make_incident(title="Kidnapped near the bridge", victims_count=3)
    make_incident(title="Hidden draft", status="draft")
    page = client.get("/").content.decode()
    assert "Kidnapped near the bridge" in page and "Hidden draft" not in page
    assert '<span class="big-number">1</span>' in page
    assert 'href="/report/"' in page


def test_search_page_lists_results_with_facet_counts(client, make_incident):
    make_incident(title="A", types=["kidnapping"], city="reynosa")
    make_incident(title="B", types=["kidnapping", "extortion"], city="reynosa")
    make_incident(title="C", types=["extortion"], city="tijuana")
    response = client.get("/incidents/?city=reynosa")
    facets = {f.param: {v.code: v.count for v in f.values} for f in response.context["facets"]}
    assert facets["type"] == {"kidnapping": 2, "extortion": 1}
    assert facets["city"] == {"reynosa": 2}
    assert response.context["page"].paginator.count == 2


def test_search_pages_and_page_numbers_past_the_end(client, make_incident):
    for n in range(55):
        make_incident(title=f"Case {n}", date=dt.date(2020, 1, 1) + dt.timedelta(days=n))
    first = client.get("/incidents/")
    assert len(first.context["results"]) == 50 and 'rel="next"' in first.content.decode()
    second = client.get("/incidents/?page=2")
    assert len(second.context["results"]) == 5
    past = client.get("/incidents/?page=99")
    assert past.status_code == 200 and "There is no page 99" in past.content.decode()
    bad = client.get("/incidents/?page=abc")
    assert bad.status_code == 200 and "not a page number" in bad.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "type=bogus",
        "from=31-31-2020",
        "year=twenty",
        "sort=%00",
        "q=" + "x" * 5000,
        "q=%22%22%22",
        "q=AND+OR+NOT",
        "q=*",
        "q=(",
        "city=%FF",
        "nationality=zz&nationality=",
        "document=abc",
    ],
)
def test_malformed_parameters_give_a_notice_not_an_error(client, make_incident, query):
    make_incident()
    response = client.get("/incidents/?" + query)
    assert response.status_code == 200


def test_unknown_code_is_named_in_a_notice(client, make_incident):
    make_incident()
    page = client.get("/incidents/?type=bogus").content.decode()
    assert "Unknown value “bogus” for “type” was ignored." in page


def test_case_page_shows_public_fields_sources_and_cite_line(client, make_incident):
    incident = make_incident(title="Family kidnapped", summary="Public summary here.")
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert "Public summary here." in page
    assert f"http://127.0.0.1:8000/incidents/{incident.reference}/" in page  # cite this
    spanish = client.get(f"/es/incidents/{incident.reference}/").content.decode()
    assert "Secuestro" in spanish


def test_drafts_and_unknown_references_are_404(client, make_incident):
    draft = make_incident(status="draft")
    assert client.get(f"/incidents/{draft.reference}/").status_code == 404
    assert client.get("/incidents/RW-2019-99999/").status_code == 404
    assert client.get("/incidents/not-a-reference/").status_code == 404


def test_retracted_case_keeps_its_page_with_the_reason_only(client, make_incident):
    incident = make_incident(
        status="retracted", summary="Old summary", retraction_reason="Duplicate of another report."
    )
    page = client.get(f"/incidents/{incident.reference}/").content.decode()
    assert "This case was retracted" in page and "Duplicate of another report." in page
    assert "Old summary" not in page


def test_merged_duplicate_redirects_to_the_case_it_was_merged_into(client, make_incident):
    target = make_incident(title="The record")
    duplicate = make_incident(title="Duplicate", merged_into=target)
    response = client.get(f"/incidents/{duplicate.reference}/")
    assert response.status_code == 301 and response["Location"].endswith(
        f"/incidents/{target.reference}/"
    )
    assert duplicate.reference not in {
        i.reference for i in client.get("/incidents/").context["results"]
    }


def test_fictional_data_is_labelled_on_every_page(client, make_incident):
    make_incident(is_demo=True)
    for url in ("/", "/incidents/", "/stats/", "/es/"):
        assert (
            "fictional" in client.get(url).content.decode().lower()
            or "ficticio" in client.get(url).content.decode().lower()
        )


def test_unfiltered_facet_counts_are_cached_until_a_case_changes(client, make_incident):
    make_incident(types=["kidnapping"])
    first = client.get("/incidents/").context["facets"]
    assert {v.code: v.count for v in first[0].values} == {"kidnapping": 1}
    second = make_incident(types=["kidnapping"], status="draft")
    assert {v.code: v.count for v in client.get("/incidents/").context["facets"][0].values} == {
        "kidnapping": 1
    }
    second.status = "published"
    second.save()
    assert {v.code: v.count for v in client.get("/incidents/").context["facets"][0].values} == {
        "kidnapping": 2
    }


@pytest.mark.parametrize(
    "query",
    ["type=%00", "city=ab%00c", "q=%00%00", "from=2020%00", "sort=%00", "nationality=%C3%BF%00"],
)
def test_nul_bytes_and_control_characters_are_refused_quietly(client, make_incident, query):
    make_incident()
    response = client.get("/incidents/?" + query)
    assert response.status_code == 200
    assert "\x00" not in response.content.decode()
