"""Issue 23: the cases' lead officer and department indexed with the organisation, so a nightly metric task finds
its officers' and departments' cases held in other organisations from the index alone (it read 10,000 heap pages
an organisation to find none); the single-column indexes go, as the new ones and case_lead_closed / case_dept_filed
serve every lookup by lead officer or department."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0028_chain_seal_db_defaults"),
        ("cases", "0023_procuratorate_vocabulary"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["lead_officer", "organisation"], name="case_lead_org"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["department", "organisation"], name="case_dept_org"),
        ),
        migrations.AlterField(
            model_name="case",
            name="department",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="cases",
                to="accountability.department",
                verbose_name="department",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="lead_officer",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="led_cases",
                to="accountability.officer",
                verbose_name="lead officer",
            ),
        ),
    ]
