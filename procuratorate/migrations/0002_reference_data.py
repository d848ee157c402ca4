"""The procuratorate's procedure rules and process nodes, and its power list (with PRO-01…23 retitled)."""

from django.db import migrations

from procuratorate import default_power_list, default_procedures


def forwards(apps, schema_editor):
    default_procedures.install(
        apps.get_model("cases", "ProcedureRule"),
        apps.get_model("cases", "ProcedureRuleRevision"),
        apps.get_model("cases", "FlowNode"),
    )
    default_power_list.install(apps.get_model("accountability", "PowerItem"), apps.get_model("accountability", "PowerItemRevision"))


class Migration(migrations.Migration):
    dependencies = [
        ("procuratorate", "0001_models"),
        ("accountability", "0028_chain_seal_db_defaults"),
        ("cases", "0023_procuratorate_vocabulary"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
