"""Data: the power-list items refusing a signature while a required similar-case search report is missing."""

from django.db import migrations


def forwards(apps, schema_editor):
    from accountability.default_power_list import install

    install(apps.get_model("accountability", "PowerItem"), apps.get_model("accountability", "PowerItemRevision"))


class Migration(migrations.Migration):
    dependencies = [("accountability", "0015_supervision_power_items")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
