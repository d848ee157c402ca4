"""The filing officer (立案庭) role, and the power-list items of a case's life: filing and refused filings, random and
designated assignment, the panel, changes of the lead judge, recusal, the new process nodes, archiving."""

import accountability.choices
from django.db import migrations, models


def forwards(apps, schema_editor):
    from accountability.default_power_list import install

    apps.get_model("accountability", "Role").objects.get_or_create(code="filing_officer")
    install(apps.get_model("accountability", "PowerItem"), apps.get_model("accountability", "PowerItemRevision"))


def backwards(apps, schema_editor):
    """Remove the items this migration added (they have no history yet beyond revision 1) and the role."""
    power_item = apps.get_model("accountability", "PowerItem")
    added = {"FIL-01", "FIL-02", "FIL-03", "FIL-04", "FIL-05", "FIL-N1", "CMO-12", "CMO-13", "CMO-14", "PRE-21",
             "ADM-N5", "AST-08", "AST-09", "CLK-05"}
    added |= {f"{p}-{n}" for p in ("CHF", "PRE", "VPR") for n in ("18", "19", "20")}
    added |= {f"{p}-{n}" for p in ("JUD", "PRO") for n in range(18, 24)}
    items = power_item.objects.filter(code__in=added)
    apps.get_model("accountability", "PowerItemRevision").objects.filter(item__in=items).delete()
    items.delete()
    apps.get_model("accountability", "Role").objects.filter(code="filing_officer", officers__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('accountability', '0022_supervision_within_four_categories'),
    ]

    operations = [
        migrations.AlterField(
            model_name='role',
            name='code',
            field=models.CharField(choices=accountability.choices.role_code_choices, max_length=32, primary_key=True, serialize=False, verbose_name='code'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
