"""The matters a referral rule admits (four categories, lifecycle events), and the default rules' matters: a leader
refers a four-category case to the committee (法发〔2021〕30号第七条)."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    from deliberation.default_rules import set_matters

    set_matters(apps.get_model("deliberation", "ReferralRule"))


class Migration(migrations.Migration):
    dependencies = [("deliberation", "0005_panel_referrals")]

    operations = [
        migrations.AddField(
            model_name="referralrule",
            name="categories",
            field=models.JSONField(blank=True, default=list, verbose_name="four categories the rule admits"),
        ),
        migrations.AddField(
            model_name="referralrule",
            name="event_types",
            field=models.JSONField(blank=True, default=list, verbose_name="lifecycle events the rule admits"),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
