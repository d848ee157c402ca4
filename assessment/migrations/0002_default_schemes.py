"""The assessment's chained record is append-only on PostgreSQL; the default schemes, the consequence rule and the
power-list items of proposing, signing, contesting and deciding a contest."""

from django.db import migrations

from accountability.append_only import append_only


def forwards(apps, schema_editor):
    from assessment.default_schemes import install, install_power_items

    install(apps.get_model("assessment", "Scheme"), apps.get_model("assessment", "ConsequenceRule"))
    install_power_items(apps.get_model("accountability", "PowerItem"), apps.get_model("accountability", "PowerItemRevision"))


class Migration(migrations.Migration):
    dependencies = [("assessment", "0001_initial"), ("accountability", "0028_chain_seal_db_defaults")]
    operations = [
        append_only("assessment_assessmentevent"),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
