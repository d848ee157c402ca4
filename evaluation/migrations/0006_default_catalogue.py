"""Data: the default defect catalogue, point thresholds and review policy."""

from decimal import Decimal

from django.db import migrations


def forwards(apps, schema_editor):
    from evaluation.default_catalogue import DEFECT_ITEMS, THRESHOLDS

    DefectItem = apps.get_model("evaluation", "DefectItem")
    for code, aspect, description, points in DEFECT_ITEMS:
        DefectItem.objects.get_or_create(
            code=code, defaults={"aspect": aspect, "description": description, "points": Decimal(points)}
        )
    PointThreshold = apps.get_model("evaluation", "PointThreshold")
    for points, basis, consequence in THRESHOLDS:
        PointThreshold.objects.get_or_create(points=Decimal(points), basis=basis, consequence=consequence)
    EvaluationPolicy = apps.get_model("evaluation", "EvaluationPolicy")
    if not EvaluationPolicy.objects.exists():
        EvaluationPolicy.objects.create()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0005_reviews_and_points")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
