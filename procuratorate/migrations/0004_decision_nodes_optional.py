"""The decision node of 审查逮捕 and 审查起诉 is not a pre-closing requirement: a prosecutor's own decision (批准逮捕,
提起公诉) is recorded with the closing, and the closing check (``procuratorate.services.on_case_closing``) refuses a
closing without its decision on file anyway; the closing page no longer disables a closing the server accepts."""

from django.db import migrations


def forwards(apps, schema_editor):
    apps.get_model("cases", "FlowNode").objects.filter(
        case_type="criminal", procedure__in=["arrest_review", "prosecution"], code="decision"
    ).update(required=False)


class Migration(migrations.Migration):
    dependencies = [("procuratorate", "0003_prosecutor_defect_catalogue")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
