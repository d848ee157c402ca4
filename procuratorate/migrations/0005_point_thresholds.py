"""The procuratorate's own point thresholds (the shipped ones are now a court's, evaluation 0013)."""

from django.db import migrations

from procuratorate import default_catalogue


def forwards(apps, schema_editor):
    default_catalogue.install_thresholds(apps.get_model("evaluation", "PointThreshold"))


class Migration(migrations.Migration):
    dependencies = [
        ("procuratorate", "0004_decision_nodes_optional"),
        ("evaluation", "0013_pointthreshold_organisation_kind"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
