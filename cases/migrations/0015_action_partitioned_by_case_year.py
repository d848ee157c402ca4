"""The action table partitioned by the year its case was filed (cases.partitions): a ``case_year`` column
filled from the case, the foreign keys pointing at actions without a database constraint, and on PostgreSQL
the table rebuilt as a partitioned one. On a large database the rebuild copies every action: plan a window."""

from django.db import migrations, models
from django.db.migrations.exceptions import IrreversibleError

from cases.partitions import partition_table

def fill_case_year(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        partition_table(schema_editor, apps.get_model("cases", "Action"))
        return
    schema_editor.execute(
        "UPDATE cases_action SET case_year = "
        "(SELECT CAST(strftime('%Y', c.filed_on) AS INTEGER) FROM cases_case c WHERE c.id = cases_action.case_id)"
    )


def refuse_on_postgresql(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        raise IrreversibleError("The action table stays partitioned: restore a backup instead.")


class Migration(migrations.Migration):
    atomic = True

    dependencies = [
        ("cases", "0014_action_types_discipline"),
    ]

    operations = [
        migrations.AlterField(
            model_name="action",
            name="corrects",
            field=models.ForeignKey(
                blank=True, db_constraint=False, db_index=False, null=True,
                on_delete=models.deletion.PROTECT, related_name="corrections", to="cases.action",
                verbose_name="corrects",
            ),
        ),
        migrations.AlterField(
            model_name="attachment",
            name="action",
            field=models.ForeignKey(
                db_constraint=False, on_delete=models.deletion.PROTECT, related_name="attachments",
                to="cases.action",
            ),
        ),
        migrations.AlterField(
            model_name="searchreport",
            name="action",
            field=models.OneToOneField(
                db_constraint=False, on_delete=models.deletion.PROTECT, related_name="search_report",
                to="cases.action",
            ),
        ),
        migrations.AddField(
            model_name="action",
            name="case_year",
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name="case year"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_case_year, refuse_on_postgresql, elidable=False),
    ]
