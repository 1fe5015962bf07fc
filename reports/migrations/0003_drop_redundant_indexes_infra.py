# Issue 10 item 5: drop the indexes a composite index (or a unique pair) starting with the same
# column makes redundant; tests/qcportal/test_db_indexes.py keeps them from coming back.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0002_work_summary_and_package'),
    ]

    operations = [
        migrations.AlterField(
            model_name='reportrun',
            name='organisation',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='report_runs', to='qcportal.organisation', verbose_name='填报单位'),
        ),
        migrations.AlterField(
            model_name='worksummary',
            name='organisation',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='work_summaries', to='qcportal.organisation', verbose_name='填报单位'),
        ),
    ]
