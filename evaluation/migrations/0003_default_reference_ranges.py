"""Data: the leader caseload bands of INTERCHANGE.md as default reference ranges."""

from decimal import Decimal

from django.db import migrations

BANDS = [
    ("division_chief", "", "0.5", "0.7", "庭长 / 部门负责人"),
    ("president", "basic", "0.05", "0.10", "基层法院院长"),
    ("vice_president", "basic", "0.3", "0.4", "基层法院副院长"),
    ("president", "intermediate", "0.05", None, "中级法院院长：不低于 5%"),
    ("vice_president", "intermediate", "0.2", "0.3", "中级法院副院长"),
]


def forwards(apps, schema_editor):
    MetricRange = apps.get_model("evaluation", "MetricRange")
    for post, level, low, high, note in BANDS:
        MetricRange.objects.get_or_create(
            metric="leader_caseload_ratio",
            post=post,
            organisation_level=level,
            defaults={"low": Decimal(low), "high": Decimal(high) if high else None, "note": note},
        )


def backwards(apps, schema_editor):
    apps.get_model("evaluation", "MetricRange").objects.filter(metric="leader_caseload_ratio").delete()


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0002_metricrange_metricresult")]
    operations = [migrations.RunPython(forwards, backwards)]
