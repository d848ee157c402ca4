"""A flag keeps its case's organisation (issue 23): filled from the cases, then required and indexed for the open
flags, so an organisation's alerts panel is one index range."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0001_initial"),
        ("supervision", "0004_situation_organisation_kinds"),
    ]

    operations = [
        migrations.AddField(
            model_name="flag",
            name="organisation",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accountability.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.RunSQL(
            "UPDATE cases_flag SET organisation_id = "
            "(SELECT organisation_id FROM cases_case WHERE cases_case.id = cases_flag.case_id)",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="flag",
            name="organisation",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accountability.organisation",
                verbose_name="organisation",
            ),
        ),
        migrations.AddIndex(
            model_name="flag",
            index=models.Index(
                condition=models.Q(("status__in", ("pending", "confirmed"))),
                fields=["organisation", "situation"],
                include=("status", "escalation_level"),
                name="flag_open_by_organisation",
            ),
        ),
    ]
