"""The case types each defect item applies to, so a civil review does not offer sentencing or custody items."""

from django.db import migrations, models

ITEM_CASE_TYPES = {
    "SF-05": ["criminal"],
    "SX-03": ["criminal"],
    "ZX-01": ["enforcement"],
    "ZX-02": ["enforcement"],
    "ZX-03": ["enforcement"],
}


def forwards(apps, schema_editor):
    DefectItem = apps.get_model("evaluation", "DefectItem")
    for item in DefectItem.objects.filter(code__in=ITEM_CASE_TYPES):
        if not item.case_types:
            item.case_types = ITEM_CASE_TYPES[item.code]
            item.save(update_fields=["case_types"])


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0008_metricresult_subject_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="defectitem",
            name="case_types",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="The case types this item applies to (criminal, civil, …); empty means every type.",
                verbose_name="case types",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
