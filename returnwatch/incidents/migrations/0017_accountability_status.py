"""The public accountability facet: a status per office and kind of step, and a view of each
incident's latest step (`incidents_latestaccountability`, the facet's link table). Steps are
logged like the incidents' links (0015, 0016), so the data version and the facet index follow
every step added, changed or removed."""

import django.db.models.deletion
from django.db import migrations, models

OFFICES = ("crcl", "oig", "other", "court")
KINDS = (
    "filed",
    "acknowledged",
    "investigating",
    "closed-finding",
    "closed-no-finding",
    "no-answer",
    "lawsuit-filed",
    "lawsuit-status",
)
VIEW = (
    "CREATE VIEW incidents_latestaccountability AS "
    "SELECT s.id AS id, s.incident_id AS incident_id, st.id AS accountabilitystatus_id "
    "FROM incidents_accountabilitystep s JOIN incidents_accountabilitystatus st "
    "ON st.office = s.office AND st.kind = s.kind "
    "WHERE NOT EXISTS (SELECT 1 FROM incidents_accountabilitystep t "
    "WHERE t.incident_id = s.incident_id AND (t.date > s.date OR (t.date = s.date AND t.id > s.id)))"
)
BUMP = (
    "INSERT INTO incidents_dataversion (id, version) VALUES (1, 1) "
    "ON CONFLICT (id) DO UPDATE SET version = incidents_dataversion.version + 1"
)
TABLE = "incidents_accountabilitystep"


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    Status = apps.get_model("incidents", "AccountabilityStatus")
    Status.objects.bulk_create(
        Status(code=f"{office}-{kind}", office=office, kind=kind, position=i * 10 + j)
        for i, office in enumerate(OFFICES)
        for j, kind in enumerate(KINDS)
    )
    run = schema_editor.execute
    run(VIEW)
    run(f"CREATE INDEX {TABLE}_latest ON {TABLE} (incident_id, date, id)")
    if schema_editor.connection.vendor == "postgresql":
        run(
            f"CREATE TRIGGER {TABLE}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {TABLE} FOR EACH STATEMENT EXECUTE FUNCTION incidents_bump_version()"
        )
        for event, rows in (("INSERT", "new"), ("UPDATE", "new"), ("DELETE", "old")):
            union = " UNION SELECT incident_id FROM old_rows" if event == "UPDATE" else ""
            run(
                f"CREATE FUNCTION {TABLE}_log_{event.lower()}() RETURNS trigger "
                "LANGUAGE plpgsql AS $$ BEGIN INSERT INTO incidents_changelog (incident_id) "
                f"SELECT incident_id FROM {rows}_rows{union}; RETURN NULL; END $$"
            )
            referencing = {
                "INSERT": "NEW TABLE AS new_rows",
                "UPDATE": "NEW TABLE AS new_rows OLD TABLE AS old_rows",
                "DELETE": "OLD TABLE AS old_rows",
            }[event]
            run(
                f"CREATE TRIGGER {TABLE}_version_log_{event.lower()} AFTER {event} ON {TABLE} "
                f"REFERENCING {referencing} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION {TABLE}_log_{event.lower()}()"
            )
        run(
            f"CREATE TRIGGER {TABLE}_version_log_truncate AFTER TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION incidents_log_truncate()"
        )
    else:
        for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            also = (
                "INSERT INTO incidents_changelog (incident_id) SELECT OLD.incident_id "
                "WHERE OLD.incident_id IS NOT NEW.incident_id; "
                if event == "UPDATE"
                else ""
            )
            run(
                f"CREATE TRIGGER {TABLE}_version_{event.lower()} AFTER {event} ON {TABLE} "
                f"BEGIN {BUMP}; {also}INSERT INTO incidents_changelog (incident_id) "
                f"VALUES ({row}.incident_id); END"
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
    run(f"DROP INDEX IF EXISTS {TABLE}_latest")
    run("DROP VIEW IF EXISTS incidents_latestaccountability")


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0016_change_log"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountabilityStatus",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=40, unique=True)),
                (
                    "office",
                    models.CharField(
                        choices=[
                            ("crcl", "DHS Office for Civil Rights and Civil Liberties (CRCL)"),
                            ("oig", "DHS Office of Inspector General (OIG)"),
                            ("other", "another office"),
                            ("court", "a court"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("filed", "complaint filed"),
                            ("acknowledged", "acknowledged"),
                            ("investigating", "investigation opened"),
                            ("closed-finding", "closed with a finding"),
                            ("closed-no-finding", "closed without a finding"),
                            ("no-answer", "no answer"),
                            ("lawsuit-filed", "lawsuit filed"),
                            ("lawsuit-status", "lawsuit status"),
                        ],
                        max_length=20,
                    ),
                ),
                ("position", models.PositiveIntegerField(default=0)),
            ],
            options={
                "verbose_name": "accountability status",
                "ordering": ["position", "code"],
            },
        ),
        migrations.CreateModel(
            name="LatestAccountability",
            fields=[
                ("id", models.BigIntegerField(primary_key=True, serialize=False)),
                (
                    "incident",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="latest_accountability",
                        to="incidents.incident",
                    ),
                ),
                (
                    "accountabilitystatus",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="incidents.accountabilitystatus",
                    ),
                ),
            ],
            options={
                "db_table": "incidents_latestaccountability",
                "managed": False,
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
