"""On PostgreSQL, the rule-change log is append-only (the function comes from 0009)."""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE TRIGGER accountability_rulechange_append_only BEFORE UPDATE OR DELETE ON accountability_rulechange "
            "FOR EACH ROW EXECUTE FUNCTION quanze_refuse_change()"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS accountability_rulechange_append_only ON accountability_rulechange")


class Migration(migrations.Migration):
    dependencies = [("accountability", "0010_rule_changes")]
    operations = [migrations.RunPython(forwards, backwards)]
