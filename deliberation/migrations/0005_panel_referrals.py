"""Data: who may refer under the default rules (leaders to the committees), and the panel's own referral to the
judges' (joint) meeting in the power list."""

from django.db import migrations


def forwards(apps, schema_editor):
    from deliberation.default_rules import install_power_items, set_referrer_roles

    set_referrer_roles(apps.get_model("deliberation", "ReferralRule"))
    install_power_items(apps.get_model("accountability", "PowerItem"), apps.get_model("accountability", "PowerItemRevision"))


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0004_referralrule_referrer_roles")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
