"""The supervision models, moved from ``cases`` with their tables (``cases_*``) and rows untouched."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


MOVED = ['situation', 'situationrevision', 'flag', 'supervisiontask', 'referral']


def rename_content_types(apps, schema_editor):
    """Content types (and with them permissions and admin history) follow the models to their new app."""
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label="cases", model__in=MOVED).update(app_label='supervision')


def reverse_content_types(apps, schema_editor):
    content_type = apps.get_model("contenttypes", "ContentType")
    content_type.objects.filter(app_label='supervision', model__in=MOVED).update(app_label="cases")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('accountability', '0020_outbox'),
        ('cases', '0016_move_watchers_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay where they are (each model names its old table in Meta.db_table): only Django's
        # idea of which app owns the model changes, so no row is copied and no table is lost.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Flag',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('situation_revision', models.PositiveIntegerField()),
                        ('status', models.CharField(choices=[('pending', 'Pre-flagged, awaiting confirmation'), ('confirmed', 'Confirmed'), ('dismissed', 'Dismissed')], default='pending', max_length=16, verbose_name='status')),
                        ('reason', models.TextField(verbose_name='why')),
                        ('facts', models.JSONField(blank=True, default=dict)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('decision_reason', models.TextField(blank=True, verbose_name='decision reason')),
                        ('act_by', models.DateTimeField(blank=True, null=True, verbose_name='act by')),
                        ('escalation_level', models.PositiveSmallIntegerField(default=0, verbose_name='escalation level')),
                        ('escalated_at', models.DateTimeField(blank=True, null=True)),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='flags', to='cases.case')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.officer')),
                        ('raised_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.officer')),
                    ],
                    options={
                        'verbose_name': 'four-category flag',
                        'verbose_name_plural': 'four-category flags',
                        'db_table': 'cases_flag',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Referral',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('body', models.CharField(choices=[('judges_meeting', "Professional judges' meeting"), ('adjudication_committee', 'Adjudication committee')], max_length=32, verbose_name='referred to')),
                        ('reason', models.TextField(verbose_name='reason')),
                        ('outcome', models.TextField(blank=True, verbose_name='outcome')),
                        ('outcome_recorded_at', models.DateTimeField(blank=True, null=True)),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='referrals', to='cases.case')),
                        ('flag', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='referrals', to='supervision.flag')),
                        ('outcome_recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.officer')),
                        ('referred_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.officer')),
                    ],
                    options={
                        'verbose_name': 'referral',
                        'verbose_name_plural': 'referrals',
                        'db_table': 'cases_referral',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Situation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('code', models.CharField(max_length=32, unique=True, verbose_name='code')),
                        ('family', models.CharField(choices=[('four_category', 'Four-category case'), ('risk_point', 'Risk point')], default='four_category', max_length=16, verbose_name='family')),
                        ('category', models.CharField(blank=True, choices=[('major', 'Major, difficult, complex or sensitive'), ('group', 'Group dispute or wide public attention'), ('conflict', 'May conflict with similar-case rulings'), ('reported', 'Judge reported for unlawful conduct')], max_length=16, verbose_name='category')),
                        ('title', models.CharField(max_length=300, verbose_name='title')),
                        ('description', models.TextField(blank=True, verbose_name='explanation')),
                        ('kind', models.CharField(choices=[('manual', 'Raised by a person'), ('automatic', 'Detected by a rule')], default='manual', max_length=16, verbose_name='kind')),
                        ('condition', models.JSONField(blank=True, default=dict, verbose_name='condition')),
                        ('priority', models.PositiveSmallIntegerField(default=2, verbose_name='priority')),
                        ('requires_similar_search', models.BooleanField(default=False, help_text='While a flag of this situation is pending or confirmed, the ruling cannot be signed until a similar-case search report is attached.', verbose_name='requires a similar-case search')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('revision', models.PositiveIntegerField(default=1, editable=False)),
                    ],
                    options={
                        'verbose_name': 'four-category situation or risk point',
                        'verbose_name_plural': 'four-category situations and risk points',
                        'db_table': 'cases_situation',
                        'ordering': ['family', 'category', 'code'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('category', ''), ('family', 'risk_point')), models.Q(('family', 'four_category'), models.Q(('category', ''), _negated=True)), _connector='OR'), name='situation_category_matches_family')],
                    },
                ),
                migrations.AddField(
                    model_name='flag',
                    name='situation',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='flags', to='supervision.situation'),
                ),
                migrations.CreateModel(
                    name='SituationRevision',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('revision', models.PositiveIntegerField()),
                        ('snapshot', models.JSONField()),
                        ('changed_at', models.DateTimeField(auto_now_add=True)),
                        ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('situation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='revisions', to='supervision.situation')),
                    ],
                    options={
                        'db_table': 'cases_situationrevision',
                        'ordering': ['situation_id', 'revision'],
                    },
                ),
                migrations.CreateModel(
                    name='SupervisionTask',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('kind', models.CharField(choices=[('progress_report', 'Report progress and deliberation'), ('similar_search', 'Carry out a similar-case search')], max_length=24, verbose_name='task')),
                        ('instructions', models.TextField(verbose_name='instructions')),
                        ('due_on', models.DateField(verbose_name='due on')),
                        ('status', models.CharField(choices=[('open', 'Open'), ('done', 'Done')], default='open', max_length=8, verbose_name='status')),
                        ('response', models.TextField(blank=True, verbose_name='report')),
                        ('done_at', models.DateTimeField(blank=True, null=True)),
                        ('overdue_notified_at', models.DateTimeField(blank=True, null=True)),
                        ('version', models.PositiveIntegerField(default=1)),
                        ('assignee', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tasks_assigned', to='accountability.officer')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='supervision_tasks', to='cases.case')),
                        ('flag', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='tasks', to='supervision.flag')),
                        ('required_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='tasks_required', to='accountability.officer')),
                    ],
                    options={
                        'verbose_name': 'supervision task',
                        'verbose_name_plural': 'supervision tasks',
                        'db_table': 'cases_supervisiontask',
                        'ordering': ['due_on', 'pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='flag',
                    index=models.Index(condition=models.Q(('status', 'pending')), fields=['act_by'], name='flag_pending_act_by'),
                ),
                migrations.AddConstraint(
                    model_name='flag',
                    constraint=models.UniqueConstraint(condition=models.Q(('status__in', ('pending', 'confirmed'))), fields=('case', 'situation'), name='one_open_flag_per_situation'),
                ),
                migrations.AddConstraint(
                    model_name='situationrevision',
                    constraint=models.UniqueConstraint(fields=('situation', 'revision'), name='situationrevision_unique'),
                ),
                migrations.AddIndex(
                    model_name='supervisiontask',
                    index=models.Index(condition=models.Q(('status', 'open')), fields=['due_on'], name='task_open_due'),
                ),
                migrations.AddIndex(
                    model_name='supervisiontask',
                    index=models.Index(fields=['assignee', 'status'], name='task_assignee'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(rename_content_types, reverse_content_types),
    ]
