"""A case's life (DOMAIN.md §11): procedure rules (type codes, time limits) with revisions, gap-free case-number
sequences, refused filings, the standard process flows, assignment draws and policy, requests decided once; the
default rules and flows."""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models

from accountability.append_only import append_only


def install_defaults(apps, schema_editor):
    from cases.default_procedures import install

    install(
        apps.get_model("cases", "ProcedureRule"),
        apps.get_model("cases", "ProcedureRuleRevision"),
        apps.get_model("cases", "FlowNode"),
    )


class Migration(migrations.Migration):

    dependencies = [
        ('accountability', '0021_poweritem_action_type_callable_choices'),
        ('cases', '0017_action_type_callable_choices'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='archived_on',
            field=models.DateField(blank=True, null=True, verbose_name='archived on'),
        ),
        migrations.AddField(
            model_name='case',
            name='presiding_officer',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='presided_cases', to='accountability.officer', verbose_name='presiding judge'),
        ),
        migrations.AddField(
            model_name='case',
            name='procedure_rule_revision',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='case',
            name='track',
            field=models.CharField(blank=True, choices=[('ordinary', 'Ordinary procedure'), ('summary', 'Summary procedure'), ('small_claims', 'Small-claims procedure')], db_default='', default='', max_length=16, verbose_name='track'),
        ),
        migrations.CreateModel(
            name='AssignmentDraw',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('kind', models.CharField(choices=[('random', 'Random assignment'), ('designated', 'Designated assignment'), ('change', 'Change of the lead judge')], max_length=16, verbose_name='kind')),
                ('candidates', models.JSONField(default=list)),
                ('seed', models.CharField(blank=True, max_length=64)),
                ('reason', models.CharField(blank=True, choices=[('major_sensitive', 'Major, difficult, complex or sensitive case'), ('related_case', 'Related to a case the judge already handles'), ('specialised', 'Needs a specialised panel'), ('remanded', 'Remanded or retried: a different judge is required'), ('recusal', 'The judge drawn withdrew (recusal)'), ('leader_hears', 'A president or division chief hears the case')], max_length=32, verbose_name='reason')),
                ('note', models.TextField(blank=True, verbose_name='note')),
                ('action_seq', models.PositiveIntegerField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('approved_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.officer')),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='draws', to='cases.case')),
                ('result', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.officer')),
            ],
            options={
                'ordering': ['case_id', 'created_at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='AssignmentPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('weighted_by_caseload', models.BooleanField(default=False, verbose_name='weighted by open caseload')),
                ('organisation', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='assignment_policy', to='accountability.organisation')),
            ],
            options={
                'verbose_name': 'assignment policy',
                'verbose_name_plural': 'assignment policies',
            },
        ),
        migrations.CreateModel(
            name='FilingRefusal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('case_type', models.CharField(choices=[('criminal', 'Criminal'), ('civil', 'Civil'), ('administrative', 'Administrative'), ('enforcement', 'Enforcement'), ('compensation', 'State compensation'), ('public_interest', 'Public interest litigation')], max_length=16, verbose_name='case type')),
                ('procedure', models.CharField(choices=[('first_instance', 'First instance'), ('second_instance', 'Second instance'), ('retrial', 'Retrial'), ('enforcement', 'Enforcement')], max_length=16, verbose_name='procedure')),
                ('cause', models.CharField(blank=True, max_length=200, verbose_name='cause of action')),
                ('parties', models.TextField(verbose_name='parties')),
                ('reason', models.TextField(verbose_name='reason')),
                ('refused_on', models.DateField(verbose_name='refused on')),
                ('power_item_code', models.CharField(blank=True, max_length=32)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.organisation')),
                ('refused_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.officer')),
            ],
            options={
                'verbose_name': 'refused filing',
                'verbose_name_plural': 'refused filings',
                'ordering': ['-refused_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='FlowNode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('case_type', models.CharField(choices=[('criminal', 'Criminal'), ('civil', 'Civil'), ('administrative', 'Administrative'), ('enforcement', 'Enforcement'), ('compensation', 'State compensation'), ('public_interest', 'Public interest litigation')], max_length=16, verbose_name='case type')),
                ('procedure', models.CharField(choices=[('first_instance', 'First instance'), ('second_instance', 'Second instance'), ('retrial', 'Retrial'), ('enforcement', 'Enforcement')], max_length=16, verbose_name='procedure')),
                ('position', models.PositiveSmallIntegerField(verbose_name='position')),
                ('code', models.CharField(max_length=32, verbose_name='code')),
                ('name', models.CharField(max_length=100, verbose_name='name')),
                ('action_types', models.JSONField(default=list, verbose_name='reached by')),
                ('deadline_days', models.PositiveIntegerField(blank=True, null=True, verbose_name='deadline (days)')),
                ('deadline_from', models.CharField(choices=[('filing', 'Filing'), ('previous', 'The node before')], default='filing', max_length=16, verbose_name='counted from')),
                ('required', models.BooleanField(default=True, verbose_name='required before closing')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
            ],
            options={
                'verbose_name': 'process node',
                'verbose_name_plural': 'process nodes',
                'ordering': ['case_type', 'procedure', 'position'],
                'constraints': [models.UniqueConstraint(fields=('case_type', 'procedure', 'code'), name='flownode_unique_code')],
            },
        ),
        migrations.CreateModel(
            name='ProcedureRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('case_type', models.CharField(choices=[('criminal', 'Criminal'), ('civil', 'Civil'), ('administrative', 'Administrative'), ('enforcement', 'Enforcement'), ('compensation', 'State compensation'), ('public_interest', 'Public interest litigation')], max_length=16, verbose_name='case type')),
                ('procedure', models.CharField(choices=[('first_instance', 'First instance'), ('second_instance', 'Second instance'), ('retrial', 'Retrial'), ('enforcement', 'Enforcement')], max_length=16, verbose_name='procedure')),
                ('track', models.CharField(blank=True, choices=[('ordinary', 'Ordinary procedure'), ('summary', 'Summary procedure'), ('small_claims', 'Small-claims procedure')], max_length=16, verbose_name='track')),
                ('type_code', models.CharField(help_text='As in the case number, e.g. 民初, 民终, 刑初.', max_length=8, verbose_name='type code')),
                ('limit_value', models.PositiveIntegerField(help_text='0: no statutory time limit.', verbose_name='time limit')),
                ('limit_unit', models.CharField(choices=[('months', 'calendar months'), ('days', 'days')], default='months', max_length=8, verbose_name='unit')),
                ('extension_value', models.PositiveIntegerField(default=0, verbose_name='extension')),
                ('extension_unit', models.CharField(choices=[('months', 'calendar months'), ('days', 'days')], default='months', max_length=8, verbose_name='extension unit')),
                ('extension_approver', models.CharField(choices=[('president', 'Court president'), ('higher_court', 'Higher court'), ('none', 'Not extendable')], default='president', max_length=16, verbose_name='extension approved by')),
                ('further_approver', models.CharField(choices=[('president', 'Court president'), ('higher_court', 'Higher court'), ('none', 'Not extendable')], default='none', max_length=16, verbose_name='further extension approved by')),
                ('legal_basis', models.CharField(blank=True, max_length=300, verbose_name='legal basis')),
                ('is_active', models.BooleanField(default=True, verbose_name='active')),
                ('revision', models.PositiveIntegerField(default=1, editable=False)),
            ],
            options={
                'verbose_name': 'procedure rule (type code and time limit)',
                'verbose_name_plural': 'procedure rules (type codes and time limits)',
                'ordering': ['case_type', 'procedure', 'track'],
                'constraints': [models.UniqueConstraint(fields=('case_type', 'procedure', 'track'), name='procedurerule_unique')],
            },
        ),
        migrations.AddField(
            model_name='case',
            name='procedure_rule',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.procedurerule', verbose_name='procedure rule'),
        ),
        migrations.CreateModel(
            name='CaseNumberSequence',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField()),
                ('type_code', models.CharField(max_length=8)),
                ('last', models.PositiveIntegerField(default=0)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.organisation')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('organisation', 'year', 'type_code'), name='casenumbersequence_unique')],
            },
        ),
        migrations.CreateModel(
            name='CaseRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('kind', models.CharField(choices=[('extension', 'Extension of the time limit'), ('designation', 'Designated assignment'), ('lead_change', 'Change of the lead judge'), ('recusal', 'Recusal')], max_length=16, verbose_name='kind')),
                ('status', models.CharField(choices=[('pending', 'Awaiting decision'), ('approved', 'Approved'), ('refused', 'Not approved')], default='pending', max_length=16, verbose_name='status')),
                ('days', models.PositiveIntegerField(blank=True, null=True, verbose_name='days')),
                ('reason_code', models.CharField(blank=True, choices=[('major_sensitive', 'Major, difficult, complex or sensitive case'), ('related_case', 'Related to a case the judge already handles'), ('specialised', 'Needs a specialised panel'), ('remanded', 'Remanded or retried: a different judge is required'), ('recusal', 'The judge drawn withdrew (recusal)'), ('leader_hears', 'A president or division chief hears the case')], max_length=32, verbose_name='reason')),
                ('reason', models.TextField(verbose_name='reason')),
                ('approver', models.CharField(choices=[('president', 'Court president'), ('higher_court', 'Higher court'), ('none', 'Not extendable')], default='president', max_length=16, verbose_name='decided by')),
                ('decided_at', models.DateTimeField(blank=True, null=True)),
                ('decision_note', models.TextField(blank=True)),
                ('version', models.PositiveIntegerField(default=1)),
                ('case', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='requests', to='cases.case')),
                ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.officer')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.officer')),
                ('subject', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accountability.officer')),
            ],
            options={
                'verbose_name': 'request on a case',
                'verbose_name_plural': 'requests on cases',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['status', 'kind'], name='caserequest_pending')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('decided_at__isnull', True), ('status', 'pending')), models.Q(models.Q(('status', 'pending'), _negated=True), ('decided_at__isnull', False)), _connector='OR'), name='caserequest_decided_once')],
            },
        ),
        migrations.CreateModel(
            name='ProcedureRuleRevision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('revision', models.PositiveIntegerField()),
                ('snapshot', models.JSONField()),
                ('changed_at', models.DateTimeField(auto_now_add=True)),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('rule', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='revisions', to='cases.procedurerule')),
            ],
            options={
                'ordering': ['rule_id', 'revision'],
                'constraints': [models.UniqueConstraint(fields=('rule', 'revision'), name='procedurerulerevision_unique')],
            },
        ),
        migrations.RunPython(install_defaults, migrations.RunPython.noop),
        append_only("cases_procedurerulerevision", "cases_filingrefusal", "cases_assignmentdraw"),
    ]
