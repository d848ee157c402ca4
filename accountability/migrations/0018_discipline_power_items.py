"""Data: the discipline power items and the negative items that stop a suspended officer's case work."""

from django.db import migrations


def forwards(apps, schema_editor):
    from accountability.default_power_list import install

    install(apps.get_model("accountability", "PowerItem"), apps.get_model("accountability", "PowerItemRevision"))


class Migration(migrations.Migration):
    dependencies = [("accountability", "0017_alter_poweritem_action_type")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
