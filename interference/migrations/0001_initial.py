"""The interference models, moved from ``cases`` with their tables (``cases_*``) and rows untouched."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.db import migrations, models


MOVED = ['interferencerecord', 'interferenceattachment', 'interferencereport']


def rename_content_types(apps, schema_editor):
    """Content types (and with them permissions and admin history) follow the models to their new app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="cases", model__in=MOVED).update(app_label='interference')


def reverse_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label='interference', model__in=MOVED).update(app_label="cases")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('accountability', '0020_outbox'),
        ('cases', '0016_move_watchers_out'),
    ]

    operations = [
        # The tables stay where they are (each model names its old table in Meta.db_table): only Django's
        # idea of which app owns the model changes, so no row is copied and no table is lost.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='InterferenceRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('seq', models.PositiveBigIntegerField(unique=True)),
                        ('source_kind', models.CharField(choices=[('leading_cadre', 'Leading cadre'), ('insider', 'Person inside the court or procuratorate'), ('party', 'Party'), ('lawyer', 'Lawyer'), ('intermediary', 'Intermediary'), ('other', 'Other')], max_length=16, verbose_name='who asked (kind)')),
                        ('person_name', models.CharField(max_length=100, verbose_name='name')),
                        ('person_employer', models.CharField(blank=True, max_length=200, verbose_name='employer')),
                        ('person_post', models.CharField(blank=True, max_length=100, verbose_name='post')),
                        ('relationship', models.CharField(blank=True, max_length=200, verbose_name='relationship to the case or the recorder')),
                        ('occurred_at', models.DateTimeField(verbose_name='when')),
                        ('channel', models.CharField(choices=[('letter', 'Letter'), ('phone', 'Telephone'), ('in_person', 'In person'), ('on_behalf', 'On behalf of an organisation'), ('message', 'Text or online message'), ('other', 'Other')], max_length=16, verbose_name='channel')),
                        ('content', models.TextField(verbose_name='what was asked')),
                        ('handling', models.TextField(verbose_name='how it was handled')),
                        ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('prev_hash', models.CharField(max_length=64)),
                        ('hash', models.CharField(max_length=64)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.case')),
                        ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.department')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.organisation')),
                        ('person_officer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.officer')),
                        ('recorder', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.officer')),
                    ],
                    options={
                        'verbose_name': 'interference record',
                        'verbose_name_plural': 'interference records',
                        'db_table': 'cases_interferencerecord',
                        'ordering': ['-seq'],
                    },
                ),
                migrations.CreateModel(
                    name='InterferenceAttachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('original_name', models.CharField(max_length=255, verbose_name='file name')),
                        ('stored_name', models.CharField(editable=False, max_length=100, unique=True)),
                        ('content_type', models.CharField(max_length=100, verbose_name='type')),
                        ('size', models.PositiveBigIntegerField(verbose_name='size (bytes)')),
                        ('sha256', models.CharField(max_length=64)),
                        ('record', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attachments', to='interference.interferencerecord')),
                    ],
                    options={
                        'db_table': 'cases_interferenceattachment',
                        'ordering': ['record_id', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='InterferenceReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                        ('quarter', models.PositiveSmallIntegerField(verbose_name='quarter')),
                        ('records', models.PositiveIntegerField(verbose_name='records in the quarter')),
                        ('is_nil', models.BooleanField(verbose_name='nil report')),
                        ('note', models.TextField(blank=True, verbose_name='note')),
                        ('filed_at', models.DateTimeField(auto_now_add=True)),
                        ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.department')),
                        ('filed_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.officer')),
                    ],
                    options={
                        'verbose_name': 'quarterly interference report',
                        'verbose_name_plural': 'quarterly interference reports',
                        'db_table': 'cases_interferencereport',
                        'ordering': ['-year', '-quarter', 'department_id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='interferencerecord',
                    index=models.Index(fields=['organisation', 'occurred_at'], name='interference_org_time'),
                ),
                migrations.AddIndex(
                    model_name='interferencerecord',
                    index=models.Index(fields=['department', 'occurred_at'], name='interference_dept_time'),
                ),
                migrations.AddConstraint(
                    model_name='interferencereport',
                    constraint=models.UniqueConstraint(fields=('department', 'year', 'quarter'), name='interferencereport_unique'),
                ),
                migrations.AddConstraint(
                    model_name='interferencereport',
                    constraint=models.CheckConstraint(condition=models.Q(('quarter__gte', 1), ('quarter__lte', 4)), name='interferencereport_quarter'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_types, reverse_content_types),
    ]
