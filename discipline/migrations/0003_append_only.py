"""On PostgreSQL, a proceeding's chained events and the officer's submissions are append-only."""

from django.db import migrations

from accountability.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("discipline", "0002_proceedings")]
    operations = [append_only("discipline_proceedingevent", "discipline_submission")]
