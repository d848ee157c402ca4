"""Data: the default rule library (four-category situations and risk points), each with its revision 1;
on PostgreSQL, interference records, their files and reports, and rule revisions are append-only."""

from django.db import migrations

from accountability.append_only import append_only


def forwards(apps, schema_editor):
    from supervision.default_situations import install

    install(apps.get_model("cases", "Situation"), apps.get_model("cases", "SituationRevision"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_supervision_rules_tasks_interference")]
    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        append_only(
            "cases_situationrevision",
            "cases_interferencerecord",
            "cases_interferenceattachment",
            "cases_interferencereport",
        ),
    ]
