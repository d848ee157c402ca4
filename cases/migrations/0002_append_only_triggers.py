"""On PostgreSQL, a trigger refuses UPDATE and DELETE on the trace and the chain digests.

The model layer refuses them on every database; the trigger also stops raw SQL,
``queryset.update()`` from other code paths and manual edits in psql.
"""

from django.db import migrations

TABLES = ["cases_action", "cases_chaindigest"]

FUNCTION = """
CREATE OR REPLACE FUNCTION quanze_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'quanze: % on % is refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION quanze_refuse_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS quanze_refuse_change()")


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
