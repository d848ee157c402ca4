"""The prosecutors' defect catalogue; the court's shipped items marked as a court's."""

from django.db import migrations

from procuratorate import default_catalogue


def forwards(apps, schema_editor):
    default_catalogue.install(apps.get_model("evaluation", "DefectItem"))


class Migration(migrations.Migration):
    dependencies = [
        ("procuratorate", "0002_reference_data"),
        ("evaluation", "0011_defectitem_organisation_kinds"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
