"""Data: the sanction rules of each opinion (discipline.default_rules) and the negative items <prefix>-X2 that stop
a dismissed officer's case work from the day of the decision."""

from django.db import migrations

from discipline.default_rules import install


def forwards(apps, schema_editor):
    install(
        apps.get_model("discipline", "SanctionRule"),
        apps.get_model("accountability", "PowerItem"),
        apps.get_model("accountability", "PowerItemRevision"),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("discipline", "0005_sanction_rules"),
        ("accountability", "0018_discipline_power_items"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
