"""In Chromium: a researcher edits cells of the staff list from the keyboard only — Tab to
move along a row, letters to pick in a list, the down arrow to the next row, Enter to save —
and reads the saved values; a refused cell shows its reason with the typed values kept."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import sign_in
from returnwatch.audit import log
from returnwatch.incidents.models import City, Incident

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_researcher_edits_the_list_from_the_keyboard(
    live_server: Any, page: Any, researcher: Any, make_user: Any, make_incident: Any
) -> None:
    make_user("maria", "researcher")
    org = researcher.organization
    second = make_incident(title="Second draft", status="draft", city=None, organization=org)
    first = make_incident(title="First draft", status="draft", city=None, organization=org)

    sign_in(page, live_server, researcher.username)
    page.goto(f"{live_server.url}/staff/")
    page.click("text=Edit in the list")
    page.wait_for_load_state()
    rows = page.locator("table.list-edit-table tbody tr")
    assert rows.nth(0).get_attribute("data-row") == str(first.pk)  # newest change first

    page.focus(f"#cell-{first.pk}-assignee")
    page.keyboard.type("maria")  # picks in the list by its first letters
    page.keyboard.press("Tab")
    page.keyboard.type("Rey")
    page.keyboard.press("Tab")  # place type: left as it is
    page.keyboard.press("Tab")
    page.keyboard.type("night shift")
    assert page.evaluate("document.activeElement.id") == f"cell-{first.pk}-tags"
    page.keyboard.press("ArrowDown")  # the same column, one row down
    assert page.evaluate("document.activeElement.id") == f"cell-{second.pk}-tags"
    page.keyboard.type("dawn")
    assert page.text_content(".list-edit-status") == "4 unsaved changes"
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")  # back on the city list of the first row
    assert page.evaluate("document.activeElement.id") == f"cell-{first.pk}-city"
    page.keyboard.press("Enter")  # saves from a list too
    page.wait_for_load_state()

    assert "Changes saved on 2 records." in page.text_content(".messages")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.assignee.username == "maria" and first.city.code == "reynosa"
    assert list(first.tags.values_list("name", flat=True)) == ["night-shift"]
    assert list(second.tags.values_list("name", flat=True)) == ["dawn"]
    assert page.input_value(f"#cell-{first.pk}-assignee") == "maria"
    assert page.input_value(f"#cell-{first.pk}-city") == "reynosa"
    assert page.input_value(f"#cell-{first.pk}-tags") == "night-shift"
    assert page.input_value(f"#cell-{second.pk}-tags") == "dawn"
    assert sorted(log.history(first).get(action="update").fields) == ["assignee", "city", "tags"]

    # Escape puts a cell back; a cell someone else changed meanwhile is refused.
    page.focus(f"#cell-{second.pk}-tags")
    page.keyboard.type(", oops")
    page.keyboard.press("Escape")
    assert page.input_value(f"#cell-{second.pk}-tags") == "dawn"
    Incident.objects.filter(pk=first.pk).update(city=City.objects.get(code="tijuana"))
    page.focus(f"#cell-{first.pk}-city")
    page.keyboard.type("Nuevo")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("End")
    page.keyboard.type(", curfew")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    error = page.text_content(f"#err-{first.pk}-city")
    assert "Changed by someone else" in error and "tijuana" in error
    assert "Nothing was saved" in page.text_content(".messages")
    assert page.input_value(f"#cell-{first.pk}-tags") == "night-shift, curfew"  # kept
    assert page.input_value(f"#cell-{first.pk}-city") == "nuevo-laredo"  # kept
    first.refresh_from_db()
    assert first.city.code == "tijuana"
    assert list(first.tags.values_list("name", flat=True)) == ["night-shift"]
    # Undo the saved edit as one step.
    page.click("text=Undo the last bulk change")
    page.wait_for_load_state()
    second.refresh_from_db()
    assert not second.tags.exists()
