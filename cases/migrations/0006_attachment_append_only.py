"""On PostgreSQL, attachments are append-only like the actions they belong to."""

from django.db import migrations

from accountability.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_attachments")]
    operations = [append_only("cases_attachment")]
