"""The one chain module's canonical form: each chained row records the form its hash was computed in."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('interference', '0001_initial'),
    ]

    operations = [
        # Rows already chained were hashed in form 1 and say so (ADD COLUMN … DEFAULT: no row is updated, so the
        # append-only trigger is not crossed); rows written from now on are form 2.
        migrations.AddField(
            model_name='interferencerecord',
            name='hash_form',
            field=models.PositiveSmallIntegerField(default=1, editable=False),
        ),
        migrations.AlterField(
            model_name='interferencerecord',
            name='hash_form',
            field=models.PositiveSmallIntegerField(default=2, editable=False),
        ),
    ]
