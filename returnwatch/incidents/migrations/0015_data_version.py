"""A data version bumped by the database itself on every change that counts and facets see.

Triggers on incidents, their link tables and the vocabularies increment one row, so every
path that writes (the ORM, bulk loads, the importer's prepared statements, the admin, raw
SQL) invalidates exactly, and several app servers agree: they read the same row. Reading
it is one primary-key lookup instead of an aggregate over every incident.
"""

from django.db import migrations

TABLES = (
    "incidents_incident",
    "incidents_incident_violence_types",
    "incidents_incident_perpetrators",
    "incidents_incident_victim_groups",
    "incidents_incident_nationalities",
    "incidents_city",
    "incidents_country",
    "incidents_violencetype",
    "incidents_perpetrator",
    "incidents_victimgroup",
    "incidents_program",
    "incidents_placetype",
)
# An upsert, so the counter survives a test run's flush of every table.
BUMP = (
    "INSERT INTO incidents_dataversion (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = incidents_dataversion.version + 1"
)


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    run = schema_editor.execute
    run("CREATE TABLE incidents_dataversion (id integer PRIMARY KEY, version bigint NOT NULL)")
    run("INSERT INTO incidents_dataversion (id, version) VALUES (1, 1)")
    if schema_editor.connection.vendor == "postgresql":
        run(
            "CREATE FUNCTION incidents_bump_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {BUMP}; RETURN NULL; END $$"
        )
        for table in TABLES:
            # Once per statement: a bulk load bumps once, not once per row.
            run(
                f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION incidents_bump_version()"
            )
    else:
        for table in TABLES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                run(
                    f"CREATE TRIGGER {table}_version_{event.lower()} AFTER {event} ON {table} "
                    f"BEGIN {BUMP}; END"
                )


def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    run = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            run(f"DROP TRIGGER IF EXISTS {table}_version ON {table}")
        run("DROP FUNCTION IF EXISTS incidents_bump_version()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                run(f"DROP TRIGGER IF EXISTS {table}_version_{event}")
    run("DROP TABLE incidents_dataversion")


class Migration(migrations.Migration):
    dependencies = [("incidents", "0014_narrative_encrypted")]
    operations = [migrations.RunPython(forwards, backwards)]
