"""A change log beside the data version: the ids of the incidents whose public rows changed.

The same kind of triggers as 0015 (on incidents and their link tables) add one row per changed
incident, on every path that writes (ORM, bulk loads, the importer, raw SQL), so the facet
index of every app server applies exactly those rows to its bitmaps (incidents/facets.py)
instead of rebuilding.

Order: a reader must never see a later entry before an earlier one commits. On SQLite one
writer at a time holds the database. On PostgreSQL the log is written after the statement's
data-version bump (triggers fire in name order: `…_version` before `…_version_log`), which
holds the version row's lock until commit, so log ids are handed out in commit order.
A TRUNCATE logs a NULL id: every incident changed.
"""

from django.db import migrations

TABLES = (
    ("incidents_incident", "id"),
    ("incidents_incident_violence_types", "incident_id"),
    ("incidents_incident_perpetrators", "incident_id"),
    ("incidents_incident_victim_groups", "incident_id"),
    ("incidents_incident_nationalities", "incident_id"),
)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        run("CREATE TABLE incidents_changelog (id bigserial PRIMARY KEY, incident_id bigint)")
        for table, column in TABLES:
            for event, rows in (("INSERT", "new"), ("UPDATE", "new"), ("DELETE", "old")):
                name = f"{table}_log_{event.lower()}"
                union = f" UNION SELECT {column} FROM old_rows" if event == "UPDATE" else ""
                run(
                    f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    f"INSERT INTO incidents_changelog (incident_id) "
                    f"SELECT {column} FROM {rows}_rows{union}; RETURN NULL; END $$"
                )
                referencing = {
                    "INSERT": "NEW TABLE AS new_rows",
                    "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
                    "DELETE": "OLD TABLE AS old_rows",
                }[event]
                run(
                    f"CREATE TRIGGER {table}_version_log_{event.lower()} AFTER {event} "
                    f"ON {table} REFERENCING {referencing} FOR EACH STATEMENT "
                    f"EXECUTE FUNCTION {name}()"
                )
        run(
            "CREATE FUNCTION incidents_log_truncate() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN INSERT INTO incidents_changelog (incident_id) VALUES (NULL); "
            "RETURN NULL; END $$"
        )
        for table, _column in TABLES:
            run(
                f"CREATE TRIGGER {table}_version_log_truncate AFTER TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION incidents_log_truncate()"
            )
    else:
        # AUTOINCREMENT: an id is never given twice, even after the log is pruned.
        run(
            "CREATE TABLE incidents_changelog "
            "(id integer PRIMARY KEY AUTOINCREMENT, incident_id integer)"
        )
        for table, column in TABLES:
            for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
                also = (
                    f"INSERT INTO incidents_changelog (incident_id) SELECT OLD.{column} "
                    f"WHERE OLD.{column} IS NOT NEW.{column}; "
                    if event == "UPDATE"
                    else ""
                )
                run(
                    f"CREATE TRIGGER {table}_log_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN {also}INSERT INTO incidents_changelog (incident_id) "
                    f"VALUES ({row}.{column}); END"
                )


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table, _column in TABLES:
            for event in ("insert", "update", "delete", "truncate"):
                run(f"DROP TRIGGER IF EXISTS {table}_version_log_{event} ON {table}")
            for event in ("insert", "update", "delete"):
                run(f"DROP FUNCTION IF EXISTS {table}_log_{event}()")
        run("DROP FUNCTION IF EXISTS incidents_log_truncate()")
    else:
        for table, _column in TABLES:
            for event in ("insert", "update", "delete"):
                run(f"DROP TRIGGER IF EXISTS {table}_log_{event}")
    run("DROP TABLE incidents_changelog")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0015_data_version")]
    operations = [migrations.RunPython(forwards, backwards)]
