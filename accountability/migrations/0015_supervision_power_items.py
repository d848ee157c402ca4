"""Data: power-list items for supervision follow-up, interference records and quarterly reports."""

from django.db import migrations


def forwards(apps, schema_editor):
    from accountability.default_power_list import install

    install(apps.get_model("accountability", "PowerItem"), apps.get_model("accountability", "PowerItemRevision"))


class Migration(migrations.Migration):
    dependencies = [("accountability", "0014_supervision_rules_tasks_interference")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
