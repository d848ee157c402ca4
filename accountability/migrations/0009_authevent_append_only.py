"""On PostgreSQL, the sign-in audit is append-only like the trace."""

from django.db import migrations

from accountability.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("accountability", "0008_sign_in_audit")]
    operations = [append_only("accountability_authevent")]
