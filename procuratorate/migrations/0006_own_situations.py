"""A procuratorate's own situations and risk points; the courts' that speak of a court's work become a court's."""

from django.db import migrations

from procuratorate import default_situations
from supervision.default_situations import COURT_ONLY, install_rows, set_kinds


def forwards(apps, schema_editor):
    situation_model = apps.get_model("supervision", "Situation")
    revision_model = apps.get_model("supervision", "SituationRevision")
    set_kinds(situation_model, revision_model, COURT_ONLY, ["court"])
    install_rows(situation_model, revision_model, default_situations.SITUATIONS, ["procuratorate"])


class Migration(migrations.Migration):
    dependencies = [
        ("procuratorate", "0005_point_thresholds"),
        ("supervision", "0004_situation_organisation_kinds"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
