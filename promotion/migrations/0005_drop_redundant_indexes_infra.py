# Issue 10 item 5: drop the indexes a composite index (or a unique pair) starting with the same
# column makes redundant; tests/qcportal/test_db_indexes.py keeps them from coming back.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('promotion', '0004_campaign_configuration'),
    ]

    operations = [
        migrations.AlterField(
            model_name='campaign',
            name='organisation',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='campaigns', to='qcportal.organisation', verbose_name='主办协会'),
        ),
        migrations.AlterField(
            model_name='campaigndomain',
            name='campaign',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='domains', to='promotion.campaign', verbose_name='活动'),
        ),
        migrations.AlterField(
            model_name='campaignentry',
            name='campaign',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='promotion.campaign', verbose_name='活动'),
        ),
        migrations.AlterField(
            model_name='campaignentry',
            name='recommending_unit',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='qcportal.organisation', verbose_name='推荐单位'),
        ),
        migrations.AlterField(
            model_name='campaignstage',
            name='campaign',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='stages', to='promotion.campaign', verbose_name='活动'),
        ),
        migrations.AlterField(
            model_name='enterpriseannualfigures',
            name='organisation',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='annual_figures', to='qcportal.organisation', verbose_name='企业'),
        ),
        migrations.AlterField(
            model_name='presentationconference',
            name='campaign',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='conferences', to='promotion.campaign', verbose_name='活动'),
        ),
        migrations.AlterField(
            model_name='stageextension',
            name='campaign',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='extensions', to='promotion.campaign', verbose_name='活动'),
        ),
        # The implicit many-to-many table becomes an explicit model (same table, columns and
        # unique constraint: state only), then loses the index its unique pair makes redundant.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CampaignCoBuildingUnit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='promotion.campaign')),
                        ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='qcportal.organisation')),
                    ],
                    options={
                        'db_table': 'promotion_campaign_co_building_units',
                        'unique_together': {('campaign', 'organisation')},
                    },
                ),
                migrations.AlterField(
                    model_name='campaign',
                    name='co_building_units',
                    field=models.ManyToManyField(blank=True, help_text='与协会共建QC小组活动推进机制的推荐单位，其推荐成果名额不受限制（沪质协[2022]8号 三、2）。', related_name='co_building_campaigns', through='promotion.CampaignCoBuildingUnit', to='qcportal.organisation', verbose_name='共建推荐单位'),
                ),
            ],
        ),
        migrations.AlterField(
            model_name='campaigncobuildingunit',
            name='campaign',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='promotion.campaign'),
        ),
    ]
