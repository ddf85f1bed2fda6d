"""Full-text index: FTS5 mirror with triggers on SQLite, GIN expression indexes on PostgreSQL."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE VIRTUAL TABLE incidents_fts USING fts5(
        public, everything,
        content='incidents_searchentry', content_rowid='incident_id',
        tokenize="unicode61 remove_diacritics 2")""",
    """CREATE TRIGGER incidents_fts_ai AFTER INSERT ON incidents_searchentry BEGIN
        INSERT INTO incidents_fts(rowid, public, everything)
        VALUES (new.incident_id, new.public, new.everything); END""",
    """CREATE TRIGGER incidents_fts_ad AFTER DELETE ON incidents_searchentry BEGIN
        INSERT INTO incidents_fts(incidents_fts, rowid, public, everything)
        VALUES ('delete', old.incident_id, old.public, old.everything); END""",
    """CREATE TRIGGER incidents_fts_au AFTER UPDATE ON incidents_searchentry BEGIN
        INSERT INTO incidents_fts(incidents_fts, rowid, public, everything)
        VALUES ('delete', old.incident_id, old.public, old.everything);
        INSERT INTO incidents_fts(rowid, public, everything)
        VALUES (new.incident_id, new.public, new.everything); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS incidents_fts_au",
    "DROP TRIGGER IF EXISTS incidents_fts_ad",
    "DROP TRIGGER IF EXISTS incidents_fts_ai",
    "DROP TABLE IF EXISTS incidents_fts",
]
POSTGRES_FORWARD = [
    "CREATE INDEX incidents_search_public_gin ON incidents_searchentry "
    "USING gin (to_tsvector('simple'::regconfig, public))",
    "CREATE INDEX incidents_search_everything_gin ON incidents_searchentry "
    "USING gin (to_tsvector('simple'::regconfig, everything))",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS incidents_search_public_gin",
    "DROP INDEX IF EXISTS incidents_search_everything_gin",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
