"""偏离预警 (issue 22): the rule as data (inactive until simulated and switched on) and each decided case's latest
comparison; the supervision situation RP-SIM that raises the risk alert when a comparison is outside."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


RULE = {
    "code": "DEV-01",
    "title": "判赔比例偏离类案",
    "metric": "awarded_share",
    "neighbours": 20,
    "minimum": 8,
    "low_percentile": 5,
    "high_percentile": 95,
    "is_active": False,
}
SITUATION = {
    "code": "RP-SIM",
    "family": "risk_point",
    "category": "",
    "kind": "automatic",
    "priority": 2,
    "title": "裁判结果偏离类案",
    "description": "已结案件的裁判结果（判赔比例等）超出其最相似类案的分布区间（偏离预警规则，类案检索中设置和模拟）",
    "condition": {"all": [{"field": "case.outcome_deviates", "op": "eq", "value": True}]},
}


def forwards(apps, schema_editor):
    """Idempotent (tests/conftest.py re-installs it after a flush)."""
    DeviationRule = apps.get_model("similar", "DeviationRule")
    Situation = apps.get_model("supervision", "Situation")
    SituationRevision = apps.get_model("supervision", "SituationRevision")
    if not DeviationRule.objects.filter(code=RULE["code"]).exists():
        DeviationRule.objects.create(**RULE)
    if not Situation.objects.filter(code=SITUATION["code"]).exists():
        situation = Situation.objects.create(revision=1, is_active=True, **SITUATION)
        SituationRevision.objects.create(
            situation=situation, revision=1, snapshot={**SITUATION, "is_active": True}
        )


def backwards(apps, schema_editor):
    apps.get_model("similar", "DeviationRule").objects.filter(code=RULE["code"]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0023_procuratorate_vocabulary'),
        ('similar', '0003_similar_push'),
        ('supervision', '0003_alter_referral_body'),
    ]

    operations = [
        migrations.CreateModel(
            name='DeviationRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('code', models.CharField(max_length=32, unique=True, verbose_name='code')),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('metric', models.CharField(choices=[('awarded_amount', 'amount awarded (yuan)'), ('awarded_share', 'share of the claim awarded')], max_length=32, verbose_name='outcome compared')),
                ('neighbours', models.PositiveSmallIntegerField(default=20, verbose_name='similar cases compared')),
                ('minimum', models.PositiveSmallIntegerField(default=8, verbose_name='fewest similar cases for a judgment')),
                ('low_percentile', models.PositiveSmallIntegerField(default=5, verbose_name='lower percentile')),
                ('high_percentile', models.PositiveSmallIntegerField(default=95, verbose_name='upper percentile')),
                ('is_active', models.BooleanField(default=False, verbose_name='active')),
            ],
            options={
                'verbose_name': 'deviation warning rule',
                'verbose_name_plural': 'deviation warning rules',
                'db_table': 'similar_deviationrule',
                'ordering': ['code'],
                'constraints': [models.CheckConstraint(condition=models.Q(('high_percentile__lte', 100), ('low_percentile__lt', models.F('high_percentile'))), name='deviationrule_band'), models.CheckConstraint(condition=models.Q(('minimum__gte', 3), ('neighbours__gte', models.F('minimum'))), name='deviationrule_enough')],
            },
        ),
        migrations.CreateModel(
            name='Deviation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('value', models.FloatField()),
                ('low', models.FloatField()),
                ('high', models.FloatField()),
                ('neighbours', models.PositiveSmallIntegerField()),
                ('outside', models.BooleanField(db_index=True, default=False)),
                ('computed_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('case', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='deviation', to='cases.case')),
                ('rule', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='similar.deviationrule')),
            ],
            options={
                'db_table': 'similar_deviation',
            },
        ),
        migrations.RunPython(forwards, backwards),
    ]
