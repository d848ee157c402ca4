"""Issue 23: metric results indexed by organisation first, then window (it was window first): a nightly task's
lookup of its organisation's stored rows uses it even on a first night's statistics of an empty table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accountability", "0028_chain_seal_db_defaults"),
        ("evaluation", "0013_pointthreshold_organisation_kind"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="metricresult",
            name="metricresult_window_org",
        ),
        migrations.AddIndex(
            model_name="metricresult",
            index=models.Index(fields=["organisation", "window_from", "window_to"], name="metricresult_org_window"),
        ),
    ]
