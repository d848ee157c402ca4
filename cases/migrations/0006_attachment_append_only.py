"""On PostgreSQL, attachments are append-only like the actions they belong to."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE TRIGGER cases_attachment_append_only BEFORE UPDATE OR DELETE ON cases_attachment "
            "FOR EACH ROW EXECUTE FUNCTION quanze_refuse_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS cases_attachment_append_only ON cases_attachment")


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_attachments")]
    operations = [migrations.RunPython(forwards, backwards)]
