"""Issue 8: the standard's score sheets become versioned templates (T/CAQ 10201-2020 附录B;
standard.md §3), a presentation sheet is seeded as the configurable default, and existing
assignments and sheets are placed in a first materials round of their judging."""

from django.db import migrations

STANDARD = "T/CAQ 10201-2020"
NAMES = {
    "problem_solving_result": "问题解决型课题成果评价表",
    "innovation_result": "创新型课题成果评价表",
    "onsite": "质量管理小组活动现场评价表",
    "presentation": "发表评审表",
}
#: A presentation sheet out of 100 after the industry practice in standard.md §3 (逻辑性,
#: 专业性, 发布形式, 表达, 回答问题, 成员/时间); associations derive their own variant.
PRESENTATION = [
    ("logic", "逻辑性", 20),
    ("expertise", "专业性", 20),
    ("form", "发布形式", 15),
    ("expression", "表达", 15),
    ("answers", "回答问题", 15),
    ("team_time", "成员与时间", 15),
]


def forwards(apps, schema_editor):
    Template = apps.get_model("evaluation", "SheetTemplate")
    Criterion = apps.get_model("evaluation", "ScoringCriterion")
    Sheet = apps.get_model("evaluation", "ScoreSheet")
    Assignment = apps.get_model("evaluation", "JudgeAssignment")
    Submission = apps.get_model("evaluation", "Submission")
    Judging = apps.get_model("evaluation", "Judging")
    Round = apps.get_model("evaluation", "JudgingRound")
    Campaign = apps.get_model("promotion", "Campaign")
    templates = {}
    for kind, name in NAMES.items():
        templates[kind], _ = Template.objects.get_or_create(
            organisation=None, kind=kind, version=STANDARD, defaults={"name": name}
        )
        Criterion.objects.filter(sheet_kind=kind).update(template=templates[kind])
    for position, (code, label, points) in enumerate(PRESENTATION, start=1):
        Criterion.objects.get_or_create(
            template=templates["presentation"],
            code=code,
            defaults={"sheet_kind": "presentation", "label": label, "max_points": points, "position": position},
        )
    pairs = set(
        Submission.objects.filter(assignments__isnull=False).values_list("campaign_id", "recommending_association_id")
    ) | set(Submission.objects.filter(score_sheets__isnull=False).values_list("campaign_id", "recommending_association_id"))
    for campaign_id, association_id in sorted(pairs):
        campaign = Campaign.objects.get(pk=campaign_id)
        judging, _ = Judging.objects.get_or_create(
            campaign_id=campaign_id,
            organisation_id=association_id,
            defaults={"trim_min_judges": max(campaign.score_trim_min_judges, 3)},
        )
        round_, _ = Round.objects.get_or_create(
            judging=judging,
            position=1,
            defaults={
                "organisation_id": association_id,
                "name": "成果评审",
                "kind": "materials",
                "template": templates["problem_solving_result"],
                "innovation_template": templates["innovation_result"],
                "starts_on": campaign.period_start,
                "ends_on": max(campaign.period_end, campaign.period_start),
                "status": "open",
            },
        )
        mine = {"submission__campaign_id": campaign_id, "submission__recommending_association_id": association_id}
        Assignment.objects.filter(**mine).update(round=round_)
        for kind, template in templates.items():
            Sheet.objects.filter(kind=kind, **mine).update(round=round_, template=template)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0005_judging_rounds"), ("promotion", "0004_campaign_configuration")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
