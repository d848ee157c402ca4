"""Data: power-list items for recomputing metrics (added to the default list after 0002)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from accountability.default_power_list import install

    install(apps.get_model("accountability", "PowerItem"), apps.get_model("accountability", "PowerItemRevision"))


class Migration(migrations.Migration):
    dependencies = [("accountability", "0002_roles_and_default_power_list")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
