"""On PostgreSQL, the sign-in audit is append-only like the trace (a trigger refuses UPDATE and DELETE)."""

from django.db import migrations

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
    schema_editor.execute(
        "CREATE TRIGGER accountability_authevent_append_only BEFORE UPDATE OR DELETE ON accountability_authevent "
        "FOR EACH ROW EXECUTE FUNCTION quanze_refuse_change()"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS accountability_authevent_append_only ON accountability_authevent")


class Migration(migrations.Migration):
    dependencies = [("accountability", "0008_sign_in_audit")]
    operations = [migrations.RunPython(forwards, backwards)]
