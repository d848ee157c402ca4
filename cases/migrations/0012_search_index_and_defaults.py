"""Similar-case search: on PostgreSQL, a generated tsvector over the segmented tokens with a GIN index on
(organisation, vector) (btree_gin), so a search is one index scan within the searcher's courts; search
reports are append-only; the default situations that require a search are marked (a new revision each)."""

from django.db import migrations

from accountability.append_only import append_only

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gin",
    "ALTER TABLE cases_searchdocument ADD COLUMN vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, tokens)) STORED",
    "CREATE INDEX searchdocument_vector ON cases_searchdocument USING gin (organisation_id, vector)",
    "CREATE INDEX searchdocument_reference_vector ON cases_searchdocument USING gin (vector) "
    "WHERE reference_id IS NOT NULL",
]
BACKWARD = [
    "DROP INDEX IF EXISTS searchdocument_reference_vector",
    "DROP INDEX IF EXISTS searchdocument_vector",
    "ALTER TABLE cases_searchdocument DROP COLUMN IF EXISTS vector",
]


def index_forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def index_backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


def forwards(apps, schema_editor):
    from supervision.default_situations import require_searches

    require_searches(apps.get_model("cases", "Situation"), apps.get_model("cases", "SituationRevision"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_similar_case_search")]
    operations = [
        migrations.RunPython(index_forwards, index_backwards),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        append_only("cases_searchreport", "cases_searchreportitem"),
    ]
