"""PostgreSQL: the staff index keeps only what the public one lacks.

`everything` is the public text followed by the restricted narrative's search tokens
(search.staff_text). Its stored tsvector parsed and indexed the public text a second time:
the column becomes `restricted_vector`, the tokens alone (what follows the public text),
and a staff query asks, word by word, either vector (search.py). `public_vector ||
restricted_vector` equals the old vector, so matches and ranks are unchanged; a check
constraint keeps `everything` starting with the public text. Writing a search entry costs
about a third less (docs/benchmarks.md). SQLite is unaffected (FTS5).
"""

from django.db import migrations

# What follows the public text in `everything` (a leading space is no word to the parser).
TOKENS = "substr(everything, length(public) + 1)"

FORWARD = [
    # The vector below is right only if `everything` starts with the public text: checked.
    "ALTER TABLE incidents_searchentry ADD CONSTRAINT incidents_search_public_first "
    "CHECK (left(everything, length(public)) = public)",
    "DROP INDEX IF EXISTS incidents_search_everything_vector_gin",
    "ALTER TABLE incidents_searchentry DROP COLUMN IF EXISTS everything_vector",
    "ALTER TABLE incidents_searchentry ADD COLUMN restricted_vector tsvector "
    f"GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, {TOKENS})) STORED",
    "CREATE INDEX incidents_search_restricted_vector_gin ON incidents_searchentry "
    "USING gin (restricted_vector)",
]
BACKWARD = [
    "ALTER TABLE incidents_searchentry DROP CONSTRAINT IF EXISTS incidents_search_public_first",
    "DROP INDEX IF EXISTS incidents_search_restricted_vector_gin",
    "ALTER TABLE incidents_searchentry DROP COLUMN IF EXISTS restricted_vector",
    "ALTER TABLE incidents_searchentry ADD COLUMN everything_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, everything)) STORED",
    "CREATE INDEX incidents_search_everything_vector_gin ON incidents_searchentry "
    "USING gin (everything_vector)",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("incidents", "0019_search_text_changes_logged")]
    operations = [migrations.RunPython(forward, backward)]
