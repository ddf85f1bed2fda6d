"""Changes of the search texts are logged like changes of incidents (0015, 0016).

The facet index now keeps the words of the public texts it was built from (wordindex.py),
so a text written after its incident (a save's signal writes the text after the row, in its
own statement) must also mark the incident changed, or a build made between the two would
keep the old words. The same triggers as 0015 and 0016, on `incidents_searchentry`: on
PostgreSQL the data-version bump fires first and holds its row's lock until commit, so log
ids stay in commit order.
"""

from django.db import migrations

TABLE, COLUMN = "incidents_searchentry", "incident_id"
BUMP = (
    "INSERT INTO incidents_dataversion (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = incidents_dataversion.version + 1"
)
EVENTS = (("INSERT", "new"), ("UPDATE", "new"), ("DELETE", "old"))


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(
            f"CREATE TRIGGER {TABLE}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {TABLE} FOR EACH STATEMENT EXECUTE FUNCTION incidents_bump_version()"
        )
        for event, rows in EVENTS:
            name = f"{TABLE}_log_{event.lower()}"
            union = f" UNION SELECT {COLUMN} FROM old_rows" if event == "UPDATE" else ""
            run(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"INSERT INTO incidents_changelog (incident_id) "
                f"SELECT {COLUMN} FROM {rows}_rows{union}; RETURN NULL; END $$"
            )
            referencing = {
                "INSERT": "NEW TABLE AS new_rows",
                "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
                "DELETE": "OLD TABLE AS old_rows",
            }[event]
            run(
                f"CREATE TRIGGER {TABLE}_version_log_{event.lower()} AFTER {event} "
                f"ON {TABLE} REFERENCING {referencing} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {name}()"
            )
        run(
            f"CREATE TRIGGER {TABLE}_version_log_truncate AFTER TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION incidents_log_truncate()"
        )
    else:
        for event, row in EVENTS:
            run(
                f"CREATE TRIGGER {TABLE}_version_{event.lower()} AFTER {event} ON {TABLE} "
                f"BEGIN {BUMP}; END"
            )
            run(
                f"CREATE TRIGGER {TABLE}_log_{event.lower()} AFTER {event} ON {TABLE} "
                f"BEGIN INSERT INTO incidents_changelog (incident_id) "
                f"VALUES ({row.upper()}.{COLUMN}); END"
            )


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run(f"DROP TRIGGER IF EXISTS {TABLE}_version ON {TABLE}")
        for event in ("insert", "update", "delete", "truncate"):
            run(f"DROP TRIGGER IF EXISTS {TABLE}_version_log_{event} ON {TABLE}")
        for event in ("insert", "update", "delete"):
            run(f"DROP FUNCTION IF EXISTS {TABLE}_log_{event}()")
    else:
        for event in ("insert", "update", "delete"):
            run(f"DROP TRIGGER IF EXISTS {TABLE}_version_{event}")
            run(f"DROP TRIGGER IF EXISTS {TABLE}_log_{event}")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0018_refold_search_texts")]
    operations = [migrations.RunPython(forwards, backwards)]
