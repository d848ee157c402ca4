"""Trace actions take their type choices from ``action_type_choices`` (a callable): adding a type writes no migration."""

import accountability.choices
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0016_move_watchers_out'),
    ]

    operations = [
        migrations.AlterField(
            model_name='action',
            name='action_type',
            field=models.CharField(choices=accountability.choices.action_type_choices, max_length=48, verbose_name='action type'),
        ),
    ]
