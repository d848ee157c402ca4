"""The meeting record is append-only on PostgreSQL; the default referral rules and power-list items."""

from django.db import migrations

from accountability.append_only import append_only


def forwards(apps, schema_editor):
    from deliberation.default_rules import install_power_items, install_rules

    install_rules(apps.get_model("deliberation", "ReferralRule"))
    install_power_items(apps.get_model("accountability", "PowerItem"), apps.get_model("accountability", "PowerItemRevision"))


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0001_initial"), ("accountability", "0028_chain_seal_db_defaults")]
    operations = [
        append_only("deliberation_meetingevent"),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
