"""Power-list items PRE-22/PRE-23: the president of the court directly above decides the extensions the law gives to
the higher court (民事诉讼法 art. 152: 还需要延长的，报请上级人民法院批准). Data only."""

from django.db import migrations

ADDED = ("PRE-22", "PRE-23")


def forwards(apps, schema_editor):
    from accountability.default_power_list import install

    install(apps.get_model("accountability", "PowerItem"), apps.get_model("accountability", "PowerItemRevision"))


def backwards(apps, schema_editor):
    items = apps.get_model("accountability", "PowerItem").objects.filter(code__in=ADDED)
    apps.get_model("accountability", "PowerItemRevision").objects.filter(item__in=items).delete()
    items.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("accountability", "0024_organisation_case_code"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
