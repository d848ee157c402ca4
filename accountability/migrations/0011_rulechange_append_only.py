"""On PostgreSQL, the rule-change log is append-only."""

from django.db import migrations

from accountability.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("accountability", "0010_rule_changes")]
    operations = [append_only("accountability_rulechange")]
