"""The risk point 流程节点超期 (RP-06): an open case with a required process node past its deadline and not reached
(the fact ``case.nodes_overdue`` of ``supervision.rules``). Only added where missing: a court's own edits stay."""

from django.db import migrations


def forwards(apps, schema_editor):
    from supervision.default_situations import install_new

    install_new(
        apps.get_model("supervision", "Situation"), apps.get_model("supervision", "SituationRevision"), ["RP-06"]
    )


def backwards(apps, schema_editor):
    """Leaves the situation: flags may already name it (a rule is switched off in the admin, not deleted)."""


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_initial"),
        ("cases", "0018_case_life"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
