# Issue 10 item 5: drop the indexes a composite index (or a unique pair) starting with the same
# column makes redundant; tests/qcportal/test_db_indexes.py keeps them from coming back.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0007_judging_required'),
    ]

    operations = [
        migrations.AlterField(
            model_name='conflictwaiver',
            name='judge',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='waivers', to='evaluation.judge', verbose_name='评委'),
        ),
        migrations.AlterField(
            model_name='gradelevel',
            name='judging',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='grade_levels', to='evaluation.judging', verbose_name='评审工作'),
        ),
        migrations.AlterField(
            model_name='gradeplaces',
            name='level',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='domain_places', to='evaluation.gradelevel', verbose_name='等级'),
        ),
        migrations.AlterField(
            model_name='judge',
            name='organisation',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='judges', to='qcportal.organisation', verbose_name='所属协会'),
        ),
        migrations.AlterField(
            model_name='judgeassignment',
            name='judge',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='assignments', to='evaluation.judge', verbose_name='评委'),
        ),
        migrations.AlterField(
            model_name='judgeassignment',
            name='round',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='evaluation.judginground', verbose_name='评审轮次'),
        ),
        migrations.AlterField(
            model_name='judgequalification',
            name='judge',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='qualifications', to='evaluation.judge', verbose_name='评委'),
        ),
        migrations.AlterField(
            model_name='judging',
            name='campaign',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='judgings', to='promotion.campaign', verbose_name='活动'),
        ),
        migrations.AlterField(
            model_name='judginground',
            name='judging',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='rounds', to='evaluation.judging', verbose_name='评审工作'),
        ),
        migrations.AlterField(
            model_name='panel',
            name='round',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='panels', to='evaluation.judginground', verbose_name='评审轮次'),
        ),
        migrations.AlterField(
            model_name='result',
            name='judging',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='results', to='evaluation.judging', verbose_name='评审工作'),
        ),
        migrations.AlterField(
            model_name='roundscore',
            name='round',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='scores', to='evaluation.judginground', verbose_name='评审轮次'),
        ),
        migrations.AlterField(
            model_name='scoreitem',
            name='sheet',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='items', to='evaluation.scoresheet', verbose_name='评分表'),
        ),
        migrations.AlterField(
            model_name='scoresheet',
            name='round',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='sheets', to='evaluation.judginground', verbose_name='评审轮次'),
        ),
        migrations.AlterField(
            model_name='scoringcriterion',
            name='template',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='criteria', to='evaluation.sheettemplate', verbose_name='评分表模板'),
        ),
        migrations.AlterField(
            model_name='sheettemplate',
            name='organisation',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sheet_templates', to='qcportal.organisation', verbose_name='所属协会'),
        ),
        migrations.AlterField(
            model_name='submission',
            name='campaign',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='submissions', to='promotion.campaign', verbose_name='活动'),
        ),
        # The implicit many-to-many table becomes an explicit model (same table, columns and
        # unique constraint: state only), then loses the index its unique pair makes redundant.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PanelJudge',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('judge', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='evaluation.judge')),
                        ('panel', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='evaluation.panel')),
                    ],
                    options={
                        'db_table': 'evaluation_panel_judges',
                        'unique_together': {('panel', 'judge')},
                    },
                ),
                migrations.AlterField(
                    model_name='panel',
                    name='judges',
                    field=models.ManyToManyField(blank=True, related_name='panels', through='evaluation.PanelJudge', to='evaluation.judge', verbose_name='评委'),
                ),
            ],
        ),
        migrations.AlterField(
            model_name='paneljudge',
            name='panel',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='evaluation.panel'),
        ),
        # The implicit many-to-many table becomes an explicit model (same table, columns and
        # unique constraint: state only), then loses the index its unique pair makes redundant.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SubmissionEvidence',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('activityrecord', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='circles.activityrecord')),
                        ('submission', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='evaluation.submission')),
                    ],
                    options={
                        'db_table': 'evaluation_submission_evidence',
                        'unique_together': {('submission', 'activityrecord')},
                    },
                ),
                migrations.AlterField(
                    model_name='submission',
                    name='evidence',
                    field=models.ManyToManyField(blank=True, related_name='submissions', through='evaluation.SubmissionEvidence', to='circles.activityrecord', verbose_name='活动记录（证实性材料）'),
                ),
            ],
        ),
        migrations.AlterField(
            model_name='submissionevidence',
            name='submission',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='evaluation.submission'),
        ),
    ]
