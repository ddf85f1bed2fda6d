"""Partner isolation: every staff, API and admin address, tried by a partner's researcher and
editor with the ids of the other organizations' objects (the lead's and another partner's).

Each cell says what the answer must be; after every cell nothing of the others has changed,
and no page shows another organization's restricted words. A new staff or API address fails
`test_every_staff_and_api_address_is_in_the_matrix` until it has a row here: the rule book
is returnwatch/access.py and docs/security.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import verified_login
from returnwatch.tests import isolation_world

pytestmark = pytest.mark.django_db

Target = Callable[[Any, Any], dict[str, Any]]  # (other org, own org) -> URL kwargs


def ref(key: str) -> Target:
    return lambda other, own: {"reference": other[key].reference}


def pk(key: str, name: str = "pk") -> Target:
    return lambda other, own: {name: other[key].pk}


def none(other: Any, own: Any) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Cell:
    method: str
    target: Target
    researcher: int  # expected status for the partner's researcher
    editor: int  # … and for the partner's editor (with a second factor)
    data: Callable[[Any, Any], dict[str, Any]] | None = None
    query: str = ""


def own_draft(other: Any, own: Any) -> dict[str, Any]:
    return {"into": own["draft"].reference, "reference": own["draft"].reference}


def bundle(other: Any, own: Any) -> dict[str, Any]:
    return {"reference": other["bundle"].incident.reference, "pk": other["bundle"].pk}


def bundle_under_own(other: Any, own: Any) -> dict[str, Any]:
    return {"reference": own["draft"].reference, "pk": other["bundle"].pk}


# What the partner may not see answers 404 (like a missing row); what it sees but may not
# change answers 403 (or, for a form that only explains, 302 back to the record).
MATRIX: dict[str, list[Cell]] = {
    "staff:home": [Cell("GET", none, 200, 200, query="?q=zzunique")],
    "staff:incident_create": [
        Cell("GET", none, 200, 200),
        Cell("GET", none, 404, 404, query="?tip={tip}"),
    ],
    # Others' records are not among those a bulk action may touch: nothing changes.
    "staff:bulk_apply": [
        Cell(
            "POST",
            none,
            302,
            302,
            data=lambda o, m: {
                "ids": [o["draft"].pk, o["published"].pk],
                "action": "city",
                "value": "tijuana",
            },
        )
    ],
    "staff:bulk_undo": [Cell("POST", pk("bulk"), 404, 404)],
    # Cells of others' records are refused (the list is re-shown, saying nothing was saved).
    "staff:list_edit": [
        Cell(
            "POST",
            none,
            200,
            200,
            data=lambda o, m: {
                f"cell-{o['draft'].pk}-city": "tijuana",
                f"shown-{o['draft'].pk}-city": "reynosa",
                f"cell-{o['published'].pk}-tags": "moved",
                f"cell-{o['published'].pk}-assignee": m.researcher.username,
            },
            query="?edit=1",
        )
    ],
    "staff:incident_detail": [
        Cell("GET", ref("draft"), 404, 404),
        Cell("GET", ref("review"), 404, 404),
        Cell("GET", ref("retracted"), 404, 404),
        Cell("GET", ref("published"), 200, 200),
    ],
    "staff:incident_edit": [
        Cell("GET", ref("draft"), 404, 404),
        Cell("POST", ref("published"), 403, 403, data=lambda o, m: {"title": "changed"}),
    ],
    "staff:incident_delete": [
        Cell("POST", ref("draft"), 404, 404),
        Cell("POST", ref("published"), 302, 302),  # "retract it instead": nothing deleted
    ],
    "staff:incident_transition": [
        Cell("POST", ref("draft"), 404, 404, data=lambda o, m: {"action": "submit"}),
        Cell("POST", ref("review"), 404, 404, data=lambda o, m: {"action": "publish"}),
        Cell(
            "POST",
            ref("published"),
            403,
            403,
            data=lambda o, m: {"action": "retract", "reason": "x"},
        ),
    ],
    "staff:incident_merge": [
        Cell("POST", ref("draft"), 404, 404, data=own_draft),
        Cell("POST", ref("published"), 403, 403, data=own_draft),
        Cell("POST", ref("published"), 403, 403, data=lambda o, m: {"undo": "1"}),
    ],
    "staff:incident_preview": [
        Cell("GET", ref("draft"), 404, 404),
        Cell("GET", ref("published"), 200, 200),
    ],
    "staff:citation_add": [
        Cell("GET", ref("draft"), 404, 404),
        Cell("POST", ref("published"), 403, 403, data=lambda o, m: {"document": m["news"].pk}),
    ],
    "staff:citation_edit": [
        Cell(
            "POST",
            lambda o, m: {"reference": o["draft"].reference, "pk": o["citation"].pk},
            404,
            404,
            data=lambda o, m: {"passage": "p. 1", "reliability": "high"},
        ),
        Cell(
            "POST",
            lambda o, m: {"reference": m["draft"].reference, "pk": o["citation"].pk},
            404,
            404,
            data=lambda o, m: {"passage": "p. 1", "reliability": "high"},
        ),
    ],
    "staff:citation_delete": [
        Cell(
            "POST",
            lambda o, m: {"reference": o["draft"].reference, "pk": o["citation"].pk},
            404,
            404,
        ),
        Cell(
            "POST",
            lambda o, m: {"reference": m["draft"].reference, "pk": o["citation"].pk},
            404,
            404,
        ),
    ],
    "staff:accountability_add": [
        Cell("POST", ref("draft"), 404, 404, data=lambda o, m: {"date": "2025-01-01"}),
        Cell(
            "POST",
            ref("published"),
            403,
            403,
            data=lambda o, m: {"date": "2025-01-01", "kind": "filed", "office": "crcl"},
        ),
    ],
    "staff:accountability_delete": [
        Cell("POST", lambda o, m: {"reference": o["draft"].reference, "pk": 1}, 404, 404),
        Cell("POST", lambda o, m: {"reference": o["published"].reference, "pk": 1}, 403, 403),
    ],
    "staff:person_add": [
        Cell("POST", ref("draft"), 404, 404, data=lambda o, m: {"name": "x"}),
        Cell("POST", ref("published"), 403, 403, data=lambda o, m: {"name": "x"}),
    ],
    "staff:person_edit": [
        Cell(
            "GET", lambda o, m: {"reference": o["draft"].reference, "pk": o["person"].pk}, 404, 404
        ),
        Cell(
            "GET", lambda o, m: {"reference": m["draft"].reference, "pk": o["person"].pk}, 404, 404
        ),
    ],
    "staff:person_delete": [
        Cell(
            "POST", lambda o, m: {"reference": o["draft"].reference, "pk": o["person"].pk}, 404, 404
        ),
        Cell(
            "POST", lambda o, m: {"reference": m["draft"].reference, "pk": o["person"].pk}, 404, 404
        ),
    ],
    "staff:document_list": [Cell("GET", none, 200, 200, query="?q=SECRET")],
    "staff:document_create": [Cell("GET", none, 200, 200)],
    "staff:document_detail": [
        Cell("GET", pk("interview"), 404, 404),
        Cell("GET", pk("news"), 200, 200),  # a public kind: its details, not its file
    ],
    "staff:document_edit": [
        Cell("POST", pk("interview"), 404, 404, data=lambda o, m: {"title": "x", "kind": "news"}),
        Cell("POST", pk("news"), 403, 403, data=lambda o, m: {"title": "x", "kind": "news"}),
    ],
    "staff:document_file": [
        Cell("GET", pk("interview"), 404, 404),
        Cell("GET", pk("news"), 403, 403),
    ],
    "staff:login": [Cell("GET", none, 302, 302)],  # signed in already: on to the workspace
    "staff:login_verify": [Cell("GET", none, 302, 302)],
    "staff:logout": [Cell("GET", none, 405, 405)],
    "staff:account": [Cell("GET", none, 200, 200)],
    "staff:two_factor_setup": [Cell("GET", none, 200, 200)],
    "staff:two_factor_qr": [Cell("GET", none, 200, 200)],
    "staff:two_factor_recovery": [Cell("GET", none, 302, 302)],
    "staff:evidence_bundle": [
        Cell("GET", ref("draft"), 404, 404),
        Cell("GET", ref("published"), 404, 404),
    ],
    # An evidence bundle is its requester's alone, for a case whose restricted parts they read:
    # nothing to prepare on another's case, and another's bundle is not there, even under
    # the partner's own case.
    "staff:evidence_bundles": [
        Cell("GET", ref("draft"), 404, 404),
        Cell("GET", ref("published"), 404, 404),
        Cell("POST", ref("published"), 404, 404),
    ],
    "staff:evidence_bundle_job": [
        Cell("GET", bundle, 404, 404),
        Cell("GET", bundle_under_own, 404, 404),
    ],
    "staff:evidence_bundle_progress": [
        Cell("GET", bundle, 404, 404),
        Cell("GET", bundle_under_own, 404, 404),
    ],
    "staff:evidence_bundle_download": [
        Cell("GET", bundle, 404, 404),
        Cell("GET", bundle_under_own, 404, 404),
    ],
    # Case-handling statistics count only the partner's own cases and tips (never 404: the
    # page is everyone's, its numbers are not); no other organization's name or words show.
    "staff:casework_stats": [Cell("GET", none, 200, 200)],
    "staff:casework_csv": [
        Cell("GET", lambda o, m: {"name": "organization"}, 200, 200),
        Cell("GET", lambda o, m: {"name": "researcher"}, 200, 200),
        Cell("GET", lambda o, m: {"name": "summary"}, 200, 200),
        Cell("GET", lambda o, m: {"name": "nonsense"}, 404, 404),
    ],
    "staff:audit_log": [
        Cell("GET", none, 200, 200),
        Cell("GET", none, 404, 404, query="?incident={draft}"),
        Cell("GET", none, 404, 404, query="?incident={published}"),
    ],
    # Web captures are archived copies: only for those who may open the document's files.
    "staff:capture_request": [
        Cell("POST", pk("interview"), 404, 404),
        Cell("POST", pk("news"), 404, 404),
    ],
    "staff:capture_detail": [Cell("GET", pk("capture"), 404, 404)],
    "staff:capture_file": [
        Cell("GET", lambda o, m: {"pk": o["capture"].pk, "kind": "screenshot"}, 404, 404)
    ],
    "staff:capture_replay": [Cell("GET", pk("capture"), 404, 404)],
    "staff:capture_archive": [Cell("GET", pk("capture"), 404, 404)],
    "staff:capture_diff": [
        Cell("GET", lambda o, m: {"pk": o["capture"].pk, "other": o["capture"].pk}, 404, 404)
    ],
    "staff:tip_list": [Cell("GET", none, 200, 200)],
    "staff:tip_detail": [Cell("GET", pk("tip"), 404, 404)],
    "staff:tip_assign": [
        Cell("POST", pk("tip"), 404, 404, data=lambda o, m: {"assignee": ""}),
    ],
    "staff:tip_status": [Cell("POST", pk("tip"), 404, 404, data=lambda o, m: {"status": "spam"})],
    "staff:tip_note": [Cell("POST", pk("tip"), 404, 404, data=lambda o, m: {"text": "x"})],
    "staff:tip_create_incident": [Cell("POST", pk("tip"), 404, 404)],
    "staff:tip_link_incident": [
        Cell("POST", pk("tip"), 404, 404, data=lambda o, m: {"reference": m["draft"].reference}),
        # Their own tip, another organization's record: refused with a message, nothing linked
        # (the tip is assigned to the partner's researcher: their editor does not see it).
        Cell(
            "POST",
            lambda o, m: {"pk": m["tip"].pk},
            302,
            404,
            data=lambda o, m: {"reference": o["published"].reference},
        ),
    ],
    "staff:tip_attachment": [Cell("GET", pk("attachment"), 404, 404)],
    "staff:library_list": [Cell("GET", none, 200, 200)],
    "staff:library_add": [Cell("GET", none, 200, 200)],
    "staff:library_mark": [Cell("GET", none, 200, 200)],
    "staff:library_mark_document": [
        Cell("GET", pk("interview", "document_id"), 404, 404),
        Cell("POST", pk("news", "document_id"), 403, 403, data=lambda o, m: {"kind": "news"}),
    ],
    "staff:library_detail": [Cell("GET", pk("item"), 200, 200)],
    "staff:library_edit": [
        Cell("POST", pk("item"), 403, 403, data=lambda o, m: {"listed": "on", "kind": "report"})
    ],
    "staff:library_status_add": [
        Cell(
            "POST",
            pk("item"),
            403,
            403,
            data=lambda o, m: {"date": "2025-01-01", "status": "decided"},
        )
    ],
    "staff:library_status_delete": [
        Cell(
            "POST",
            lambda o, m: {"pk": o["item"].pk, "change_id": o["status_change"].pk},
            403,
            403,
        )
    ],
    "staff:library_filing_add": [
        Cell("POST", pk("item"), 403, 403, data=lambda o, m: {"existing": m["news"].pk})
    ],
    "staff:library_filing_remove": [
        Cell("POST", lambda o, m: {"pk": o["item"].pk, "filing_id": o["filing"].pk}, 403, 403)
    ],
    "staff:data_tokens": [Cell("GET", none, 200, 200)],
    "staff:data_token_revoke": [Cell("POST", pk("token"), 404, 404)],
    "staff:data_import": [Cell("GET", none, 200, 200)],
    "staff:data_import_review": [Cell("GET", pk("import"), 404, 404)],
    # A saved search is its author's alone: not listed, not deletable by anyone else.
    "staff:saved_searches": [Cell("GET", none, 200, 200)],
    "staff:saved_search_delete": [Cell("POST", pk("saved"), 404, 404)],
    "staff:data_import_progress": [Cell("GET", pk("import"), 404, 404)],
}

# The API, with the partner researcher's token (a token never carries a second factor).
API_MATRIX: dict[str, list[Cell]] = {
    "api:root": [Cell("GET", none, 200, 200)],
    "api:incidents": [Cell("GET", none, 200, 200, query="?q=zzunique")],
    "api:incident": [
        Cell("GET", ref("draft"), 404, 404),
        Cell("PATCH", ref("draft"), 404, 404, data=lambda o, m: {"title": "changed"}),
        Cell("PATCH", ref("published"), 403, 403, data=lambda o, m: {"title": "changed"}),
    ],
    "api:citations": [
        Cell("POST", ref("draft"), 404, 404, data=lambda o, m: {"document": m["news"].pk}),
        # Their own draft, another organization's interview: like a document that is not there.
        Cell(
            "POST",
            lambda o, m: {"reference": m["draft"].reference},
            400,
            400,
            data=lambda o, m: {"document": o["interview"].pk},
        ),
    ],
    "api:documents": [Cell("GET", none, 405, 405)],
    "api:statistics": [Cell("GET", none, 200, 200)],
    "api:vocabularies": [Cell("GET", none, 200, 200)],
    "api:vocabulary": [Cell("GET", lambda o, m: {"name": "cities"}, 200, 200)],
    "api:library": [Cell("GET", none, 200, 200)],
    "api:library_item": [Cell("GET", lambda o, m: {"slug": o["item"].slug}, 404, 404)],
    "api:schema": [Cell("GET", none, 200, 200)],
    "api:docs": [Cell("GET", none, 200, 200)],
}


def secrets_of(org: Any) -> list[str]:
    """Words of `org` that only its own staff (and the lead) may ever read."""
    o = org.objects
    return [
        o["draft"].title,
        o["review"].title,
        o["retracted"].narrative,
        o["published"].narrative,
        o["interview"].title,
        o["person"].name,
        o["tip"].narrative,
        o["note"].text,
        org.token and o["token"].name,
        o["saved"].name,
    ]


def named_patterns(namespaces: tuple[str, ...]) -> list[tuple[str, URLPattern]]:
    found: list[tuple[str, URLPattern]] = []

    def walk(patterns: Any, ns: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or ns)
            elif isinstance(p, URLPattern) and ns in namespaces:
                found.append((f"{ns}:{p.name}" if p.name else f"{ns}:", p))

    walk(get_resolver().url_patterns, "")
    return found


@pytest.fixture
def world() -> dict[str, Any]:
    return isolation_world.build()


def _client_for(user: Any, verified: bool) -> Client:
    client = Client()
    if verified:
        verified_login(client, user)
    else:
        client.force_login(user)
    return client


def _run(client: Client, name: str, cell: Cell, other: Any, own: Any, headers: Any) -> Any:
    url = reverse(name, kwargs=cell.target(other, own)) + cell.query.format(
        draft=other["draft"].reference, published=other["published"].reference, tip=other["tip"].pk
    )
    data = cell.data(other, own) if cell.data else {}
    if cell.method == "GET":
        return client.get(url, **headers)
    if cell.method == "PATCH":
        return client.patch(url, data, content_type="application/json", **headers)
    if name.startswith("api:"):
        return client.post(url, data, content_type="application/json", **headers)
    return client.post(url, data, **headers)


def test_every_staff_and_api_address_is_in_the_matrix() -> None:
    names = {n for n, _p in named_patterns(("staff", "api"))}
    missing = names - set(MATRIX) - set(API_MATRIX)
    assert not missing, f"addresses without a row in the partner-isolation matrix: {missing}"
    assert not (set(MATRIX) | set(API_MATRIX)) - names, "rows for addresses that do not exist"


@pytest.mark.parametrize("role", ["researcher", "editor"])
def test_partner_staff_reach_nothing_of_the_other_organizations(
    world: dict[str, Any], role: str
) -> None:
    own = world["a"]
    user = own.researcher if role == "researcher" else own.editor
    client = _client_for(user, verified=role == "editor")
    token_headers = {"HTTP_AUTHORIZATION": f"Token {own.token}"}
    before = isolation_world.snapshot()
    failures = []
    for other_key in ("lead", "b"):
        other = world[other_key]
        for matrix, headers in ((MATRIX, {}), (API_MATRIX, token_headers)):
            for name, cells in matrix.items():
                for cell in cells:
                    response = _run(client, name, cell, other, own, headers)
                    expected = getattr(cell, role)
                    if response.status_code != expected:
                        failures.append(
                            f"{name} {cell.method} {other_key}: {response.status_code} != {expected}"
                        )
                    body = b"" if response.streaming else response.content
                    for secret in filter(None, secrets_of(other)):
                        if secret.encode() in body:
                            failures.append(f"{name} {cell.method} {other_key}: shows {secret!r}")
        after = isolation_world.snapshot()
        for table in before:
            if table in ("ApiToken",):
                continue  # last_used_at moves when the partner's own token is used
            if before[table] != after[table]:
                failures.append(f"{table} changed after {other_key}'s cells")
    assert not failures, "\n".join(failures)


def test_partner_staff_cannot_open_the_admin(world: dict[str, Any]) -> None:
    client = _client_for(world["a"].editor, verified=True)
    for name, pattern in named_patterns(("admin",)):
        kwargs = {k: "1" for k in pattern.pattern.regex.groupindex}
        try:
            url = reverse(name, kwargs=kwargs) if name != "admin:" else "/admin/whatever/"
        except Exception:
            url = "/admin/" + str(pattern.pattern).replace("<path:object_id>", "1")
        response = client.get(url)
        # Partner staff are not admin staff: sent to the admin sign-in, which refuses them.
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert client.get(response["Location"]).status_code in (302, 403), url
