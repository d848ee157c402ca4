"""Data: the fixed roles and the default power list (权责清单), each item at revision 1."""

from django.db import migrations

ROLE_CODES = [
    "judge",
    "prosecutor",
    "assistant",
    "clerk",
    "president",
    "vice_president",
    "division_chief",
    "case_management",
    "evaluator",
    "committee_member",
    "inspector",
    "administrator",
]


def forwards(apps, schema_editor):
    from accountability.default_power_list import install

    Role = apps.get_model("accountability", "Role")
    for code in ROLE_CODES:
        Role.objects.get_or_create(code=code)
    install(apps.get_model("accountability", "PowerItem"), apps.get_model("accountability", "PowerItemRevision"))


def backwards(apps, schema_editor):
    apps.get_model("accountability", "PowerItemRevision").objects.all().delete()
    apps.get_model("accountability", "PowerItem").objects.all().delete()
    apps.get_model("accountability", "Role").objects.filter(officers__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("accountability", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
