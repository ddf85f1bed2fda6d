"""Editing a few fields in the staff list: a plain form whose changed cells go through the
bulk actions (same rules, audited, undone as one step), refused all together with the typed
values kept and the reason beside each cell."""

import re
from typing import Any

import pytest
from django.test import Client

from returnwatch.audit import log
from returnwatch.incidents.models import BulkChange, Incident, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(make_incident: Any, researcher: Any, make_user: Any) -> dict[str, Incident]:
    make_user("maria", "researcher")
    draft = make_incident(title="Draft one", status="draft", city="tijuana",
                          organization=researcher.organization)  # fmt: skip
    other = make_incident(title="Draft two", status="draft", city=None,
                          organization=researcher.organization)  # fmt: skip
    other.tags.add(Tag.objects.create(name="old-tag"))
    published = make_incident(title="Public one", status="published", city="reynosa")
    return {"draft": draft, "other": other, "published": published}


def _post(client: Client, data: dict[str, str]) -> Any:
    return client.post("/staff/incidents/cells/?edit=1", data)


def test_the_list_opens_as_a_form_of_the_cells_the_user_may_change(
    client: Client, researcher: Any, cases: dict[str, Incident]
) -> None:
    client.force_login(researcher)
    html = client.get("/staff/").content.decode()
    assert 'href="?edit=1">Edit in the list</a>' in html
    html = client.get("/staff/?edit=1").content.decode()
    d, p = cases["draft"], cases["published"]
    assert f'name="cell-{d.pk}-city"' in html and f'name="cell-{d.pk}-tags"' in html
    assert f'name="shown-{d.pk}-city" value="tijuana"' in html
    assert f'name="cell-{p.pk}-city"' not in html  # a public record: an editor's to change
    assert "(you may not change this record)" in html
    assert '<button type="submit">Save changes</button>' in html
    assert "incidents/list-edit.js" in html


def test_changed_cells_are_saved_audited_and_undone_as_one_step(
    client: Client, researcher: Any, cases: dict[str, Incident]
) -> None:
    client.force_login(researcher)
    d, o = cases["draft"], cases["other"]
    r = _post(
        client,
        {
            f"shown-{d.pk}-city": "tijuana", f"cell-{d.pk}-city": "reynosa",
            f"shown-{d.pk}-assignee": "", f"cell-{d.pk}-assignee": "maria",
            f"shown-{d.pk}-tags": "", f"cell-{d.pk}-tags": "Night, border crossing",
            f"shown-{o.pk}-city": "", f"cell-{o.pk}-city": "",  # unchanged
            f"shown-{o.pk}-tags": "old-tag", f"cell-{o.pk}-tags": "",
        },
    )  # fmt: skip
    assert r.status_code == 302 and r["Location"] == "/staff/?edit=1"
    d.refresh_from_db()
    assert d.city.code == "reynosa" and d.assignee.username == "maria"
    assert sorted(d.tags.values_list("name", flat=True)) == ["border-crossing", "night"]
    assert list(o.tags.all()) == []
    entry = log.history(d).get(action="update")
    assert sorted(entry.fields) == ["assignee", "city", "tags"]
    assert entry.note.startswith("list edit #")
    assert log.history(o).get(action="update").fields == ["tags"]
    bulk = BulkChange.objects.get()
    assert len(bulk.changes) == 4
    page = client.get("/staff/?edit=1").content.decode()
    assert "Changes saved on 2 records." in page
    assert "Undo the last bulk change" in page

    client.post(f"/staff/incidents/bulk/{bulk.pk}/undo/")
    d.refresh_from_db()
    assert d.city.code == "tijuana" and d.assignee is None and not d.tags.exists()
    assert list(o.tags.values_list("name", flat=True)) == ["old-tag"]
    assert log.history(d).filter(note=f"undo of list edit #{bulk.pk}").count() == 1


def test_a_refused_cell_saves_nothing_and_is_shown_beside_the_typed_values(
    client: Client, researcher: Any, cases: dict[str, Incident]
) -> None:
    client.force_login(researcher)
    d, p = cases["draft"], cases["published"]
    Incident.objects.filter(pk=d.pk).update(assignee=researcher)  # someone else, meanwhile
    r = _post(
        client,
        {
            f"shown-{d.pk}-assignee": "", f"cell-{d.pk}-assignee": "maria",
            f"shown-{d.pk}-tags": "", f"cell-{d.pk}-tags": "kept-as-typed",
            f"shown-{p.pk}-city": "reynosa", f"cell-{p.pk}-city": "tijuana",
            f"shown-{d.pk}-city": "tijuana", f"cell-{d.pk}-city": "atlantis",
        },
    )  # fmt: skip
    assert r.status_code == 200
    html = r.content.decode()
    assert "Nothing was saved" in html
    assert re.search(rf'id="err-{d.pk}-assignee"[^>]*>Changed by someone else', html)
    assert f"(now “{researcher.username}”)" in html
    assert re.search(rf'id="err-{d.pk}-city"[^>]*>Choose a value from the list', html)
    assert (
        f'name="cell-{d.pk}-tags" id="cell-{d.pk}-tags" data-col="tags" data-shown="" value="kept-as-typed"'
        in html
    )
    assert '<option value="maria" selected>' in html
    d.refresh_from_db()
    p.refresh_from_db()
    assert (
        d.city.code == "tijuana"
        and not d.tags.exists()
        and not Tag.objects.filter(name="kept-as-typed").exists()
    )
    assert p.city.code == "reynosa"
    assert not BulkChange.objects.exists()
    assert not log.history(d).filter(action="update").exists()
    # The record the researcher may not change is refused too (crafted, it has no cell).
    r = _post(client, {f"shown-{p.pk}-city": "reynosa", f"cell-{p.pk}-city": "tijuana"})
    assert "Nothing was saved" in r.content.decode()
    # Saving again, having read that someone else changed it, puts the typed value over theirs.
    r = _post(client, {f"shown-{d.pk}-assignee": researcher.username,
                       f"cell-{d.pk}-assignee": "maria"})  # fmt: skip
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.assignee.username == "maria"
