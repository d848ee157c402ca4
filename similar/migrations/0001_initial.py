"""The similar models, moved from ``cases`` with their tables (``cases_*``) and rows untouched."""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.db import migrations, models


MOVED = ['referencecase', 'searchdocument', 'searchreport', 'searchreportitem']


def rename_content_types(apps, schema_editor):
    """Content types (and with them permissions and admin history) follow the models to their new app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="cases", model__in=MOVED).update(app_label='similar')


def reverse_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label='similar', model__in=MOVED).update(app_label="cases")


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
                    name='ReferenceCase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('level', models.PositiveSmallIntegerField(choices=[(1, 'Guiding case'), (2, 'SPC typical case'), (3, 'Provincial reference case')], verbose_name='source')),
                        ('number', models.CharField(help_text='For example 指导案例24号.', max_length=100, unique=True, verbose_name='number')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('court', models.CharField(blank=True, max_length=200, verbose_name='court of the ruling')),
                        ('decided_on', models.DateField(blank=True, null=True, verbose_name='decided on')),
                        ('case_type', models.CharField(blank=True, choices=[('criminal', 'Criminal'), ('civil', 'Civil'), ('administrative', 'Administrative'), ('enforcement', 'Enforcement'), ('compensation', 'State compensation'), ('public_interest', 'Public interest litigation')], max_length=16, verbose_name='case type')),
                        ('cause', models.CharField(blank=True, max_length=200, verbose_name='cause of action')),
                        ('keywords', models.CharField(blank=True, max_length=300, verbose_name='keywords')),
                        ('key_points', models.TextField(blank=True, verbose_name='key points of the ruling')),
                        ('facts_summary', models.TextField(blank=True, verbose_name='facts summary')),
                        ('disputed_points', models.TextField(blank=True, verbose_name='disputed points')),
                        ('ruling_summary', models.TextField(blank=True, verbose_name='ruling summary')),
                        ('issued_by', models.ForeignKey(blank=True, help_text='For a provincial reference case, the high court that issued it: searched within its province.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.organisation', verbose_name='issued by')),
                    ],
                    options={
                        'verbose_name': 'reference case',
                        'verbose_name_plural': 'reference cases',
                        'db_table': 'cases_referencecase',
                        'ordering': ['level', 'number'],
                    },
                ),
                migrations.CreateModel(
                    name='SearchDocument',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('level', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('decided_on', models.DateField(blank=True, null=True)),
                        ('case_type', models.CharField(blank=True, max_length=16)),
                        ('cause', models.CharField(blank=True, max_length=200)),
                        ('tokens', models.TextField()),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('case', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_document', to='cases.case')),
                        ('organisation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accountability.organisation')),
                        ('reference', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='search_document', to='similar.referencecase')),
                    ],
                    options={
                        'db_table': 'cases_searchdocument',
                    },
                ),
                migrations.CreateModel(
                    name='SearchReport',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('query', models.CharField(max_length=200, verbose_name='query')),
                        ('filters', models.JSONField(blank=True, default=dict)),
                        ('conclusion', models.TextField(verbose_name='conclusion')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('action', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='search_report', to='cases.action')),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.officer')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='search_reports', to='cases.case')),
                    ],
                    options={
                        'verbose_name': 'similar-case search report',
                        'verbose_name_plural': 'similar-case search reports',
                        'db_table': 'cases_searchreport',
                        'ordering': ['-created_at', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='SearchReportItem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField()),
                        ('level', models.PositiveSmallIntegerField(choices=[(1, 'Guiding case'), (2, 'SPC typical case'), (3, 'Provincial reference case'), (4, 'Ruling of a higher court'), (5, 'Ruling of this court')], verbose_name='source')),
                        ('label', models.CharField(max_length=300, verbose_name='case')),
                        ('bearing', models.CharField(choices=[('followed', 'Followed: same issue, same rule'), ('distinguished', 'Distinguished: the facts differ'), ('reference', 'For reference'), ('conflicting', 'Conflicts with other similar rulings')], max_length=16, verbose_name='bearing')),
                        ('note', models.TextField(verbose_name='how it bears on the case')),
                        ('reference', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='similar.referencecase')),
                        ('report', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='items', to='similar.searchreport')),
                        ('source_case', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.case')),
                    ],
                    options={
                        'db_table': 'cases_searchreportitem',
                        'ordering': ['report', 'position'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='referencecase',
                    constraint=models.CheckConstraint(condition=models.Q(('level__lte', 3)), name='referencecase_level'),
                ),
                migrations.AddConstraint(
                    model_name='referencecase',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('level', 3), _negated=True), ('issued_by__isnull', False), _connector='OR'), name='referencecase_provincial_issuer'),
                ),
                migrations.AddConstraint(
                    model_name='searchdocument',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('case__isnull', False), ('reference__isnull', True)), models.Q(('case__isnull', True), ('reference__isnull', False)), _connector='OR'), name='searchdocument_one_source'),
                ),
                migrations.AddConstraint(
                    model_name='searchreportitem',
                    constraint=models.UniqueConstraint(fields=('report', 'position'), name='searchreportitem_position'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_types, reverse_content_types),
    ]
