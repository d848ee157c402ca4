"""On PostgreSQL, a trigger refuses UPDATE and DELETE on the trace and the chain digests.

The model layer refuses them on every database; the trigger also stops raw SQL,
``queryset.update()`` from other code paths and manual edits in psql.
"""

from django.db import migrations

from accountability.append_only import append_only


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [append_only("cases_action", "cases_chaindigest")]
