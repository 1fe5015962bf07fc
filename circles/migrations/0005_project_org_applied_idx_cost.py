# Issue 10 item 4 (rule R-SC-71): an enterprise's project list reads its own projects in
# list order, never the country's by date filtered down to the enterprise.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('circles', '0004_drop_redundant_indexes_infra'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='project',
            index=models.Index(fields=['organisation', 'applied_on', 'id'], name='circles_project_org_appl_idx'),
        ),
    ]
