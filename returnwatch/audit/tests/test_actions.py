"""Audit actions are one enumeration with labels: every call site passes a member, record()
refuses anything else, old names still show a label and the change history filters by action."""

import ast
from pathlib import Path
from typing import Any

import pytest

from conftest import verified_login
from returnwatch.audit import log
from returnwatch.audit.actions import LEGACY, Action, label
from returnwatch.audit.models import Entry

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]  # returnwatch/
WRITERS = {"record", "chain"}


def _old_entry(action: str, target: Any) -> Entry:
    """An entry as an older version wrote it, under a name no longer accepted."""
    entry = log._entry("test", Action.CREATE, target, ["title"], "", target)
    entry.action = action
    log._link([entry], *log._head())[0].save()
    return entry


def _calls() -> list[tuple[str, int, ast.expr]]:
    """(file, line, action argument) of every call to the audit log's writers outside tests."""
    found = []
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        source = path.read_text()
        if "audit" not in source:
            continue
        tree = ast.parse(source)
        imported = any(
            isinstance(n, ast.ImportFrom)
            and (n.module or "").endswith("audit.log")
            and any(a.name in WRITERS for a in n.names)
            for n in ast.walk(tree)
        )
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            f = node.func
            is_log = (
                isinstance(f, ast.Attribute)
                and f.attr == "record"
                and isinstance(f.value, ast.Name)
                and f.value.id == "log"
            )
            if is_log or (imported and isinstance(f, ast.Name) and f.id == "record"):
                found.append((str(path.relative_to(ROOT)), node.lineno, node.args[1]))
    return found


def _members(arg: ast.expr) -> list[str] | None:
    """The Action members an argument names, or None when it is not built from the enumeration."""
    if isinstance(arg, ast.IfExp):
        a, b = _members(arg.body), _members(arg.orelse)
        return None if a is None or b is None else a + b
    if isinstance(arg, ast.Attribute) and isinstance(arg.value, ast.Name):
        return [arg.attr] if arg.value.id == "Action" else None
    if isinstance(arg, ast.Call) and isinstance(arg.func, ast.Attribute):
        return [] if getattr(arg.func.value, "id", "") == "Action" else None
    if isinstance(arg, ast.Name) and arg.id == "action":
        return []  # a variable the admin sets from Action members just above (checked below)
    return None


def test_every_call_site_passes_a_member_of_the_enumeration() -> None:
    calls = _calls()
    assert len(calls) > 50, "the scan found the call sites"
    wrong = []
    for path, line, arg in calls:
        members = _members(arg)
        if members is None or any(m not in Action.__members__ for m in members):
            wrong.append(f"{path}:{line}: {ast.unparse(arg)}")
    assert wrong == []
    # The two admins that pick the action into a variable pick it from the enumeration.
    for admin in ("incidents/admin.py", "library/admin.py"):
        text = (ROOT / admin).read_text()
        assert 'action = "' not in text and "action = Action." in text


def test_record_refuses_a_string_not_in_the_enumeration(make_incident: Any) -> None:
    incident = make_incident()
    before = Entry.objects.count()
    for bad in ("incident.create", "created", "", "tip.status.unknown"):
        with pytest.raises(ValueError, match="unknown audit action"):
            log.record("test", bad, incident)
    with pytest.raises(ValueError):
        log.chain("test", [("document.create", incident, [], incident)], "import")
    assert Entry.objects.count() == before
    # A stored string that is a member is accepted as it is, and stored as the plain value.
    entry = log.record("test", "update", incident, ["title"])
    stored = Entry.objects.get(pk=entry.pk).action
    assert stored == "update"
    assert stored == Action.UPDATE


def test_stored_values_are_the_names_old_entries_hold() -> None:
    # Old entries keep their names: the values are the strings written before the enumeration.
    for value in ("create", "update", "status", "tip.status.declined", "library.filing_add",
                  "capture done", "sign_in_failed", "evidence_bundle"):  # fmt: skip
        assert value in Action.values
    assert Action.tip_status("spam") == "tip.status.spam"
    assert Action.capture_finished("failed") == Action.CAPTURE_FAILED
    assert set(LEGACY) == {"incident.create", "document.create", "citation.create"}
    assert not set(LEGACY) & set(Action.values)
    assert label("incident.create") == label("create") == "Created"
    assert label("something.from.2019") == "something.from.2019"


def test_the_change_history_shows_labels_and_filters_by_action(
    client: Any, site_admin: Any, make_incident: Any
) -> None:
    incident = make_incident(status="draft")
    log.record(site_admin, Action.UPDATE, incident, ["title"], about=incident)
    log.record(site_admin, Action.STATUS, incident, ["status"], about=incident)
    _old_entry("incident.create", incident)
    _old_entry("renamed.long.ago", incident)
    verified_login(client, site_admin)

    html = client.get("/staff/audit/").content.decode()
    assert '<option value="status">Status moved</option>' in html
    assert ">Changed</span>" in html and ">Status moved</span>" in html
    assert 'title="incident.create">Created</span>' in html  # the old name shows a label
    assert 'title="renamed.long.ago">renamed.long.ago</span>' in html  # unknown: as stored

    html = client.get("/staff/audit/", {"action": "status"}).content.decode()
    assert ">Status moved</span>" in html and ">Changed</span>" not in html
    assert '<option value="status" selected>' in html
    # Filtering by "Created" finds the old tip path's entries too.
    html = client.get("/staff/audit/", {"action": "create"}).content.decode()
    assert 'title="incident.create">Created</span>' in html and "Status moved</span>" not in html
    # A value not in the enumeration is no filter at all (and no error).
    html = client.get("/staff/audit/", {"action": "nonsense"}).content.decode()
    assert ">Changed</span>" in html


def test_the_incident_history_names_old_actions_in_words(
    client: Any, researcher: Any, make_incident: Any
) -> None:
    incident = make_incident(status="draft")
    _old_entry("incident.create", incident)
    verified_login(client, researcher)
    html = client.get(f"/staff/incidents/{incident.reference}/").content.decode()
    assert "incident.create" not in html
    assert "Incident added" in html
