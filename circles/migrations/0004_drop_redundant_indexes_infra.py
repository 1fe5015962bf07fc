# Issue 10 item 5: drop the indexes a composite index (or a unique pair) starting with the same
# column makes redundant; tests/qcportal/test_db_indexes.py keeps them from coming back.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('circles', '0003_workflow_records_imports'),
    ]

    operations = [
        migrations.AlterField(
            model_name='activityrecord',
            name='organisation',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='qcportal.organisation', verbose_name='企业'),
        ),
        migrations.AlterField(
            model_name='circle',
            name='organisation',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='circles', to='qcportal.organisation', verbose_name='企业'),
        ),
        migrations.AlterField(
            model_name='project',
            name='organisation',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='qcportal.organisation', verbose_name='企业'),
        ),
        migrations.AlterField(
            model_name='recordcomment',
            name='organisation',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='qcportal.organisation', verbose_name='企业'),
        ),
        migrations.AlterField(
            model_name='registrationsequence',
            name='organisation',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='qcportal.organisation'),
        ),
        # The implicit many-to-many table becomes an explicit model (same table, columns and
        # unique constraint: state only), then loses the index its unique pair makes redundant.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ActivityRecordParticipant',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('activityrecord', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='circles.activityrecord')),
                        ('circlemember', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='circles.circlemember')),
                    ],
                    options={
                        'db_table': 'circles_activityrecord_participants',
                        'unique_together': {('activityrecord', 'circlemember')},
                    },
                ),
                migrations.AlterField(
                    model_name='activityrecord',
                    name='participants',
                    field=models.ManyToManyField(blank=True, related_name='activity_records', through='circles.ActivityRecordParticipant', to='circles.circlemember', verbose_name='参加人员'),
                ),
            ],
        ),
        migrations.AlterField(
            model_name='activityrecordparticipant',
            name='activityrecord',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='circles.activityrecord'),
        ),
    ]
